"""Forms for the person page: the person's exclusion and restriction lists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.accounts.forms import ActiveUserField
from vejud.core.forms import DateInput, DkfdsForm, TextBox
from vejud.people.models import AccessRuleKind


class AccessRuleForm(DkfdsForm):
    """Add a user to the person's exclusion list or restriction list."""

    prefix = "rule"

    kind = forms.ChoiceField(
        label=_("List"),
        choices=AccessRuleKind.choices,
        help_text=_(
            "A restriction list lets only its named users in: name yourself too, "
            "or you lose access."
        ),
    )
    email = ActiveUserField(label=_("E-mail of the user"))
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())
    message = forms.CharField(
        label=_("Note (never shown to the barred user, who sees “not found”)"),
        max_length=300,
        required=False,
        widget=TextBox(rows=2),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end is before the start."))
        return data
