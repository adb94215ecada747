"""The need-to-know gate for cases: which cases a user reaches, and on what basis.

``cases_visible_to`` is the only way to list cases and ``get_case_for`` the only
way to open one. Pages, the API, search, exports and PDFs all go through them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.rules import BASIS_PARTS, Basis, Capability, Part, Scope, scope_for
from vejud.accounts.models import User
from vejud.audit.services import log_access
from vejud.cases.models import BreakGlassGrant, Case, CaseStatus, MentorAssignment, Track
from vejud.core.request_cache import request_cached
from vejud.people.models import AccessRuleKind, PersonAccessRule


class AccessRuleDenied(Http404):
    """The person's exclusion or restriction list bars this user: answered as "does not exist".

    Decision (issue 11, hole 9): a barred user gets the same 404 as for a case that does
    not exist, on pages and in the API, because the existence of a case is itself
    sensitive; a 403 with the list's message would confirm it. The message stays on the
    exception for the code that catches it, and is never shown to the barred user.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CaseAccess:
    """An opened case and what the user may see of it."""

    case: Case
    basis: Basis
    parts: frozenset[Part]

    @property
    def break_glass(self) -> bool:
        """Opened by breaking the glass: to read, not to act on."""
        return self.basis == Basis.BREAK_GLASS

    @property
    def as_mentor(self) -> bool:
        """Opened as the case's mentor (the mentor's parts only)."""
        return self.basis == Basis.MENTOR

    @property
    def as_national(self) -> bool:
        """Opened as staff of the national contact point."""
        return self.basis == Basis.NATIONAL

    @property
    def casework(self) -> bool:
        """Sees the case as its staff do (its journal), not as its mentor: what the user may
        read. Break-glass access reads it too; whether the user may act on the case (never by
        breaking the glass) is ``vejud.access.casework.may_act``'s to say."""
        return not self.as_mentor and Part.JOURNAL in self.parts

    def can_see(self, part: Part) -> bool:
        return part in self.parts


def log_case_access(
    *,
    user: User,
    access: CaseAccess,
    part: str,
    request: HttpRequest | None = None,
    channel: str = "web",
    reason: str = "",
) -> None:
    """Write the access-log record of a view of ``part`` of the opened case (break-glass marked)."""
    log_access(
        user=user,
        part=part,
        person_id=access.case.person_id,
        case_id=access.case.pk,
        request=request,
        channel=channel,
        break_glass=access.break_glass,
        reason=reason,
    )


def _active_grants(user_id: int) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(user_id=user_id, expires_at__gt=timezone.now())


# Up to this many barred persons are given to the database as a list of ids; beyond it the
# condition stays a correlated subquery (lists are rare, so the list is the usual case).
BARRED_LIST_MAX = 500


def _barred_condition(user_id: int, today: date, person_field: str) -> Q:
    """The person's lists as correlated subqueries of the queried row (any number of lists)."""
    rules = PersonAccessRule.objects.in_force(today).filter(person=OuterRef(person_field))
    excluded = rules.filter(kind=AccessRuleKind.EXCLUSION, user_id=user_id)
    restricted = rules.filter(kind=AccessRuleKind.RESTRICTION)
    named = restricted.filter(user_id=user_id)
    return Q(Exists(excluded)) | (Q(Exists(restricted)) & ~Q(Exists(named)))


# The persons whose lists bar a user (``barred_person_ids``), written out: the hottest access
# question (every list and case page asks it once), where building the same three-part ORM
# query cost four times what the database spends answering it.
_BARRED_SQL = """
SELECT DISTINCT r.person_id FROM {rules} r
 WHERE r.valid_from <= %(day)s AND (r.valid_to IS NULL OR r.valid_to >= %(day)s)
   AND ((r.kind = %(exclusion)s AND r.user_id = %(user)s)
        OR (r.kind = %(restriction)s AND NOT EXISTS (
              SELECT 1 FROM {rules} n
               WHERE n.person_id = r.person_id AND n.kind = %(restriction)s
                 AND n.user_id = %(user)s AND n.valid_from <= %(day)s
                 AND (n.valid_to IS NULL OR n.valid_to >= %(day)s))))
 ORDER BY r.person_id LIMIT %(limit)s
"""


