"""The dashboard's body as the page shows it, kept by what it is computed from
(``vejud.statistics.kept``): the figures are read on every view (four small queries), and the
tables are released, the charts drawn and the body rendered only when a figure changed."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from vejud.statistics.dashboard import (
    OUTLIER_MINIMUM,
    OUTLIER_SHARE_POINTS,
    OUTLIER_TIME_FACTOR,
    Period,
    Selection,
    dashboard,
    read_figures,
)
from vejud.statistics.dashboard_charts import dashboard_charts
from vejud.statistics.kept import kept_body


def dashboard_body(
    period: Period, scope: Selection, *, compare_units: bool, training_url: str | None
) -> SafeString:
    """The rendered body of the dashboard (``statistics/_board.html``) for the selection."""
    figures = read_figures(period, scope.track)
    chosen = "all" if scope.chosen is None else ",".join(map(str, sorted(scope.chosen)))

    def make() -> str:
        board = dashboard(period, scope, compare_units=compare_units, figures=figures)
        context = {
            "board": board,
            "compared": board.compared,
            "charts": dashboard_charts(board),
            "pool_rows": board.pool_rows(),
            "month_labels": board.month_labels,
            "advice_answered": board.advice_answered,
            "outlier_points": OUTLIER_SHARE_POINTS,
            "outlier_factor": OUTLIER_TIME_FACTOR,
            "outlier_minimum": OUTLIER_MINIMUM,
            "training_url": training_url,
        }
        return render_to_string("statistics/_board.html", context)

    words = [period.value, chosen, scope.track, figures.digest, compare_units, training_url]
    return kept_body("dashboard", words, make)
