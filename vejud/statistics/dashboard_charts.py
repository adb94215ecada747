"""The dashboard's three charts, from the figures the page shows (nothing hidden is drawn)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vejud.statistics.charts import Series, bars, lines
from vejud.statistics.dashboard import MONTH_KEYS, Dashboard, StageTime, month_label

Values = tuple[float | None, ...]


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def _medians(stage_times: list[StageTime]) -> Values:
    return tuple(float(t.median) if t.median is not None else None for t in stage_times)


def dashboard_charts(board: Dashboard) -> dict[str, str]:
    """The funnel (share of inquiries), the time in each stage and motivation over the course,
    as data: URIs; the scope beside the national figures when the scope is not national."""
    national_scope = board.scope.chosen is None
    own = board.selection_label
    everyone = str(_("National"))

    def beside(own_values: Values, national_values: Values) -> Series:
        """The scope's values alone when it is national, else beside the national ones."""
        if national_scope:
            return (("", own_values),)
        return ((own, own_values), (everyone, national_values))

    funnel = board.compared["funnel"]
    labels = tuple(label for label, _own, _national in funnel)
    own_first, national_first = funnel[0][1], funnel[0][2]
    shares = beside(
        tuple(_share(n, own_first) for _l, n, _x in funnel),
        tuple(_share(n, national_first) for _l, _o, n in funnel),
    )
    stage_labels = tuple(str(t.label) for t in board.stage_times)
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
            beside(_medians(board.stage_times), _medians(board.national_stage_times)),
        ),
        "motivation": lines(
            _("Average motivation (1-5) by months into the course"),
            months,
            beside(tuple(board.reviews[0].means), tuple(board.national_reviews[0].means)),
            range_=(1, 5),
        ),
    }
