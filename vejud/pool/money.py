"""Money as integer øre: parsing what people type and showing it the Danish way.

No float is ever involved: amounts are parsed digit by digit into integers.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Largest amount accepted anywhere: DKK 100 million, well above any budget of the pool.
MAX_ORE = 100_000_000 * 100

_AMOUNT = re.compile(
    r"""^\s*
    (?P<int>\d{1,3}(?:[.\s]\d{3})+|\d+)   # 12.345 / 12 345 / 12345
    (?:,(?P<frac>\d{1,2}))?               # ,5 / ,50 (Danish decimal comma)
    \s*(?:kr\.?|dkk)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_kroner(text: str) -> int:
    """Return the amount in øre for Danish kroner as typed ("12.345,50", "2 000", "400 kr.")."""
    match = _AMOUNT.match(text or "")
    if match is None:
        raise ValidationError(
            _("Write the amount in kroner, e.g. 12.345,50."), code="amount_format"
        )
    whole = int(re.sub(r"[.\s]", "", match.group("int")))
    frac = (match.group("frac") or "").ljust(2, "0")
    ore = whole * 100 + int(frac)
    if ore > MAX_ORE:
        raise ValidationError(_("The amount is too large."), code="amount_too_large")
    return ore


def format_kroner(ore: int, *, unit: bool = True) -> str:
    """Return ``ore`` as Danish kroner: 1234550 → "12.345,50 kr."."""
    sign = "-" if ore < 0 else ""
    whole, frac = divmod(abs(int(ore)), 100)
    text = f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    return f"{sign}{text} kr." if unit else f"{sign}{text}"


def input_kroner(ore: int | None) -> str:
    """Return ``ore`` as text for an input field ("12345,50"; "" for None)."""
    if ore is None:
        return ""
    whole, frac = divmod(int(ore), 100)
    return f"{whole},{frac:02d}" if frac else str(whole)
