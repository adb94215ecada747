"""The motivation and progress chart: server-rendered SVG (pygal), printable, no script."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pygal.style import Style

from vejud.followup.models import Review

SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)

# DKFDS colours with enough contrast on white (WCAG AA for graphical objects).
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#747474",
    colors=("#0059b3", "#008139"),
    font_family="IBM Plex Sans, Arial, sans-serif",
)


def motivation_chart_svg(reviews: Sequence[Review], *, baseline: int | None = None) -> str:
    """Return an SVG line chart of motivation (1-5) and progress (0-12, scaled to 0-5) over reviews."""
    ordered = sorted(reviews, key=lambda r: (r.reviewed_on, r.pk))
    chart = pygal.Line(
        style=CHART_STYLE,
        width=720,
        height=320,
        range=(0, 5),
        show_dots=True,
        dots_size=4,
        x_label_rotation=0,
        disable_xml_declaration=True,
        js=[],  # no script: the page's CSP allows none, and print needs none
        title=_("Motivation and progress"),
        legend_at_bottom=True,
        # Whole legends, one a line, whole date labels, and room on the right for the last
        # one: nothing of the chart is cut off, on screen or on paper.
        legend_at_bottom_columns=1,
        truncate_legend=-1,
        truncate_label=-1,
        margin_right=56,
        no_data_text=_("No reviews yet"),
    )
    labels = [date_format(r.reviewed_on, "SHORT_DATE_FORMAT") for r in ordered]
    motivation: list[float | None] = [float(r.motivation_level) for r in ordered]
    progress: list[float | None] = [
        round(r.progress_total() * 5 / (12 if r.custody_behaviour is not None else 9), 2)
        for r in ordered
    ]
    if baseline is not None:
        labels = [_("Assessment"), *labels]
        motivation = [float(baseline), *motivation]
        progress = [None, *progress]
    chart.x_labels = labels
    chart.add(_("Motivation (1-5)"), motivation)
    chart.add(_("Progress on the four changes (scaled 0-5)"), progress)
    svg = str(chart.render(is_unicode=True))
    # pygal always embeds a config <script>; the chart is static, so drop it entirely.
    return SCRIPT.sub("", svg)
