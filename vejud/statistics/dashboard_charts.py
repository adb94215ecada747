"""The dashboard's three charts, from the figures the page shows (nothing hidden is drawn)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vejud.statistics.charts import Series, bars, lines
from vejud.statistics.dashboard import MONTH_KEYS, Dashboard, month_label


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def dashboard_charts(board: Dashboard) -> dict[str, str]:
    """The funnel (share of inquiries), the time in each stage and motivation over the course,
    as data: URIs; the scope beside the national figures when the scope is not national."""
    national_scope = board.scope.chosen is None
    own = board.selection_label
    everyone = str(_("National"))
    funnel = board.compared["funnel"]
    labels = tuple(label for label, _own, _national in funnel)
    own_first, national_first = funnel[0][1], funnel[0][2]
    shares: Series = (("", tuple(_share(n, own_first) for _l, n, _x in funnel)),)
    if not national_scope:
        shares = (
            (own, shares[0][1]),
            (everyone, tuple(_share(n, national_first) for _l, _o, n in funnel)),
        )
    times_own = tuple(float(t.median) if t.median is not None else None for t in board.stage_times)
    times_national = tuple(
        float(t.median) if t.median is not None else None for t in board.national_stage_times
    )
    stage_labels = tuple(str(t.label) for t in board.stage_times)
    motivation_own = tuple(board.reviews[0].means)
    motivation_national = tuple(board.national_reviews[0].means)
    months = tuple(month_label(bucket) for bucket in MONTH_KEYS)
    return {
        "funnel": bars(
            _("From inquiry to completed course, as a share of the inquiries"),
            labels,
            shares,
            unit=" %",
        ),
        "times": bars(
            _("Median days in each stage"),
            stage_labels,
            (("", times_own),)
            if national_scope
            else ((own, times_own), (everyone, times_national)),
        ),
        "motivation": lines(
            _("Average motivation (1-5) by months into the course"),
            months,
            (("", motivation_own),)
            if national_scope
            else ((own, motivation_own), (everyone, motivation_national)),
            range_=(1, 5),
        ),
    }
