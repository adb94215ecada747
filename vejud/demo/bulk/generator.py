"""The bulk cases: a day-by-day simulation of the exit process, written as plain rows.

Each case is planned when its inquiry comes in: the path it will take (withdrawn,
dropped, refused and closed, referred and upheld or overturned, or admitted to an
exit course that ends with a closure reason) and the day of every step on it. The
plan is cut at yesterday, so young cases are still open in whatever status they
have reached: every status on both tracks arises from the case's age. Steps of
all cases run in time order, so ids, audit sequence numbers and timestamps rise
together as they would in a real system.

A row is written once, in its final state, when the step that creates it runs
(a signed instrument is written signed; the case row carries its status as of
today); the steps that changed it later leave their audit records at their own
time. With ``full_audit`` every change a service would audit is audited here with
the same action name and the same shape of ``changes``; without it (large datasets)
only each case's life cycle is: person, case, reopening, transitions, decisions and
closure.
"""

from __future__ import annotations

import uuid
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from heapq import heapify, heappop, heappush
from itertools import accumulate
from math import ceil
from random import Random
from typing import Any

from django.conf import settings
from django.utils import timezone

from vejud.accounts.models import User
from vejud.assessments.models import (
    CriteriaVersion,
    MotivationFactor,
    Programme,
)
from vejud.cases.models import (
    CaseReferenceCounter,
    CaseStatus,
    Track,
)
from vejud.core.crypto import keyed_hash
from vejud.core.dates import age_on
from vejud.courses.models import (
    OPEN_ACTION_STATUSES,
    ClosureReason,
    OfferStatus,
    OwnerAgency,
    Party,
)
from vejud.courses.selectors import add_months
from vejud.decisions.models import RefusalGround
from vejud.demo import showcase as demo
from vejud.demo.bulk import names
from vejud.demo.bulk.grants import GRANT_APPLY, GRANT_DECIDE, GRANT_PAY, GrantSteps
from vejud.demo.bulk.state import CaseState, Slot, UnitInfo
from vejud.demo.bulk.tables import (
    ACTION,
    AGREEMENT,
    CASE,
    CLOSURE,
    CONSENT,
    DECISION,
    GOAL,
    INQUIRY,
    JOURNAL,
    MEETING,
    MENTOR,
    MOTIVATION,
    OFFER,
    PERSON,
    REFERRAL,
    REVIEW,
    RISK,
    SUITABILITY,
    TABLES,
    TARGET_GROUP,
    TRANSITION,
    WARNING,
)
from vejud.demo.bulk.writer import (
    DAY_US,
    US,
    Batch,
    BulkWriter,
    Clock,
    Event,
    Labels,
    Sink,
    Table,
    canonical_json,
    date_of,
    day_number,
)
from vejud.followup.models import RiskKind, WarningReason
from vejud.intake.models import ConsentMethod, InquiryChannel, InquirySource
from vejud.offers.models import OfferType
from vejud.organisations.models import Municipality, Unit, UnitKind
from vejud.outcomes.services import FOLLOWED_REASONS, outcome_points
from vejud.people.models import Attachment, GangGroup, Person

S = CaseStatus

# --- the shape of the data ----------------------------------------------------------------

# Where a case's path leads if nothing stops it first (weights per 100 cases).
W_INQUIRY, W_ASSESSMENT, DROPPED, REFUSED_CLOSED, UPHELD, OVERTURNED, ADMITTED = range(7)
OUTCOME_WEIGHTS = (10, 8, 14, 12, 7, 2, 47)
GROUND_WEIGHTS = {
    RefusalGround.OUTSIDE_TARGET_GROUP: 20,
    RefusalGround.NOT_SUITABLE: 35,
    RefusalGround.NOT_MOTIVATED: 45,
}
CLOSURE_WEIGHTS = {
    ClosureReason.COMPLETED: 45,
    ClosureReason.INTERRUPTED: 25,
    ClosureReason.STOPPED_CRIME: 8,
    ClosureReason.STOPPED_AGREEMENT: 10,
    ClosureReason.MOVED_ABROAD: 7,
    ClosureReason.DECEASED: 5,
}
CUSTODY_SHARE = 0.20
MUNICIPAL_SHARE = 0.05
REATTEMPT_SHARE = 0.08  # of withdrawn and dropped cases: the person comes back later
RISK_SHARE = 0.04  # of reviews: a risk event and its early warning
CASES_PER_YEAR = 85_000  # references are EX-YYYY-NNNNN: at most 99,999 a year
NOTE_EVERY_DAYS = 40  # a journal note every few weeks on top of the notes at each stage
WORK_START = 7 * 3600  # steps happen between 07:00 and 15:00 UTC (08/09-16/17 in Denmark)
WORK_SECONDS = 8 * 3600

WITHDRAWN_REASON = "Personen ønsker ikke at gå videre."
WITHDRAWN_ASSESSMENT_REASON = "Personen trak sig under visitationen."
DROPPED_REASON = "Ingen kontakt til personen i visitationsperioden."
CLOSED_REFUSED_REASON = "Klagefristen er udløbet; personen ønskede ikke afslaget prøvet."
ADMIT_REASONING = "Personen er i målgruppen, motiveret og egnet."
UPHOLD_REASONING = "Kontaktpunktet er enig i enhedens vurdering."
OVERTURN_REASONING = "Kontaktpunktet finder personen egnet; afslaget omgøres."
REFERRAL_NOTE = "Personen ønsker afslaget prøvet af Det Nationale Exit-kontaktpunkt."
TERMS = "Personen bryder med miljøet; myndighederne støtter med bolig, job og mentor."
EXPLANATION = "Vil have et liv uden vold, for sin egen og familiens skyld."
REVIEW_NOTE = "Opfølgning holdt med personen og mentor."
RISK_NOTE = "Se journalen."
# Early warnings: most are resolved within days or weeks (at the latest when the course
# ends), as a coordinator resolves them; the rest are open today, on the task list.
WARNING_RESOLVED_SHARE = 0.9
WARNING_RESOLVE_DAYS = (2, 45)
WARNING_RESOLUTION = "Talt med personen og mentor; risikoen er håndteret."
STAGE_NOTES = {
    "assessment": "Samtykke givet; visitationen er gået i gang.",
    "decision": "Afgørelsen er meddelt personen.",
    "course": "Exitaftalen er underskrevet; forløbet er startet.",
}
OFFERS = (
    # (offer type, provider, starts after course start, ends after (or None), final status, result)
    ("residence", "Kommunens boligsociale team", 20, None, OfferStatus.ACTIVE, ""),
    ("financial", "Jobcentret", 10, 70, OfferStatus.COMPLETED,
     "Hjælp til depositum og første husleje."),
    ("work_education", "Jobcentret", 30, 150, OfferStatus.COMPLETED, "Praktik gennemført."),
    ("therapy", "Kommunens psykologordning", 40, None, OfferStatus.ACTIVE, ""),
    ("tattoo_removal", "Hudklinik (aftale via kommunen)", 60, None, OfferStatus.PLANNED, ""),
)  # fmt: skip
ACCESS_IPS = tuple(f"10.20.{a}.{b}" for a in range(1, 4) for b in range(10, 40))

# Step kinds.
(
    OPEN, NOTE, ASSESS, TARGET, TARGET_SIGN, MOTIVE, MOTIVE_SIGN, SUIT, SUIT_SIGN, WITHDRAW,
    DROP, DECIDE, REFER, FINAL, CLOSE_REFUSED, AGREE, GOAL_ADD, ACTION_DONE, OFFER_ADD,
    OFFER_DONE, MENTOR_ADD, MEET, RELEASE, REVIEW_ADD, CLOSE,
) = range(25)  # fmt: skip
WARNING_RESOLVE = 28  # after the pool's steps (GRANT_APPLY, GRANT_DECIDE, GRANT_PAY)
# A step waiting for its day: (time, serial, kind, case, arguments, whether it is the case's
# own next step, after which its following step is queued).
Entry = tuple[int, int, int, CaseState, tuple[Any, ...], bool]


