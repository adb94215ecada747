"""The dashboard's charts: server-rendered SVG (pygal) shown as images, printable, no script.

Each chart is an ``<img>`` with a data: URI (the page's CSP allows images from data:, and an
SVG in an image runs nothing), with its numbers in a table beside it. The series differ by
more than colour: values are printed on the bars, and the national line is dashed.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import pygal
from django.utils.translation import gettext as _

from vejud.followup.charts import CHART_STYLE, SCRIPT

STYLE = CHART_STYLE  # the follow-up chart's: DKFDS colours with AA contrast

COMMON = {
    "style": STYLE,
    "width": 720,
    "height": 320,
    "disable_xml_declaration": True,
    "js": [],
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 1,
    "truncate_legend": -1,
    "truncate_label": -1,
    "margin_right": 56,
}


def _uri(chart: pygal.graph.graph.Graph) -> str:
    svg = SCRIPT.sub("", str(chart.render(is_unicode=True)))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


Series = tuple[tuple[str, tuple[float | None, ...]], ...]


@lru_cache(maxsize=256)
def bars(title: str, labels: tuple[str, ...], series: Series, *, unit: str = "") -> str:
    """A horizontal bar chart of one or two series, values printed on the bars (the same
    figures give the same chart: kept, not drawn again)."""
    chart = pygal.HorizontalBar(
        title=title,
        print_values=True,
        print_values_position="top",
        no_data_text=_("No figures in the period"),
        value_formatter=lambda value: f"{value:g}{unit}" if value is not None else "",
        **COMMON,
    )
    chart.x_labels = list(labels)
    chart.show_legend = len(series) > 1
    for name, values in series:
        chart.add(name, list(values))
    return _uri(chart)


@lru_cache(maxsize=256)
def lines(
    title: str,
    labels: tuple[str, ...],
    series: Series,
    *,
    range_: tuple[float, float] | None = None,
) -> str:
    """A line chart; the second series is dashed so the two differ without colour."""
    chart = pygal.Line(
        title=title,
        show_dots=True,
        dots_size=4,
        range=range_,
        no_data_text=_("No figures in the period"),
        **COMMON,
    )
    chart.x_labels = list(labels)
    chart.show_legend = len(series) > 1
    for index, (name, values) in enumerate(series):
        stroke = {"width": 2, "dasharray": "6, 4"} if index else {"width": 2}
        chart.add(name, list(values), stroke_style=stroke)
    return _uri(chart)