def barred_person_ids(user_id: int, today: date) -> list[int] | None:
    """Return the ids of the persons whose lists bar ``user_id`` today (excluded, or
    restricted without naming them), sorted; None when there are more than
    ``BARRED_LIST_MAX``. One query, kept for the request (an audited write clears it)."""

    def compute() -> list[int] | None:
        connection = connections[router.db_for_read(PersonAccessRule)]
        sql = _BARRED_SQL.format(rules=connection.ops.quote_name(PersonAccessRule._meta.db_table))
        params = {
            "day": connection.ops.adapt_datefield_value(today),
            "exclusion": AccessRuleKind.EXCLUSION.value,
            "restriction": AccessRuleKind.RESTRICTION.value,
            "user": user_id,
            "limit": BARRED_LIST_MAX + 1,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = [person_id for (person_id,) in cursor.fetchall()]
        return found if len(found) <= BARRED_LIST_MAX else None

    return request_cached(("barred_person_ids", user_id, today), compute)


def barred_persons(user_id: int, today: date, person_field: str = "person_id") -> Q:
    """Return the condition for rows whose person's access lists bar ``user_id``.

    ``person_field`` names the person column from the queried model (``case__person_id``
    from a row that belongs to a case). The barred persons are read once per request and
    given as ids (a list query builds and plans far cheaper than three correlated
    subqueries in every list query of a page); an empty list is a condition no row meets.
    """
    ids = barred_person_ids(user_id, today)
    if ids is None:
        return _barred_condition(user_id, today, person_field)
    return Q(**{f"{person_field}__in": ids})


def mentor_grace_start(today: date) -> date:
    """The earliest end date of a case its mentor still reaches (``VEJUD_MENTOR_GRACE_DAYS``)."""
    return today - timedelta(days=settings.VEJUD_MENTOR_GRACE_DAYS)


def within_mentor_grace(case: Case, today: date | None = None) -> bool:
    """Return True while the case is open, or ended within the mentor's grace period."""
    day = today or timezone.localdate()
    return case.closed_on is None or case.closed_on >= mentor_grace_start(day)


def mentor_meetings_open(case: Case, today: date | None = None) -> bool:
    """Return True while the case's mentor may log meetings: during the course, and after its
    close for the final meeting note within the grace period."""
    if case.status == CaseStatus.ADMITTED:
        return True
    return case.status == CaseStatus.CLOSED and within_mentor_grace(case, today)


def mentor_assignments(mentor_id: int, today: date) -> QuerySet[MentorAssignment]:
    """The mentor's assignments in force today, on cases open or ended within the grace period:
    a mentor's access ends with the course (after the grace for the final meeting note)."""
    return MentorAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=mentor_grace_start(today)),
        mentor_id=mentor_id,
        starts_on__lte=today,
    )


def _scope_condition(scope: Scope, today: date) -> Q:
    """Return the filter for the cases ``scope`` reaches (active break-glass grants included).

    The cases reached one by one (a mentor's mentees, break-glass grants) are few and
    fetched as ids first (one query), so the database sees plain column conditions it
    can answer from the (unit, id) indexes in the caseload's order; a correlated
    EXISTS in the OR would make it walk the whole table instead.
    """
    parts: list[Q] = []
    if scope.unit_ids:
        parts.append(Q(responsible_unit_id__in=sorted(scope.unit_ids)))
    if scope.custody_all:
        parts.append(Q(track=Track.CUSTODY))
    elif scope.custody_institution_ids:
        parts.append(
            Q(track=Track.CUSTODY, institution_id__in=sorted(scope.custody_institution_ids))
        )
    one_by_one = _active_grants(scope.user_id).values_list("case_id", flat=True)
    if scope.mentor:
        mentees = (
            mentor_assignments(scope.user_id, today).values_list("case_id", flat=True).order_by()
        )
        one_by_one = one_by_one.order_by().union(mentees)
    case_ids = sorted(set(one_by_one))
    if case_ids:
        parts.append(Q(pk__in=case_ids))
    if not parts:
        return Q(pk__in=[])
    condition = parts[0]
    for extra in parts[1:]:
        condition |= extra
    return condition


def may_list_cases(user: User) -> bool:
    """Return True if ``user`` reaches any case (a case role, or breaking the glass)."""
    scope = scope_for(user)
    return scope.has(Capability.VIEW_CASES) or scope.has(Capability.BREAK_GLASS)


def cases_visible_to(user: User, *, part: Part = Part.SUMMARY) -> QuerySet[Case]:
    """Return the cases ``user`` may see (``part`` of): the only way to list cases.

    A part outside what a mentor may see (e.g. grants) drops the mentor basis.
    """
    scope = scope_for(user)
    if not may_list_cases(user):
        return Case.objects.none()
    if scope.mentor and part not in BASIS_PARTS[Basis.MENTOR]:
        scope = replace(scope, mentor=False)
    today = timezone.localdate()
    qs = Case.objects.all()
    if not scope.national:
        qs = qs.filter(_scope_condition(scope, today))
    return qs.exclude(barred_persons(scope.user_id, today))