class SlotTable:
    """Every case's draws (day, unit, institution, outcome, ground, earlier attempt) in
    arrays of a few bytes per case, handed out as ``Slot`` objects day by day in the order
    they were drawn."""

    def __init__(
        self, first_day: int, last_day: int, grounds: list[str], units: list[UnitInfo]
    ) -> None:
        self.first_day = first_day
        self.grounds = grounds
        self.ground_index = {g: i for i, g in enumerate(grounds)}
        self.units = units
        self.days = array("i")
        self.unit = array("H")
        self.institution = array("i")  # 0: none
        self.outcome = array("B")
        self.ground = array("B")
        self.source = array("i")  # the index of the earlier attempt, -1: none
        self.has_again = bytearray()  # a later attempt needs this slot's person and case
        self.planned: dict[int, Slot] = {}  # coverage slots, planned up front
        self.kept: dict[int, Slot] = {}  # opened slots a later attempt will read
        self.count = [0] * (last_day - first_day + 2)
        self.order = array("i")
        self.next = [0] * len(self.count)

    def add(
        self,
        day: int,
        unit: int,
        institution_id: int | None,
        outcome: int,
        ground: str,
        source: int = -1,
    ) -> int:
        index = len(self.days)
        self.days.append(day)
        self.unit.append(unit)
        self.institution.append(institution_id or 0)
        self.outcome.append(outcome)
        self.ground.append(self.ground_index[ground])
        self.source.append(source)
        self.has_again.append(0)
        if source >= 0:
            self.has_again[source] = 1
        self.count[day - self.first_day] += 1
        return index

    def add_slot(self, slot: Slot) -> None:
        index = self.add(slot.day, slot.unit, slot.institution_id, slot.outcome, slot.ground)
        self.planned[index] = slot

    def sort(self) -> None:
        """Order the indexes by day, keeping the drawing order within a day (counting sort)."""
        start = 0
        for position, n in enumerate(self.count):
            self.next[position] = start
            start += n
        self.order = array("i", bytes(self.order.itemsize * len(self.days)))
        nexts, order, first = self.next, self.order, self.first_day
        for index, day in enumerate(self.days):
            position = day - first
            order[nexts[position]] = index
            nexts[position] += 1

    def take(self, day: int) -> list[Slot]:
        """The slots of ``day`` as objects, in the order they were drawn."""
        position = day - self.first_day
        end = self.next[position]
        slots = []
        for index in self.order[end - self.count[position] : end]:
            slot = self.planned.pop(index, None)
            if slot is None:
                source = self.source[index]
                slot = Slot(
                    day=self.days[index],
                    custody=self.units[self.unit[index]].custody,
                    unit=self.unit[index],
                    institution_id=self.institution[index] or None,
                    outcome=self.outcome[index],
                    ground=self.grounds[self.ground[index]],
                    source=self.kept.pop(source) if source >= 0 else None,
                )
            if self.has_again[index]:
                self.kept[index] = slot
            slots.append(slot)
        return slots


