"""The dashboard's body as the page shows it, kept by what it is computed from.

The body is a pure function of the period's figures, the selection, the language and
whether the training link is offered, so it is kept in the cache under the digest of all of
them: the figures are read on every view (four small queries), and the tables are released,
the charts drawn and the body rendered only when a figure changed. Nothing can be stale: a
changed count is a different key. Showing a kept body again releases nothing new; it is the
release recorded when it was made.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

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

CACHE_PREFIX = "vejud.dashboard.body"


def _key(period: Period, scope: Selection, digest: str, *parts: object) -> str:
    chosen = "all" if scope.chosen is None else ",".join(map(str, sorted(scope.chosen)))
    words = [period.value, chosen, scope.track, translation.get_language(), digest, *parts]
    return f"{CACHE_PREFIX}:{hashlib.sha256(repr(words).encode()).hexdigest()}"


def dashboard_body(
    period: Period, scope: Selection, *, compare_units: bool, training_url: str | None
) -> SafeString:
    """The rendered body of the dashboard (``statistics/_board.html``) for the selection."""
    figures = read_figures(period, scope.track)
    key = _key(period, scope, figures.digest, compare_units, training_url)
    body = cache.get(key)
    if body is None:
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
        body = render_to_string("statistics/_board.html", context)
        cache.set(key, body, settings.VEJUD_DASHBOARD_KEEP_SECONDS)
    return mark_safe(body)  # noqa: S308  (rendered by the template engine above, escaped there)