def _basis_for(scope: Scope, case: Case, today: date) -> Basis | None:
    if scope.national:
        return Basis.NATIONAL
    if case.responsible_unit_id in scope.unit_ids:
        return Basis.UNIT
    if case.track == Track.CUSTODY and (
        scope.custody_all or case.institution_id in scope.custody_institution_ids
    ):
        return Basis.CUSTODY
    if (
        scope.mentor
        and within_mentor_grace(case, today)
        and mentor_assignments(scope.user_id, today).filter(case=case).exists()
    ):
        return Basis.MENTOR
    if _active_grants(scope.user_id).filter(case=case).exists():
        return Basis.BREAK_GLASS
    return None


def check_person_rules(*, user_id: int, person_id: int, today: date | None = None) -> None:
    """Raise AccessRuleDenied if the person's exclusion or restriction list bars the user."""
    day = today or timezone.localdate()
    rules: list[PersonAccessRule] = request_cached(
        ("person_rules", person_id, day),
        lambda: list(PersonAccessRule.objects.in_force(day).filter(person_id=person_id)),
    )
    for rule in rules:
        if rule.kind == AccessRuleKind.EXCLUSION and rule.user_id == user_id:
            raise AccessRuleDenied(rule.message or _("You are barred from this person's cases."))
    restrictions = [r for r in rules if r.kind == AccessRuleKind.RESTRICTION]
    if restrictions and all(r.user_id != user_id for r in restrictions):
        message = next((r.message for r in restrictions if r.message), "")
        raise AccessRuleDenied(message or _("Access to this person is restricted to named users."))


def case_access(user: User, case: Case) -> CaseAccess | None:
    """Return what ``user`` may see of ``case``, or None if it is outside their scope."""
    scope = scope_for(user)
    if not scope.has(Capability.VIEW_CASES) and not scope.has(Capability.BREAK_GLASS):
        return None
    today = timezone.localdate()
    basis = request_cached(
        ("case_basis", scope.user_id, case.pk, case.responsible_unit_id, case.track,
         case.institution_id, today),
        lambda: _basis_for(scope, case, today),
    )  # fmt: skip
    if basis is None:
        return None
    check_person_rules(user_id=scope.user_id, person_id=case.person_id, today=today)
    return CaseAccess(case=case, basis=basis, parts=BASIS_PARTS[basis])


def get_case_for(user: User, reference: str, *, part: Part = Part.SUMMARY) -> CaseAccess:
    """Fetch a case and authorise ``part``: 404 for missing, not yours, or a part not yours."""
    case = (
        Case.objects.select_related(
            "person", "person__gang_group", "responsible_unit", "institution"
        )
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    access = case_access(user, case)
    if access is None or part not in access.parts:
        raise Http404
    return access


def _in_own_scope(scope: Scope, case: Case) -> bool:
    """Return True if the case is reached through the user's unit, custody or national scope."""
    if scope.national or case.responsible_unit_id in scope.unit_ids:
        return True
    return case.track == Track.CUSTODY and (
        scope.custody_all or case.institution_id in scope.custody_institution_ids
    )


def break_glass_case_ids(user: User, cases: Iterable[Case]) -> set[int]:
    """Return the ids of ``cases`` the user sees only through break-the-glass.

    Runs at most two queries whatever the number of cases, and none when all
    are in the user's own scope.
    """
    scope = scope_for(user)
    outside = [case.pk for case in cases if not _in_own_scope(scope, case)]
    if not outside:
        return set()
    today = timezone.localdate()
    granted = set(
        _active_grants(user.pk).filter(case_id__in=outside).values_list("case_id", flat=True)
    )
    if not granted or not scope.mentor:
        return granted
    mentored = (
        mentor_assignments(user.pk, today)
        .filter(case_id__in=sorted(granted))
        .values_list("case_id", flat=True)
    )
    return granted - set(mentored)


def access_entries(user: User, cases: list[Case]) -> list[tuple[int | None, int | None, bool]]:
    """Return one ``(person_id, case_id, break_glass)`` access-log entry per person."""
    via_glass = break_glass_case_ids(user, cases)
    seen: dict[int, tuple[int | None, int | None, bool]] = {}
    for case in cases:
        if case.person_id not in seen:
            seen[case.person_id] = (case.person_id, case.pk, case.pk in via_glass)
    return list(seen.values())


def active_grant(user: User, case: Case) -> BreakGlassGrant | None:
    """Return the user's break-glass grant on ``case`` that is in force, latest first."""
    return _active_grants(user.pk).filter(case=case).order_by("-expires_at").first()