class Generator(GrantSteps):
    """Plans and runs the bulk cases; hands rows to ``writer`` in batches."""

    def __init__(
        self,
        *,
        cases: int,
        rng: Random,
        staff: dict[str, User],
        writer: BulkWriter,
        flush_rows: int,
        full_audit: bool,
        on_flush: Callable[[Generator], None] | None = None,
    ) -> None:
        self.total = cases
        self.full_audit = full_audit
        self.rand = rand = rng.random

        def ri(low: int, high: int) -> int:
            """rng.randint without its checks (a third of the generating time otherwise)."""
            return low + int(rand() * (high - low + 1))

        def pick(items: Sequence[Any]) -> Any:
            return items[int(rand() * len(items))]

        self.ri = ri
        self.pick = pick
        self.sink: Sink | None = None
        self.rng = rng
        self.writer = writer
        self.flush_rows = flush_rows
        self.on_flush = on_flush
        self.clock: Clock = writer.clock
        self.today = timezone.localdate()
        self.last_day = day_number(self.today) - 1  # steps happen up to yesterday
        years = max(3, ceil(cases / CASES_PER_YEAR))
        self.first_day = self.last_day - years * 365 + 1
        self.staff = {name: user.pk for name, user in staff.items()}
        self.labels = Labels(
            {user.pk: f"{user.full_name} <{user.email}>" for user in staff.values()}
        )
        self.closure_labels = {reason: str(reason.label) for reason in ClosureReason}
        self.decision_maker = self.staff["decision-maker"]
        self._load_reference_data(staff)
        block = max(200, min(100_000, cases * 4))
        self.next_id = {t.name: writer.id_source(t, block) for t in TABLES}
        self.journal_id = self.next_id[JOURNAL_TABLE]
        self.counters = dict(CaseReferenceCounter.objects.values_list("year", "last_number"))
        # CPR numbers are handed out per birth date (``_cpr``): the memory is one entry per
        # date, not one per person; only the numbers already in the database are looked up.
        self.taken_cpr: set[str] = {c for c in Person.objects.values_list("cpr", flat=True) if c}
        self.cpr_next: dict[date, list[int]] = {}
        self.batch = self._new_batch()
        # Each day's steps to run: a case's next step only (``run`` queues the one
        # after it when it has run), and the early warnings' resolutions.
        self.buckets: dict[int, list[Entry]] = defaultdict(list)
        self.serial = 0
        # Step arguments (but the grants', which the steps fill in) are the same few tuples
        # for every case: each is kept once.
        self.shared_args: dict[tuple[int, tuple[Any, ...]], tuple[Any, ...]] = {}
        self.opened = 0
        self.steps_run = 0
        self.statuses: dict[tuple[str, str], int] = defaultdict(int)
        self.dispatch: list[Callable[[CaseState, int, tuple[Any, ...]], None]] = [
            self.s_open, self.s_note, self.s_assess, self.s_target, self.s_target_sign,
            self.s_motive, self.s_motive_sign, self.s_suit, self.s_suit_sign, self.s_withdraw,
            self.s_drop, self.s_decide, self.s_refer, self.s_final, self.s_close_refused,
            self.s_agree, self.s_goal, self.s_action_done, self.s_offer, self.s_offer_done,
            self.s_mentor, self.s_meet, self.s_release, self.s_review, self.s_close,
            self.s_grant_apply, self.s_grant_decide, self.s_grant_pay, self.s_warning_resolve,
        ]  # fmt: skip

    # --- reference data -----------------------------------------------------------------

    def _load_reference_data(self, staff: dict[str, User]) -> None:
        units = {u.code: u for u in Unit.objects.all()}
        by_district: dict[int, list[int]] = defaultdict(list)
        for pk, district in Municipality.objects.order_by("name").values_list(
            "pk", "police_district_id"
        ):
            by_district[district].append(pk)
        everywhere = [pk for pks in by_district.values() for pk in pks]
        own_programme = {
            unit_id: code
            for code, unit_id in Programme.units.through.objects.values_list(
                "programme__code", "unit_id"
            )
        }
        self.units: list[UnitInfo] = []
        weights: list[float] = []
        for unit in sorted(units.values(), key=lambda u: u.code):
            if unit.kind == UnitKind.LOCAL and f"coordinator.{demo._short(unit)}" in staff:
                short = demo._short(unit)
                municipalities = by_district.get(unit.police_district_id or 0, everywhere)
                share = float(demo.UNIT_WEIGHTS.get(unit.code, 2))
            elif unit.code == "kk-exit" and "coordinator.kk-exit" in staff:
                short = "kk-exit"
                municipalities = [unit.municipality_id] if unit.municipality_id else everywhere
                share = -1.0  # a fixed share, set below
            else:
                continue
            mentor = demo.MENTORS.get(unit.code)
            self.units.append(
                UnitInfo(
                    id=unit.pk,
                    code=unit.code,
                    custody=False,
                    worker=self.staff[f"member.{short}"],
                    decider=self.staff[f"coordinator.{short}"],
                    mentor=self.staff[mentor] if mentor else None,
                    municipalities=municipalities,
                    programme=own_programme.get(unit.pk, "national"),
                )
            )
            weights.append(share)
        local = sum(w for w in weights if w > 0)
        weights = [
            MUNICIPAL_SHARE if w < 0 else (1 - CUSTODY_SHARE - MUNICIPAL_SHARE) * w / local
            for w in weights
        ]
        self.units.append(
            UnitInfo(
                id=units["dfk"].pk,
                code="dfk",
                custody=True,
                worker=self.staff["custody.dfk"],
                decider=self.staff["custody.dfk"],
                mentor=None,
                municipalities=everywhere,
                programme="dfk",
            )
        )
        weights.append(CUSTODY_SHARE)
        self.unit_weights = list(accumulate(weights))
        self.institutions = [units[c].pk for c in demo.CUSTODY_INSTITUTIONS if c in units]
        self.groups: dict[str, list[int]] = defaultdict(list)
        for pk, kind in GangGroup.objects.filter(is_active=True).values_list("pk", "kind"):
            self.groups[kind].append(pk)
        self.versions: dict[str, list[CriteriaVersion]] = defaultdict(list)
        for version in CriteriaVersion.objects.select_related("programme").order_by("-valid_from"):
            self.versions[version.programme.code].append(version)
        factors = list(MotivationFactor.objects.values_list("code", "kind", "is_fear"))
        self.push = [c for c, k, fear in factors if k == "push" and not fear]
        self.push_fear = [c for c, k, fear in factors if k == "push" and fear]
        self.pull = [c for c, k, fear in factors if k == "pull"]
        self.offer_types = dict(OfferType.objects.values_list("code", "pk"))
        self.offers = [o for o in OFFERS if o[0] in self.offer_types]
        self.attachment_labels = {a.value: str(a.label) for a in Attachment}

    def first_day_date(self) -> date:
        return date_of(self.first_day)

    def last_day_date(self) -> date:
        return date_of(self.last_day)

    def version_for(self, programme: str, day: int) -> CriteriaVersion:
        """The criteria version in force on ``day`` (else the current one, as the demo does)."""
        on = date_of(day)
        versions = self.versions.get(programme) or self.versions["national"]
        for version in versions:
            if version.in_force_on(on):
                return version
        for version in versions:
            if version.in_force_on(self.today):
                return version
        return versions[0]

    # --- planning -----------------------------------------------------------------------

    def slots(self, coverage: Sequence[tuple[str, str]]) -> SlotTable:
        """Draw every case's day, place and path; coverage cases first, planned up front.

        The draws are kept as a few bytes per case in a ``SlotTable``; a case's ``Slot``
        object is made on its day (``SlotTable.take``), so memory does not hold a million
        objects before the first case opens.
        """
        rng = self.rng
        outcomes = list(range(len(OUTCOME_WEIGHTS)))
        outcome_weights = list(accumulate(OUTCOME_WEIGHTS))
        grounds = [str(g) for g in GROUND_WEIGHTS]
        ground_weights = list(accumulate(GROUND_WEIGHTS.values()))
        unit_ids = list(range(len(self.units)))
        table = SlotTable(self.first_day, self.last_day, [*grounds, *INSIDE_GROUNDS], self.units)
        made = 0
        for track, status in coverage[: self.total]:
            table.add_slot(self._coverage_slot(track, status))
            made += 1
        span = self.last_day - self.first_day + 1
        while made < self.total:
            unit = rng.choices(unit_ids, cum_weights=self.unit_weights)[0]
            custody = self.units[unit].custody
            outcome = rng.choices(outcomes, cum_weights=outcome_weights)[0]
            day = self.first_day + rng.randrange(span)
            institution_id = self.pick(self.institutions) if custody else None
            ground = rng.choices(grounds, cum_weights=ground_weights)[0]
            index = table.add(day, unit, institution_id, outcome, ground)
            made += 1
            if (
                made < self.total
                and outcome in (W_INQUIRY, W_ASSESSMENT, DROPPED)
                and self.rand() < REATTEMPT_SHARE
            ):
                day = day + self.ri(365, 1000)
                if day <= self.last_day:
                    outcome = rng.choices(outcomes, cum_weights=outcome_weights)[0]
                    ground = self.pick(INSIDE_GROUNDS)
                    table.add(day, unit, institution_id, outcome, ground, source=index)
                    made += 1
        table.sort()
        return table

    def _coverage_slot(self, track: str, status: str) -> Slot:
        """A case that reaches ``status`` on ``track`` by yesterday (found by trial)."""
        custody = track == Track.CUSTODY
        units = [i for i, u in enumerate(self.units) if u.custody == custody]
        fits = {
            S.INQUIRY: (W_INQUIRY, ADMITTED),
            S.ASSESSMENT: (ADMITTED, DROPPED),
            S.WITHDRAWN: (W_INQUIRY, W_ASSESSMENT),
            S.DROPPED: (DROPPED,),
            S.REFUSED: (REFUSED_CLOSED, UPHELD),
            S.REFERRED: (UPHELD, OVERTURNED),
            S.REFUSAL_UPHELD: (UPHELD,),
            S.ADMITTED: (ADMITTED, OVERTURNED),
            S.CLOSED: (ADMITTED, REFUSED_CLOSED),
        }[CaseStatus(status)]
        open_status = status in {S.INQUIRY, S.ASSESSMENT, S.REFUSED, S.REFERRED, S.ADMITTED}
        for _ in range(5000):
            age = self.ri(1, 240) if open_status else self.ri(120, 900)
            slot = Slot(
                day=max(self.first_day, self.last_day - age),
                custody=custody,
                unit=self.pick(units),
                institution_id=self.pick(self.institutions) if custody else None,
                outcome=self.pick(fits),
                ground=self.pick(INSIDE_GROUNDS),
            )
            steps = self.plan(slot)
            if self._final_status(steps) == status:
                slot.steps = steps
                return slot
        raise RuntimeError(f"No plan reaches {status} on the {track} track.")  # pragma: no cover

    @staticmethod
    def _final_status(steps: list[tuple[int, int, tuple[Any, ...]]]) -> str:
        status: str = S.INQUIRY
        for _day, kind, args in steps:
            if kind in TRANSITIONS_OF:
                status = TRANSITIONS_OF[kind](args)[1]
        return status

    def plan(self, slot: Slot) -> list[tuple[int, int, tuple[Any, ...]]]:
        """Return the case's steps as (day, kind, arguments), cut at yesterday."""
        steps: list[tuple[int, int, tuple[Any, ...]]] = []

        def add(day: int, kind: int, *args: Any) -> None:
            steps.append((day, kind, args))

        day = slot.day
        add(day, OPEN)
        outcome = slot.outcome
        if outcome == W_INQUIRY:
            add(day + self.ri(3, 30), WITHDRAW, S.INQUIRY, WITHDRAWN_REASON)
            return self._finish(steps, slot.day)
        day += self.ri(2, 14)
        add(day, ASSESS)
        day += self.ri(1, 10)
        add(day, TARGET)
        signed = day + self.ri(0, 6)
        add(signed, TARGET_SIGN)
        if outcome == W_ASSESSMENT:
            add(signed + self.ri(3, 30), WITHDRAW, S.ASSESSMENT, WITHDRAWN_ASSESSMENT_REASON)
            return self._finish(steps, slot.day)
        day = signed + self.ri(1, 10)
        add(day, MOTIVE)
        if outcome == DROPPED:
            add(day + self.ri(5, 40), DROP)
            return self._finish(steps, slot.day)
        add(day + self.ri(0, 6), MOTIVE_SIGN)
        day += self.ri(3, 12)
        add(day, SUIT)
        day += self.ri(0, 6)
        add(day, SUIT_SIGN)
        day += self.ri(1, 10)
        if outcome == ADMITTED:
            add(day, DECIDE, True)
            self._course(add, day, slot)
            return self._finish(steps, slot.day)
        add(day, DECIDE, False)
        if outcome == REFUSED_CLOSED:
            add(day + self.ri(30, 60), CLOSE_REFUSED)
            return self._finish(steps, slot.day)
        day += self.ri(3, 25)
        add(day, REFER)
        day += self.ri(7, 40)
        add(day, FINAL, outcome == OVERTURNED)
        if outcome == OVERTURNED:
            self._course(add, day, slot)
        return self._finish(steps, slot.day)

    def _course(self, add: Callable[..., None], decided: int, slot: Slot) -> None:
        rng = self.rng
        start = decided + self.ri(0, 14)
        add(start, AGREE, start, self.pick((6, 9, 12, 12, 18)))
        end = start + self.ri(180, 540)
        areas = rng.sample(range(len(demo.PLAN)), self.ri(1, 3))
        for goal_index, area in enumerate(sorted(areas)):
            created = start + self.ri(0, 10)
            add(created, GOAL_ADD, goal_index, area)
            for action_index, action in enumerate(demo.PLAN[area][2]):
                _text, _agency, offset, status, _outcome = action
                if status != "planned":
                    done = max(created + 1, start + offset - self.ri(0, 15))
                    if done < end:
                        add(done, ACTION_DONE, goal_index, action_index, area)
        for index, offer in enumerate(rng.sample(self.offers, self.ri(0, 2))):
            add(start + offer[2] - 5, OFFER_ADD, index, offer)
            if offer[3] is not None and start + offer[3] < end:
                add(start + offer[3], OFFER_DONE, index, offer)
        unit = self.units[slot.unit]
        if unit.mentor is not None and self.rand() < 0.6:
            begins = start + self.ri(0, 14)
            add(begins, MENTOR_ADD, begins)
            met = begins + self.ri(7, 30)
            number = 0
            while met < end:
                add(met, MEET, number)
                number += 1
                met += self.ri(20, 45)
        if slot.custody and end > self.last_day:
            add(start + self.ri(20, 90), RELEASE, self.last_day + self.ri(75, 720))
        reviewed = start + settings.VEJUD_REVIEW_DAYS
        number = 0
        while reviewed < end:
            add(reviewed, REVIEW_ADD, number)
            number += 1
            reviewed += settings.VEJUD_REVIEW_DAYS + self.ri(-10, 20)
        self.plan_grant(add, start, end)
        add(
            end,
            CLOSE,
            self.rng.choices(CLOSURE_REASONS, cum_weights=CLOSURE_CUM_WEIGHTS)[0],
        )

    def _finish(
        self, steps: list[tuple[int, int, tuple[Any, ...]]], opened: int
    ) -> list[tuple[int, int, tuple[Any, ...]]]:
        """Add the monthly and stage journal notes, order by day and cut at yesterday."""
        end = max(day for day, _kind, _args in steps)
        notes = self.ri(1, 3) + (end - opened) // NOTE_EVERY_DAYS
        for _ in range(notes):
            steps.append((opened + self.ri(0, max(0, end - opened)), NOTE, ()))
        for day, kind, _args in list(steps):
            if kind == ASSESS:
                steps.append((day, NOTE, (STAGE_NOTES["assessment"],)))
            elif kind in (DECIDE, FINAL):
                steps.append((day, NOTE, (STAGE_NOTES["decision"],)))
            elif kind == AGREE:
                steps.append((day, NOTE, (STAGE_NOTES["course"],)))
        steps.sort(key=lambda step: step[0])
        last = self.last_day
        return [step for step in steps if step[0] <= last]

    # --- running ------------------------------------------------------------------------

    def run(self, coverage: Sequence[tuple[str, str]]) -> None:
        """Open every case on its day and run all steps in time order, flushing as it goes."""
        self.grants_setup()
        table = self.slots(coverage)
        buckets = self.buckets
        dispatch = self.dispatch
        for day in range(self.first_day, self.last_day + 1):
            for slot in table.take(day):
                self._schedule(slot)
            todays = buckets.pop(day, None)
            if not todays:
                continue
            heapify(todays)
            tomorrow = (day + 1) * DAY_US
            run = 0
            while todays:
                t, _serial, kind, state, args, own = heappop(todays)
                dispatch[kind](state, t, args)
                run += 1
                if own:  # queue the case's next step
                    step = state.step + 1
                    if step < len(state.times):
                        state.step = step
                        t = state.times[step]
                        self.serial = serial = self.serial + 1
                        entry = (t, serial, state.kinds[step], state, state.args[step], True)
                        if t < tomorrow:
                            heappush(todays, entry)
                        else:
                            buckets[t // DAY_US].append(entry)
                    else:
                        state.done()  # the case has run: its steps go
            self.steps_run += run
            if self.batch.size() >= self.flush_rows:
                self.flush()
        self.flush()
        self.grants_finish()

    def _schedule(self, slot: Slot) -> None:
        steps = slot.steps if slot.steps is not None else self.plan(slot)
        slot.steps = None
        state = CaseState(slot, self.units[slot.unit])
        rand = self.rand
        buckets = self.buckets
        t = 0
        kept: list[tuple[int, int, tuple[Any, ...]]] = []  # what _settle needs: not the notes
        # The case's steps wait as three compact sequences (time, kind, arguments) on its
        # state; only the next one is queued, so a step costs a few bytes until it runs.
        times = array("q")
        arguments: list[tuple[Any, ...]] = []
        shared = self.shared_args.setdefault
        for day, kind, args in steps:
            base = day * DAY_US + WORK_START * US
            if t < base:
                t = base + int(rand() * WORK_SECONDS * US)
            else:
                t += int((60 + rand() * 1740) * US)
            times.append(t)
            if kind != NOTE:
                kept.append((t, kind, args))
            if kind < GRANT_APPLY:  # the same small tuples over and over: kept once
                args = shared((kind, args), args)
            arguments.append(args)
        self._settle(state, kept)
        state.times = times
        state.kinds = bytes([step[1] for step in steps])
        state.args = tuple(arguments)
        state.step = 0
        self.serial += 1
        buckets[times[0] // DAY_US].append(
            (times[0], self.serial, steps[0][1], state, steps[0][2], True)
        )

    def _settle(self, state: CaseState, steps: list[tuple[int, int, tuple[Any, ...]]]) -> None:
        """Record what the case looks like today, for the rows written when it opens."""
        transitions = 0
        goals: list[tuple[int, int, int]] = []
        for t, kind, args in steps:
            if kind in TRANSITIONS_OF:
                transitions += 1
                state.status = TRANSITIONS_OF[kind](args)[1]
                state.status_changed = t
                state.updated = t
                if state.status in TERMINAL_STATUSES:
                    state.closed_on = t // DAY_US
                if kind == CLOSE and args[0] in FOLLOWED_REASONS:  # its first outcome falls due
                    first = add_months(date_of(t // DAY_US), min(outcome_points()))
                    state.outcome_due = first.isoformat()
                if kind == FINAL:
                    state.facts["final"] = True
            elif kind in (TARGET_SIGN, MOTIVE_SIGN, SUIT_SIGN):
                state.signed[kind - 1] = t
            elif kind == AGREE:
                state.agreement_start = args[0]
                state.updated = max(state.updated, t)
            elif kind == GOAL_ADD:
                goals.append((t, args[0], args[1]))
            elif kind == ACTION_DONE:
                state.actions_done[(args[0], args[1])] = t
            elif kind == REVIEW_ADD:
                state.review_from = t // DAY_US
            elif kind == OFFER_DONE:
                state.offers_done[args[0]] = t
            elif kind == RELEASE:
                state.release_on = args[0]
                state.updated = max(state.updated, t)
            elif kind in (GRANT_DECIDE, GRANT_PAY):
                self.settle_grant(state, kind, t, args)
        state.version = 1 + transitions
        if state.review_from is None:
            state.review_from = state.agreement_start
        state.action_due = self._action_due(state, goals)
        final = state.status
        self.statuses[(Track.CUSTODY if state.custody else Track.LIBERTY, final)] += 1

    @staticmethod
    def _action_due(state: CaseState, goals: list[tuple[int, int, int]]) -> int | None:
        """The earliest deadline of the case's open unowned actions, as ``s_goal`` writes them."""
        due: int | None = None
        for t, goal_index, area in goals:
            start = state.agreement_start if state.agreement_start is not None else t // DAY_US
            for action_index, (_text, agency, offset, status, _outcome) in enumerate(
                demo.PLAN[area][2]
            ):
                if agency == OwnerAgency.MUNICIPALITY:  # owned by the case's worker
                    continue
                if (goal_index, action_index) in state.actions_done and (
                    status not in OPEN_ACTION_STATUSES
                ):
                    continue
                if due is None or start + offset < due:
                    due = start + offset
        return due

    # --- writing helpers ----------------------------------------------------------------

    def _new_batch(self) -> Batch:
        return Batch(rows={t.name: [] for t in TABLES})

    def flush(self) -> None:
        batch = self.batch
        if not batch.size():
            return
        batch.counters = dict(self.counters)
        self.batch = self._new_batch()
        if self.sink is not None:
            self.sink.put(batch)
        else:
            self.writer.flush(batch, self.labels)
        if self.on_flush is not None:
            self.on_flush(self)

    def event(
        self,
        t: int,
        actor: int,
        action: str,
        object_type: str,
        object_id: int,
        state: CaseState,
        changes: str,
        reason: str = "",
        *,
        case: bool = True,
    ) -> None:
        item: Event = (
            t,
            actor,
            action,
            object_type,
            object_id,
            state.person_id,
            state.case_id if case else None,
            changes,
            reason,
        )
        self.batch.events.append(item)

    def access(self, t: int, user: int, state: CaseState, part: str = "case") -> None:
        self.batch.access.append(
            (
                self.clock.db(t - self.ri(2, 90) * US),
                user,
                state.person_id,
                state.case_id,
                part,
                "web",
                False,
                "",
                self.pick(ACCESS_IPS),
            )
        )

    def transition(
        self, state: CaseState, t: int, source: str, target: str, actor: int, reason: str
    ) -> None:
        pk = self.next_id[TRANSITION.name]()
        self.batch.rows[TRANSITION.name].append(
            (pk, state.case_id, source, target, actor, self.clock.db(t), reason)
        )
        self.event(
            t,
            actor,
            "case.transition",
            "cases.casetransition",
            pk,
            state,
            f'{{"status":["{source}","{target}"]}}',
            reason,
        )

    def note(self, state: CaseState, t: int, text: str, author: int | None = None) -> None:
        pk = self.journal_id()
        author = author or state.worker
        self.batch.rows[JOURNAL_TABLE].append(
            (pk, state.case_id, author, self.clock.db(t), text, None)
        )
        if self.full_audit:
            self.event(
                t,
                author,
                "journal.add",
                "cases.journalentry",
                pk,
                state,
                f'{{"length":{len(text)}}}',
            )

    # --- steps --------------------------------------------------------------------------

    def s_open(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        """The inquiry: the person (unless known from an earlier attempt), the case, the
        inquiry record (or the reopening) and the first journal note."""
        clock, rows = self.clock, self.batch.rows
        slot = state.slot
        worker = state.worker
        source = slot.source
        if source is None:
            state.person_id = self._person(state, t)
            slot.person = {k: state.facts[k] for k in ("birth", "attachment", "group_kind")}
        else:
            state.person_id = source.person_id
            assert source.person is not None
            state.facts.update(source.person)
        slot.person_id = state.person_id
        day = t // DAY_US
        opened = date_of(day)
        number = self.counters.get(opened.year, 0) + 1
        if number > 99_999:
            raise RuntimeError(f"More than 99,999 cases in {opened.year}: seed fewer cases.")
        self.counters[opened.year] = number
        state.reference = slot.reference = f"EX-{opened.year}-{number:05d}"
        state.case_id = pk = self.next_id[CASE.name]()
        slot.case_id = pk
        track = Track.CUSTODY if state.custody else Track.LIBERTY
        institution = slot.institution_id
        previous = source.case_id if source is not None else None
        due = clock.day(day + settings.VEJUD_ASSESSMENT_DAYS)
        now_db, now_json = clock.db(t), clock.json(t)
        rows[CASE.name].append(
            (
                pk, state.reference, state.person_id, state.unit.id, track, institution,
                state.status, clock.day(day),
                clock.day(state.closed_on) if state.closed_on is not None else None,
                previous, due,
                clock.day(state.agreement_start) if state.agreement_start is not None else None,
                clock.day(state.release_on) if state.release_on is not None else None,
                clock.day(state.review_from) if state.review_from is not None else None,
                clock.day(state.action_due) if state.action_due is not None else None,
                state.outcome_due, clock.db(state.status_changed or t), state.version, now_db,
                clock.db(max(state.updated, t)),
            )
        )  # fmt: skip
        self.event(
            t,
            worker,
            "case.open",
            "cases.case",
            pk,
            state,
            canonical_json(
                {
                    "id": pk,
                    "reference": state.reference,
                    "person": state.person_id,
                    "responsible_unit": state.unit.id,
                    "track": track,
                    "institution": institution,
                    "status": "inquiry",
                    "opened_on": clock.day(day),
                    "closed_on": None,
                    "previous_case": previous,
                    "assessment_due_on": due,
                    "course_started_on": None,
                    "release_on": None,
                    "review_from": None,
                    "action_due_on": None,
                    "outcome_due_on": None,
                    "status_changed_at": now_json,
                    "version": 1,
                    "created_at": now_json,
                    "updated_at": now_json,
                }
            ),
        )
        if source is None:
            inquiry = self.next_id[INQUIRY.name]()
            municipality = self.pick(state.unit.municipalities)
            channel = self.pick(INQUIRY_CHANNELS)
            origin = InquirySource.PRISON.value if state.custody else self.pick(LIBERTY_SOURCES)
            rows[INQUIRY.name].append(
                (
                    inquiry, pk, origin, channel, clock.day(day), municipality, state.custody,
                    "", worker, now_db,
                )
            )  # fmt: skip
            if self.full_audit:
                self.event(
                    t + 1000,
                    worker,
                    "inquiry.register",
                    "intake.inquiry",
                    inquiry,
                    state,
                    canonical_json(
                        {
                            "id": inquiry,
                            "case": pk,
                            "source": origin,
                            "channel": channel,
                            "received_on": clock.day(day),
                            "municipality": municipality,
                            "in_custody": state.custody,
                            "note": "",
                            "registered_by": worker,
                            "registered_at": now_json,
                        }
                    ),
                )
        else:
            self.event(
                t + 1000,
                worker,
                "case.reopen",
                "cases.case",
                pk,
                state,
                canonical_json({"previous_case": source.reference}),
                "Personen har selv taget kontakt igen.",
            )
        self.note(state, t + 2000, demo.FIRST_NOTE)
        self.access(t + 3000, worker, state)
        self.opened += 1

    def _person(self, state: CaseState, t: int) -> int:
        rng, clock = self.rng, self.clock
        day = t // DAY_US
        birth_day = day - self.ri(19 * 365, 48 * 365)
        birth = date_of(birth_day)
        if (birth.day, birth.month) == (1, 1):
            birth_day += 1
            birth = date_of(birth_day)
        cpr = self._cpr(birth)
        rand, pick = self.rand, self.pick
        first = pick(
            names.FIRST_NAMES_WOMEN if rand() < names.WOMEN_SHARE else names.FIRST_NAMES_MEN
        )
        if rand() < names.MIDDLE_NAME_SHARE:
            first = f"{first} {pick(names.MIDDLE_NAMES)}"
        last = pick(names.LAST_NAMES)
        version = self.version_for(self._programme(state), day)
        outside = state.slot.outcome in (REFUSED_CLOSED, UPHELD, OVERTURNED) and (
            state.ground == RefusalGround.OUTSIDE_TARGET_GROUP
        )
        if outside:
            group, role, since, attachment = None, "", None, ""
        else:
            kinds = [k for k in (version.environments or list(self.groups)) if self.groups.get(k)]
            group = self.pick(self.groups[self.pick(kinds)]) if kinds else None
            attachment = self.pick(version.attachments or Attachment.values)
            role = self.pick(demo.GANG_ROLES)
            since = birth_day + self.ri(15 * 365, 18 * 365)
        threats = demo.THREAT_NOTE if not outside and self.rand() < 0.15 else ""
        pk = self.next_id[PERSON.name]()
        public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        now_db, now_json = clock.db(t), clock.json(t)
        self.batch.rows[PERSON.name].append(
            (
                pk, public_id.hex, first, last, cpr,  # (cpr and threats: PERSON.encrypted)
                keyed_hash(cpr, purpose="cpr"), clock.day(birth_day), "", group, role,
                clock.day(since) if since is not None else None, attachment,
                threats, f"{first} {last}".lower(), now_db, now_db,
            )
        )  # fmt: skip
        state.person_id = pk
        self.event(
            t,
            state.worker,
            "person.create",
            "people.person",
            pk,
            state,
            canonical_json(
                {
                    "id": pk,
                    "public_id": str(public_id),
                    "first_name": first,
                    "last_name": last,
                    "cpr": f"[protected:{keyed_hash(cpr, purpose='audit')[:12]}]",
                    "birth_date": clock.day(birth_day),
                    "phone": "",
                    "gang_group": group,
                    "gang_role": role,
                    "gang_since": clock.day(since) if since is not None else None,
                    "attachment": attachment,
                    "threat_notes": (
                        f"[protected:{keyed_hash(threats, purpose='audit')[:12]}]"
                        if threats
                        else ""
                    ),
                    "created_at": now_json,
                    "updated_at": now_json,
                }
            ),
            case=False,
        )
        state.facts["birth"] = birth_day
        state.facts["attachment"] = attachment
        state.facts["group_kind"] = next(
            (kind for kind, pks in self.groups.items() if group in pks), ""
        )
        return pk

    def _cpr(self, birth: date) -> str:
        """An unused CPR number for ``birth`` that fails the old modulus-11 check.

        The sequence numbers of one birth date are walked in a scattered order from a random
        start (a stride coprime to their count visits each once), so no number is handed
        out twice and nothing is kept per person.
        """
        century = "0123" if birth.year < 2000 else "49"
        capacity = len(century) * 1000
        prefix = birth.strftime("%d%m%y")
        walk = self.cpr_next.get(birth)
        if walk is None:
            walk = self.cpr_next[birth] = [int(self.rand() * capacity), 0]
        start, taken = walk
        while taken < capacity:
            index = (start + taken * CPR_STRIDE) % capacity
            taken += 1
            number = f"{prefix}{century[index // 1000]}{index % 1000:03d}"
            if number in self.taken_cpr:
                continue
            if sum(int(d) * w for d, w in zip(number, CPR_WEIGHTS, strict=True)) % 11 == 0:
                continue
            walk[1] = taken
            return number
        raise RuntimeError(f"No CPR number left for {birth}.")  # pragma: no cover

    def _programme(self, state: CaseState) -> str:
        return "dfk" if state.custody else state.unit.programme

    def s_note(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        text = args[0] if args else self.pick(demo.NOTES)
        self.note(state, t, text)
        if self.rand() < 0.03:
            self.access(t, state.worker, state)

    def s_assess(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        pk = self.next_id[CONSENT.name]()
        method = self.pick(CONSENT_METHODS)
        now_db = clock.db(t)
        given = clock.day(t // DAY_US)
        self.batch.rows[CONSENT.name].append(
            (pk, state.case_id, given, method, AGENCIES_JSON, TOPICS_JSON, None, state.worker,
             now_db, None, "", None)
        )  # fmt: skip
        if self.full_audit:
            self.event(
                t,
                state.worker,
                "consent.record",
                "intake.consent",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "given_on": given,
                        "method": method,
                        "agencies": AGENCIES,
                        "topics": TOPICS,
                        "valid_until": None,
                        "recorded_by": state.worker,
                        "recorded_at": clock.json(t),
                        "withdrawn_on": None,
                        "withdrawal_note": "",
                        "withdrawal_recorded_by": None,
                    }
                ),
            )
        self.transition(state, t + 1000, S.INQUIRY, S.ASSESSMENT, state.worker, "")

    def _instrument(
        self,
        state: CaseState,
        t: int,
        kind: int,
        table: Table,
        action: str,
        fields: dict[str, Any],
        values: tuple[Any, ...],
    ) -> None:
        clock = self.clock
        pk = self.next_id[table.name]()
        state.instruments[kind] = pk
        signed = state.signed.get(kind)
        now_db = clock.db(t)
        self.batch.rows[table.name].append(
            (
                pk, 1, "", state.worker, now_db, now_db,
                state.worker if signed is not None else None,
                clock.db(signed) if signed is not None else None, state.case_id, None, *values,
            )
        )  # fmt: skip
        if not self.full_audit:
            return
        created = {
            "id": pk,
            "case": state.case_id,
            "version": 1,
            "correction_reason": "",
            "created_by": state.worker,
            "created_at": clock.json(t),
            "updated_at": clock.json(t),
            **fields,
        }
        changes = {k: [None, v] for k, v in created.items() if v is not None}
        self.event(
            t,
            state.worker,
            action,
            table.model._meta.label_lower,
            pk,
            state,
            canonical_json(changes),
        )

    def _sign(self, state: CaseState, t: int, kind: int, table: Table) -> None:
        if not self.full_audit:
            return
        self.event(
            t,
            state.worker,
            f"{table.model._meta.model_name}.sign",
            table.model._meta.label_lower,
            state.instruments[kind],
            state,
            '{"version":1}',
        )

    def s_target(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        day = state.slot.day
        version = self.version_for(self._programme(state), day)
        facts = state.facts
        answers: dict[str, dict[str, Any]] = {}
        if version.min_age is not None or version.max_age is not None:
            age = age_on(date_of(facts["birth"]), date_of(day))
            ok = (version.min_age is None or age >= version.min_age) and (
                version.max_age is None or age <= version.max_age
            )
            answers["age"] = {"met": ok, "note": f"Alder {age} den {date_of(day)}", "auto": True}
        if version.attachments:
            attachment = facts["attachment"]
            answers["attachment"] = {
                "met": attachment in version.attachments,
                "note": self.attachment_labels.get(attachment, "–"),
                "auto": True,
            }
        if version.environments:
            kind = facts["group_kind"]
            answers["environment"] = {
                "met": kind in version.environments,
                "note": kind or "–",
                "auto": True,
            }
        for question in version.questions:
            answers[question["code"]] = {"met": True, "note": "", "auto": False}
        within = all(a["met"] for a in answers.values())
        reasoning = (
            "Personen opfylder programmets kriterier."
            if within
            else "Ingen kendt tilknytning til et rocker- eller bandemiljø."
        )
        answers_json = canonical_json(answers)
        self._instrument(
            state,
            t,
            TARGET,
            TARGET_GROUP,
            "target_group.create",
            {
                "criteria_version": version.pk,
                "answers": answers,
                "within_target_group": within,
                "reasoning": reasoning,
            },
            (version.pk, answers_json, within, reasoning),
        )

    def s_target_sign(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self._sign(state, t, TARGET, TARGET_GROUP)

    def s_motive(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        rng = self.rng
        weak = state.slot.outcome in (REFUSED_CLOSED, UPHELD, OVERTURNED) and (
            state.ground == RefusalGround.NOT_MOTIVATED
        )
        level = self.ri(1, 2) if weak else self.ri(3, 5)
        state.level = level
        push = sorted(rng.sample(self.push, self.ri(1, 2)))
        if self.push_fear and self.rand() < 0.3:
            push = sorted([*push, self.pick(self.push_fear)])
        pull = sorted(rng.sample(self.pull, self.ri(1, 3)))
        wishes = sorted(rng.sample(sorted(self.offer_types), self.ri(1, 3)))
        kind = self.pick(("inner", "inner", "both", "outer"))
        reasoning = "Klar, indre motivation." if level >= 4 else "Motivationen er svag og ustabil."
        self._instrument(
            state,
            t,
            MOTIVE,
            MOTIVATION,
            "motivation.create",
            {
                "push_factors": push,
                "pull_factors": pull,
                "factors_note": "",
                "own_explanation": EXPLANATION,
                "help_wishes": wishes,
                "help_note": "",
                "fear_borne": False,
                "fear_note": "",
                "fear_only": False,
                "motivation_kind": kind,
                "parole_only_motive": False,
                "level": level,
                "reasoning": reasoning,
            },
            (
                canonical_json(push), canonical_json(pull), "", EXPLANATION,
                canonical_json(wishes), "", False, "", False, kind, False, level, reasoning,
            ),
        )  # fmt: skip

    def s_motive_sign(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self._sign(state, t, MOTIVE, MOTIVATION)

    def s_suit(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        weak = state.slot.outcome in (REFUSED_CLOSED, UPHELD, OVERTURNED) and (
            state.ground == RefusalGround.NOT_SUITABLE
        )
        degrees = [self.ri(1, 2) if weak else self.ri(3, 4) for _ in demo.SUITABILITY]
        lowest = min(degrees)
        judgement = "suitable" if lowest >= 4 else "partly" if lowest == 3 else "not_suitable"
        why = "Belyst i visitationssamtalerne."
        reasoning = "Samlet vurdering efter tre samtaler."
        fields: dict[str, Any] = {}
        values: list[Any] = []
        for name, degree in zip(demo.SUITABILITY, degrees, strict=True):
            fields[name] = degree
            fields[f"{name}_reasoning"] = why
            values += [degree, why]
        fields["judgement"] = judgement
        fields["reasoning"] = reasoning
        self._instrument(
            state,
            t,
            SUIT,
            SUITABILITY,
            "suitability.create",
            fields,
            (*values, judgement, reasoning),
        )

    def s_suit_sign(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self._sign(state, t, SUIT, SUITABILITY)

    def s_withdraw(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self.transition(state, t, args[0], S.WITHDRAWN, state.worker, args[1])

    def s_drop(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self.transition(state, t, S.ASSESSMENT, S.DROPPED, state.worker, DROPPED_REASON)

    def _decision(
        self,
        state: CaseState,
        t: int,
        level: str,
        outcome: str,
        grounds: list[str],
        reasoning: str,
        actor: int,
    ) -> int:
        clock = self.clock
        pk = self.next_id[DECISION.name]()
        tg, mot, suit = (state.instruments.get(k) for k in (TARGET, MOTIVE, SUIT))
        self.batch.rows[DECISION.name].append(
            (pk, state.case_id, level, outcome, canonical_json(grounds), reasoning, tg, mot, suit,
             actor, clock.db(t))
        )  # fmt: skip
        self.event(
            t,
            actor,
            f"decision.{level}",
            "decisions.decision",
            pk,
            state,
            canonical_json(
                {
                    "id": pk,
                    "case": state.case_id,
                    "level": level,
                    "outcome": outcome,
                    "grounds": grounds,
                    "reasoning": reasoning,
                    "target_group": tg,
                    "motivation": mot,
                    "suitability": suit,
                    "decided_by": actor,
                    "decided_at": clock.json(t),
                }
            ),
        )
        return pk

    def s_decide(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        admit = args[0]
        decider = state.decider
        if admit:
            self.transition(state, t, S.ASSESSMENT, S.ADMITTED, decider, ADMIT_REASONING)
            self._decision(state, t + 1000, "unit", "admit", [], ADMIT_REASONING, decider)
        else:
            ground = RefusalGround(state.ground)
            reasoning = demo.REFUSAL_REASONING[ground]
            self.transition(state, t, S.ASSESSMENT, S.REFUSED, decider, reasoning)
            state.refusal_id = self._decision(
                state, t + 1000, "unit", "refuse", [ground.value], reasoning, decider
            )
        self.access(t, decider, state)

    def s_refer(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        worker = state.worker
        self.transition(state, t, S.REFUSED, S.REFERRED, worker, REFERRAL_NOTE)
        pk = self.next_id[REFERRAL.name]()
        t += 1000
        due = clock.day(t // DAY_US + settings.VEJUD_REFERRAL_DAYS)
        row = [
            pk,
            state.case_id,
            state.refusal_id,
            True,
            REFERRAL_NOTE,
            worker,
            clock.db(t),
            due,
            None,
        ]
        if state.facts.get("final"):
            state.referral = row  # written with its final decision, which refers back to it
        else:
            self.batch.rows[REFERRAL.name].append(tuple(row))
        if self.full_audit:
            self.event(
                t,
                worker,
                "referral.create",
                "decisions.referral",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "refusal": state.refusal_id,
                        "requested_by_person": True,
                        "note": REFERRAL_NOTE,
                        "referred_by": worker,
                        "referred_at": clock.json(t),
                        "due_on": due,
                        "final_decision": None,
                    }
                ),
            )

    def s_final(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        overturn = args[0]
        actor = self.decision_maker
        if overturn:
            self.transition(state, t, S.REFERRED, S.ADMITTED, actor, OVERTURN_REASONING)
            pk = self._decision(state, t + 1000, "final", "overturn", [], OVERTURN_REASONING, actor)
        else:
            self.transition(state, t, S.REFERRED, S.REFUSAL_UPHELD, actor, UPHOLD_REASONING)
            pk = self._decision(
                state, t + 1000, "final", "uphold", [state.ground], UPHOLD_REASONING, actor
            )
        assert state.referral is not None
        state.referral[8] = pk
        self.batch.rows[REFERRAL.name].append(tuple(state.referral))
        state.referral = None
        self.access(t, actor, state, "decision_letter")

    def s_close_refused(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self.transition(state, t, S.REFUSED, S.CLOSED, state.worker, CLOSED_REFUSED_REASON)

    def s_agree(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        start, months = args
        parties = [Party.MUNICIPALITY.value, Party.PERSON.value, Party.POLICE.value]
        if state.custody:
            parties = sorted([*parties, Party.KRIMINALFORSORGEN.value])
        pk = self.next_id[AGREEMENT.name]()
        now_db, now_json = clock.db(t), clock.json(t)
        self.batch.rows[AGREEMENT.name].append(
            (pk, state.case_id, canonical_json(parties), clock.day(start), months,
             clock.day(start), TERMS, state.worker, now_db, now_db)
        )  # fmt: skip
        created = {
            "id": pk,
            "case": state.case_id,
            "parties": parties,
            "starts_on": clock.day(start),
            "expected_months": months,
            "signed_on": clock.day(start),
            "terms": TERMS,
            "created_by": state.worker,
            "created_at": now_json,
            "updated_at": now_json,
        }
        if self.full_audit:
            self.event(
                t,
                state.worker,
                "agreement.save",
                "courses.exitagreement",
                pk,
                state,
                canonical_json({k: [None, v] for k, v in created.items()}),
            )

    def s_goal(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        goal_index, area = args
        life_area, goal_text, actions = demo.PLAN[area]
        worker = state.worker
        pk = self.next_id[GOAL.name]()
        rows = self.batch.rows
        rows[GOAL.name].append((pk, state.case_id, life_area, goal_text, worker, clock.db(t)))
        if self.full_audit:
            self.event(
                t,
                worker,
                "plan.goal_add",
                "courses.plangoal",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "life_area": life_area,
                        "goal": goal_text,
                        "created_by": worker,
                        "created_at": clock.json(t),
                    }
                ),
            )
        start = state.agreement_start if state.agreement_start is not None else t // DAY_US
        for action_index, (text, agency, offset, status, outcome) in enumerate(actions):
            t += 1000
            action_pk = self.next_id[ACTION.name]()
            if self.full_audit:  # for the action's update (s_action_done)
                state.facts[("action", goal_index, action_index)] = (action_pk, t)
            done = state.actions_done.get((goal_index, action_index))
            owner = worker if agency == OwnerAgency.MUNICIPALITY else None
            deadline = clock.day(start + offset)
            final_status, final_outcome = (status, outcome) if done is not None else ("planned", "")
            rows[ACTION.name].append(
                (action_pk, pk, state.case_id, text, agency, owner, deadline, final_status,
                 final_outcome, clock.db(done if done is not None else t))
            )  # fmt: skip
            if self.full_audit:
                self.event(
                    t,
                    worker,
                    "plan.action_add",
                    "courses.planaction",
                    action_pk,
                    state,
                    canonical_json(
                        {
                            "id": action_pk,
                            "goal": pk,
                            "case": state.case_id,
                            "description": text,
                            "owner_agency": agency,
                            "owner": owner,
                            "deadline": deadline,
                            "status": "planned",
                            "outcome": "",
                            "updated_at": clock.json(t),
                        }
                    ),
                )

    def s_action_done(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        if not self.full_audit:
            return
        goal_index, action_index, area = args
        _text, _agency, _offset, status, outcome = demo.PLAN[area][2][action_index]
        pk, created = state.facts[("action", goal_index, action_index)]
        changes: dict[str, Any] = {
            "status": ["planned", status],
            "updated_at": [self.clock.json(created), self.clock.json(t)],
        }
        if outcome:
            changes["outcome"] = ["", outcome]
        self.event(
            t,
            state.worker,
            "plan.action_update",
            "courses.planaction",
            pk,
            state,
            canonical_json(changes),
        )

    def s_offer(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        index, (code, provider, starts, ends, status, result) = args
        start = state.agreement_start if state.agreement_start is not None else t // DAY_US
        done = state.offers_done.get(index)
        pk = self.next_id[OFFER.name]()
        if self.full_audit:  # for the offer's update (s_offer_done)
            state.facts[("offer", index)] = (pk, t)
        starts_on = clock.day(start + starts) if status != OfferStatus.PLANNED else None
        ends_on = clock.day(start + ends) if ends is not None else None
        initial = OfferStatus.ACTIVE if status == OfferStatus.COMPLETED else status
        final_status = status if done is not None or status != OfferStatus.COMPLETED else initial
        offer_type = self.offer_types[code]
        self.batch.rows[OFFER.name].append(
            (pk, state.case_id, offer_type, provider, starts_on, ends_on, final_status,
             result if done is not None else "", state.worker, clock.db(done or t))
        )  # fmt: skip
        if self.full_audit:
            self.event(
                t,
                state.worker,
                "offer.add",
                "courses.caseoffer",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "offer_type": offer_type,
                        "provider": provider,
                        "starts_on": starts_on,
                        "ends_on": ends_on,
                        "status": initial,
                        "result": "",
                        "created_by": state.worker,
                        "updated_at": clock.json(t),
                    }
                ),
            )

    def s_offer_done(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        if not self.full_audit:
            return
        index, (_code, _provider, _starts, _ends, status, result) = args
        pk, created = state.facts[("offer", index)]
        self.event(
            t,
            state.worker,
            "offer.update",
            "courses.caseoffer",
            pk,
            state,
            canonical_json(
                {
                    "status": [OfferStatus.ACTIVE.value, status],
                    "result": ["", result],
                    "updated_at": [self.clock.json(created), self.clock.json(t)],
                }
            ),
        )

    def s_mentor(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        assert state.mentor is not None
        pk = self.next_id[MENTOR.name]()
        state.assignment_id = pk
        begins = clock.day(args[0])
        self.batch.rows[MENTOR.name].append((pk, state.case_id, state.mentor, begins, None))
        if self.full_audit:
            self.event(
                t,
                state.worker,
                "mentor.assign",
                "cases.mentorassignment",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "mentor": state.mentor,
                        "starts_on": begins,
                        "ends_on": None,
                    }
                ),
            )

    def s_meet(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        form, minutes, text = demo.MEETINGS[args[0] % len(demo.MEETINGS)]
        mentor = state.mentor
        assert mentor is not None
        pk = self.next_id[MEETING.name]()
        met_on = clock.day(t // DAY_US)
        self.batch.rows[MEETING.name].append(
            (pk, state.assignment_id, state.case_id, met_on, form, minutes, text, False, None,
             None, mentor, clock.db(t))
        )  # fmt: skip
        if self.full_audit:
            self.event(
                t,
                mentor,
                "mentor.meeting",
                "courses.mentormeeting",
                pk,
                state,
                f'{{"met_on":"{met_on}","needs_attention":false}}',
            )
        if self.rand() < 0.2:
            self.access(t, mentor, state, "mentor_view")

    def s_release(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        if not self.full_audit:
            return
        self.event(
            t,
            state.worker,
            "case.release_date",
            "cases.case",
            state.case_id,
            state,
            f'{{"release_on":[null,"{self.clock.day(args[0])}"]}}',
        )

    def s_review(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        number = args[0]
        worker = state.worker
        progress = min(3, 1 + number // 2), min(3, (number + 1) // 2), min(3, number // 2 + 0)
        behaviour = min(3, 1 + number // 2) if state.custody else None
        level = max(1, min(5, state.level + self.pick((0, 0, 1, -1))))
        if state.last_review is not None:
            level = max(level, state.last_review[1] - 1)
        state.last_review = (sum(progress), level)
        pk = self.next_id[REVIEW.name]()
        reviewed = clock.day(t // DAY_US)
        evidence = demo.EVIDENCE
        custody_evidence = evidence["custody_behaviour"] if state.custody else ""
        self.batch.rows[REVIEW.name].append(
            (pk, state.case_id, reviewed, progress[0], evidence["crime_stopped"], progress[1],
             evidence["environment_left"], progress[2], evidence["lifestyle_changed"], behaviour,
             custody_evidence, level, REVIEW_NOTE, worker, clock.db(t))
        )  # fmt: skip
        risk = self.rand() < RISK_SHARE
        if risk:
            risk_pk = self.next_id[RISK.name]()
            self.batch.rows[RISK.name].append(
                (risk_pk, state.case_id, pk, self.pick(RISK_KINDS),
                 clock.day(t // DAY_US - self.ri(3, 40)), RISK_NOTE)
            )  # fmt: skip
        if self.full_audit:
            self.event(
                t,
                worker,
                "review.record",
                "followup.review",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "reviewed_on": reviewed,
                        "crime_stopped": progress[0],
                        "crime_evidence": evidence["crime_stopped"],
                        "environment_left": progress[1],
                        "environment_evidence": evidence["environment_left"],
                        "lifestyle_changed": progress[2],
                        "lifestyle_evidence": evidence["lifestyle_changed"],
                        "custody_behaviour": behaviour,
                        "custody_evidence": custody_evidence,
                        "motivation_level": level,
                        "note": REVIEW_NOTE,
                        "created_by": worker,
                        "created_at": clock.json(t),
                        "risk_events": 1 if risk else 0,
                    }
                ),
            )
        if risk:
            warning = self.next_id[WARNING.name]()
            resolved_at = self._warning_resolution(state, t, warning)
            self.batch.rows[WARNING.name].append(
                (warning, state.case_id, pk, WarningReason.RISK_EVENT.value, "", clock.db(t),
                 None if resolved_at is None else clock.db(resolved_at),
                 None if resolved_at is None else worker,
                 "" if resolved_at is None else WARNING_RESOLUTION)
            )  # fmt: skip
            if self.full_audit:
                self.event(
                    t + 1000,
                    worker,
                    "early_warning.raise",
                    "followup.earlywarning",
                    warning,
                    state,
                    '{"reason":"risk_event"}',
                )
        if self.rand() < 0.5:
            self.access(t, worker, state, "followup_chart")

    def _warning_resolution(self, state: CaseState, raised: int, warning: int) -> int | None:
        """When the early warning raised at ``raised`` is resolved (by the case's worker, at
        the latest the day the course ends), or None if it is still open today. With the full
        trail, the resolution's audit record is a step of its own on that day."""
        if self.rand() >= WARNING_RESOLVED_SHARE:
            return None
        day = raised // DAY_US + self.ri(*WARNING_RESOLVE_DAYS)
        if state.closed_on is not None:
            day = min(day, state.closed_on)
        if day > self.last_day:
            return None
        t = max(raised + US, day * DAY_US + WORK_START * US + int(self.rand() * WORK_SECONDS * US))
        if self.full_audit:
            self.serial += 1
            entry = (t, self.serial, WARNING_RESOLVE, state, (warning,), False)
            self.buckets[t // DAY_US].append(entry)
        return t

    def s_warning_resolve(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        self.event(
            t,
            state.worker,
            "early_warning.resolve",
            "followup.earlywarning",
            args[0],
            state,
            "{}",
            WARNING_RESOLUTION,
        )

    def s_close(self, state: CaseState, t: int, args: tuple[Any, ...]) -> None:
        clock = self.clock
        reason = ClosureReason(args[0])
        summary = demo.CLOSING_SUMMARIES[reason]
        worker = state.worker
        self.transition(state, t, S.ADMITTED, S.CLOSED, worker, self.closure_labels[reason])
        pk = self.next_id[CLOSURE.name]()
        t += 1000
        self.batch.rows[CLOSURE.name].append(
            (pk, state.case_id, reason.value, summary, worker, clock.db(t))
        )
        self.event(
            t,
            worker,
            "case.close",
            "courses.caseclosure",
            pk,
            state,
            canonical_json(
                {
                    "id": pk,
                    "case": state.case_id,
                    "reason": reason.value,
                    "summary": summary,
                    "closed_by": worker,
                    "closed_at": clock.json(t),
                }
            ),
        )


TERMINAL_STATUSES = frozenset({S.WITHDRAWN, S.DROPPED, S.REFUSAL_UPHELD, S.CLOSED})
# For each step kind that moves the case: (from, to) given the step's arguments.
TRANSITIONS_OF: dict[int, Callable[[tuple[Any, ...]], tuple[str, str]]] = {
    ASSESS: lambda a: (S.INQUIRY, S.ASSESSMENT),
    WITHDRAW: lambda a: (a[0], S.WITHDRAWN),
    DROP: lambda a: (S.ASSESSMENT, S.DROPPED),
    DECIDE: lambda a: (S.ASSESSMENT, S.ADMITTED if a[0] else S.REFUSED),
    REFER: lambda a: (S.REFUSED, S.REFERRED),
    FINAL: lambda a: (S.REFERRED, S.ADMITTED if a[0] else S.REFUSAL_UPHELD),
    CLOSE_REFUSED: lambda a: (S.REFUSED, S.CLOSED),
    CLOSE: lambda a: (S.ADMITTED, S.CLOSED),
}
CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
CPR_STRIDE = 997  # a prime: coprime to the 2,000 or 4,000 sequence numbers of a birth date
JOURNAL_TABLE = JOURNAL.name
AGENCIES = sorted(demo.ALL_AGENCIES)
TOPICS = sorted(demo.ALL_TOPICS)
AGENCIES_JSON = canonical_json(AGENCIES)
TOPICS_JSON = canonical_json(TOPICS)
CONSENT_METHODS = tuple(ConsentMethod.values)
INQUIRY_CHANNELS = tuple(InquiryChannel.values)
LIBERTY_SOURCES = tuple(str(s) for s in demo.LIBERTY_SOURCES)
RISK_KINDS = tuple(RiskKind.values)
CLOSURE_REASONS = list(CLOSURE_WEIGHTS)
CLOSURE_CUM_WEIGHTS = list(accumulate(CLOSURE_WEIGHTS.values()))
INSIDE_GROUNDS = (RefusalGround.NOT_SUITABLE.value, RefusalGround.NOT_MOTIVATED.value)
COVERAGE: tuple[tuple[str, str], ...] = tuple(
    (track, status) for status in CaseStatus.values for track in Track.values
)
