"""The pool's monthly spend chart: server-rendered SVG (pygal), printable, no script."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vejud.followup.charts import CHART_STYLE, SCRIPT


def _thousands(value: float | None) -> str:
    return "" if value is None else f"{int(value):,}".replace(",", ".")


def monthly_paid_svg(year: int, months: Sequence[tuple[date, int]]) -> str:
    """Return an SVG bar chart of the payments (whole kroner) in each month of ``year``.

    The bars are drawn in whole kroner; the exact amounts in øre are in the table next to
    the chart and in the year-end report.
    """
    paid = {month.month: ore for month, ore in months if month.year == year}
    chart = pygal.Bar(
        style=CHART_STYLE,
        width=720,
        height=320,
        disable_xml_declaration=True,
        js=[],  # no script: the page's CSP allows none, and print needs none
        title=_("Paid per month in %(year)s (kroner)") % {"year": year},
        show_legend=False,
        value_formatter=_thousands,
        no_data_text=_("No payments yet"),
        x_label_rotation=0,
    )
    chart.x_labels = [date_format(date(year, m, 1), "M") for m in range(1, 13)]
    chart.add(_("Paid"), [paid.get(m, 0) // 100 for m in range(1, 13)])
    svg = str(chart.render(is_unicode=True))
    # pygal always embeds a config <script>; the chart is static, so drop it entirely.
    return SCRIPT.sub("", svg)
