"""Demo advice (issue 15): requests to the national contact point in every state, from several
units, general and about cases, with response times as a small team answers them.

Made through the services with the moment of each step given, over the last eight weeks in
opening hours: urgent requests answered within the hour or so, normal ones within a few
working days, one past its target. Made once: nothing is added when a request exists.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vejud.access.advice import may_ask_about
from vejud.accounts.models import User
from vejud.advice import services
from vejud.advice.models import AdviceRequest
from vejud.cases.models import Case, CaseStatus
from vejud.core.workhours import COPENHAGEN
from vejud.organisations.models import Unit


def _weekday(weeks_ago: int, weekday: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment ``weeks_ago`` weeks back on ``weekday`` (0 Monday) at ``hour`` in Copenhagen."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday(), weeks=weeks_ago)
    day = monday + dt.timedelta(days=weekday)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=COPENHAGEN)


def _case_of(member: User, unit_code: str) -> Case | None:
    for case in Case.objects.filter(
        responsible_unit__code=unit_code, status__in=[CaseStatus.ASSESSMENT, CaseStatus.ADMITTED]
    ).order_by("id")[:20]:
        if may_ask_about(member, case):
            return case
    return None


def seed_advice(staff: dict[str, User]) -> list[str]:
    """Make the demo's advice requests (once)."""
    if AdviceRequest.objects.exists():
        return []
    adviser, head = staff["adviser"], staff["head"]
    units = {u.code: u for u in Unit.objects.filter(code__startswith="exit-")}
    made: list[AdviceRequest] = []

    def ask(
        who: str, unit: str, when: dt.datetime, *, about_case: bool = False, **fields: object
    ) -> AdviceRequest:
        member = staff[who]
        case = _case_of(member, unit) if about_case else None
        entries = list(case.journal_entries.order_by("-created_at")[:2]) if case else []
        request = services.advice_request_create(
            actor=member,
            unit=units[unit],
            case=case,
            attach_instruments=case is not None,
            journal_entries=entries,
            now=when,
            **fields,  # type: ignore[arg-type]
        )
        made.append(request)
        return request

    # Closed: a motivation question from København, answered with a recommendation in two days.
    r = ask(
        "member.koebenhavn",
        "exit-koebenhavn",
        _weekday(7, 1, 10),
        about_case=True,
        topic="motivation",
        question="The person says he wants out, but mostly because of his parole. Is the motivation sufficient to start an exit course?",
    )
    services.advice_assign(actor=head, request=r, adviser=adviser)
    services.advice_note_add(
        actor=adviser,
        request=r,
        text="Similar to last year's case in Fyn; the push factors are thin.",
        now=_weekday(7, 1, 13),
    )
    services.advice_answer(
        actor=adviser,
        request=r,
        now=_weekday(7, 3, 11),
        text="Parole alone is not enough, but the new job offer is a real pull factor.",
        motivation="sufficient",
        suitability="unclear",
        reasons="Pull factors dominate; suitability depends on the housing plan.",
    )
    services.advice_close(actor=staff["member.koebenhavn"], request=r, now=_weekday(7, 4, 9))
    # Closed: a general pool question from Østjylland, answered the same day.
    r = ask(
        "member.oestjylland",
        "exit-oestjylland",
        _weekday(6, 0, 9, 30),
        topic="pool",
        question="May the central pool pay a deposit on a flat in another municipality?",
    )
    services.advice_answer(
        actor=adviser,
        request=r,
        now=_weekday(6, 0, 14),
        text="Yes, under housing, when the plan names the move.",
    )
    services.advice_close(actor=adviser, request=r, now=_weekday(5, 0, 10))
    # Answered, urgent: a threat question from Fyn, first response within the hour.
    r = ask(
        "coordinator.fyn",
        "exit-fyn",
        _weekday(3, 2, 10),
        about_case=True,
        topic="safety",
        urgency="urgent",
        urgency_reason="Threat reported this morning; he asks to move tonight.",
        question="Should we move him before the risk assessment is finished?",
    )
    services.advice_message_add(
        actor=adviser, request=r, text="Is the local police informed?", now=_weekday(3, 2, 10, 40)
    )
    services.advice_message_add(
        actor=staff["coordinator.fyn"], request=r, text="Yes, they are.", now=_weekday(3, 2, 11)
    )
    services.advice_answer(
        actor=adviser,
        request=r,
        text="Move him now; finish the assessment afterwards.",
        now=_weekday(3, 2, 11, 30),
    )
    # Waiting for the unit: Nordjylland's suitability question, the adviser asks back.
    r = ask(
        "member.nordjylland",
        "exit-nordjylland",
        _weekday(2, 0, 13),
        about_case=True,
        topic="suitability",
        question="He has a drug problem. Is he suitable for a course with a residential treatment offer?",
    )
    services.advice_assign(actor=head, request=r, adviser=adviser)
    services.advice_message_add(
        actor=adviser,
        request=r,
        text="Has he accepted treatment in writing?",
        now=_weekday(2, 1, 9, 15),
    )
    services.advice_access_set(
        actor=staff["member.nordjylland"],
        request=r,
        until=_weekday(2, 0, 13) + dt.timedelta(days=14),
        now=_weekday(2, 1, 10),
    )
    # Assigned: a custody question from Østjylland, being worked on.
    r = ask(
        "coordinator.oestjylland",
        "exit-oestjylland",
        _weekday(1, 1, 11),
        topic="custody",
        question="How early before release should the good-release plan be agreed with the prison?",
    )
    services.advice_assign(actor=head, request=r, adviser=adviser)
    services.advice_note_add(
        actor=adviser,
        request=r,
        text="Check the directorate's new guideline first.",
        now=_weekday(1, 1, 14),
    )
    # New: a target-group question from København this week, and one past its target.
    ask(
        "coordinator.koebenhavn",
        "exit-koebenhavn",
        _weekday(0, 0, 9, 10),
        topic="target_group",
        question="Does a member of a rocker support club fall within the target group?",
    )
    ask(
        "member.fyn",
        "exit-fyn",
        _weekday(2, 3, 15),
        topic="relocation",
        question="Which municipalities have agreed to receive persons under the exit programme this year?",
    )
    return [f"Advice: {len(made)} requests (new, assigned, waiting, answered, closed) from 4 units"]
