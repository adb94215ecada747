"""Reads for the auditor's pages: the audit trail, the access log and the break-glass queue.

The auditor sees who did what and when, with cases named by reference and
persons by their public UUID. Person names, CPR numbers, addresses and other
case content are never shown here: an auditor who needs them breaks the glass
like anyone else. Every list uses keyset pagination (no COUNT of the table) and
a fixed number of queries per page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.models import User
from vejud.audit.models import AccessLog, AuditEvent
from vejud.cases.models import BreakGlassGrant, Case
from vejud.people.models import Person

PAGE_SIZE = 50

T = TypeVar("T")

CASE_REFERENCE = re.compile(r"^EX-\d{4}-\d{5}$")

# What the auditor sees of recorded changes. Values that are codes, numbers,
# dates, references or fingerprints are shown; free text (names, notes, grounds)
# is case content and shows only as "(hidden)". On person records only the
# fields named here show their values at all.
PERSON_DATA_PREFIX = "people."
PERSON_DATA_VISIBLE_FIELDS = frozenset(
    {
        "id",
        "person",
        "user",
        "user_id",
        "case",
        "address",  # recorded as a fingerprint
        "kind",
        "valid_from",
        "valid_to",
        "cpr_protection",
        "protection_requested_on",
        "protection_confirmed_on",
        "protection_lifted_on",
        "created_at",
        "updated_at",
        "added_at",
    }
)
FINGERPRINT = re.compile(r"^\[protected:[0-9a-f]{1,64}\]$")
SHOWN_TEXT = re.compile(
    r"^(?:[a-z0-9_.:-]{1,60}"  # codes: status, track, kind
    r"|EX-\d{4}-\d{5}"  # case references
    r"|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)$"  # dates and times
)
HIDDEN = _("(hidden)")


@dataclass(frozen=True)
class Subject:
    """A person or a case the auditor searches by; exactly one id is set."""

    person_id: int | None = None
    case_id: int | None = None


def subject_resolve(text: str) -> Subject | None:
    """Return the person (public UUID) or case (reference) named by ``text``, or None."""
    text = text.strip()
    if CASE_REFERENCE.match(text.upper()):
        case_id = Case.objects.filter(reference=text.upper()).values_list("pk", flat=True).first()
        return Subject(case_id=case_id) if case_id is not None else None
    try:
        public_id = uuid.UUID(text)
    except ValueError:
        return None
    person_id = Person.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    return Subject(person_id=person_id) if person_id is not None else None


def user_id_for_email(email: str) -> int | None:
    """Return the id of the user with this e-mail address, or None."""
    return User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()


def day_start(day: date) -> datetime:
    """Return midnight at the start of ``day`` in the project's time zone (Europe/Copenhagen)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; cursors are the key of the edge rows."""

    rows: list[T]
    previous_cursor: int | None  # pass as ``before`` for the page before this one
    next_cursor: int | None  # pass as ``after`` for the page after this one


def _keyset_page(
    qs: QuerySet[Any],
    key: str,
    *,
    after: int | None,
    before: int | None,
    size: int,
    descending: bool = True,
) -> tuple[list[Any], int | None, int | None]:
    """Return one page ordered by ``key`` plus the cursors for its neighbours.

    ``after`` continues in list order past a key; ``before`` goes back towards
    the start. One query either way: the extra row only tells whether more exist.
    """
    forward_lookup, back_lookup = ("lt", "gt") if descending else ("gt", "lt")
    forward_order, back_order = (f"-{key}", key) if descending else (key, f"-{key}")
    if before is not None:
        rows = list(qs.filter(**{f"{key}__{back_lookup}": before}).order_by(back_order)[: size + 1])
        more_back = len(rows) > size
        rows = rows[:size][::-1]
        prev_cursor = getattr(rows[0], key) if rows and more_back else None
        next_cursor = getattr(rows[-1], key) if rows else None
        return rows, prev_cursor, next_cursor
    if after is not None:
        qs = qs.filter(**{f"{key}__{forward_lookup}": after})
    rows = list(qs.order_by(forward_order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    prev_cursor = getattr(rows[0], key) if rows and after is not None else None
    next_cursor = getattr(rows[-1], key) if rows and more else None
    return rows, prev_cursor, next_cursor


def _labels(
    person_ids: Iterable[int | None], case_ids: Iterable[int | None]
) -> tuple[dict[int, str], dict[int, str]]:
    """Return person UUIDs and case references for the ids on a page (two queries at most)."""
    pids = {pid for pid in person_ids if pid is not None}
    cids = {cid for cid in case_ids if cid is not None}
    persons = (
        {
            pk: str(public_id)
            for pk, public_id in Person.objects.filter(pk__in=pids).values_list("pk", "public_id")
        }
        if pids
        else {}
    )
    cases = dict(Case.objects.filter(pk__in=cids).values_list("pk", "reference")) if cids else {}
    return persons, cases


def _time_range(qs: QuerySet[Any], date_from: date | None, date_to: date | None) -> QuerySet[Any]:
    if date_from is not None:
        qs = qs.filter(at__gte=day_start(date_from))
    if date_to is not None:
        qs = qs.filter(at__lt=day_start(date_to + timedelta(days=1)))
    return qs


def _subject_filter(subject: Subject | None) -> Q:
    if subject is None:
        return Q()
    if subject.person_id is not None:
        return Q(person_id=subject.person_id)
    return Q(case_id=subject.case_id)


@dataclass(frozen=True)
class Change:
    """One changed field as the auditor sees it."""

    field: str
    old: Any = None
    new: Any = None
    is_diff: bool = False


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime
    actor_label: str
    action: str
    object_label: str
    person_uuid: str | None
    case_reference: str | None
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


def _shown(value: Any, *, visible: bool) -> Any:
    """Return ``value`` if the auditor may see it, else the "(hidden)" marker."""
    if value is None or value == "":
        return value
    if isinstance(value, str) and FINGERPRINT.match(value):
        return value
    if not visible:
        return HIDDEN
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and SHOWN_TEXT.match(value):
        return value
    return HIDDEN


def changes_for_auditor(object_type: str, changes: Any) -> list[Change]:
    """Return the recorded changes with names, free text and other case content hidden."""
    if not isinstance(changes, Mapping):
        return [Change(field="", new=_shown(changes, visible=False))]
    person_data = object_type.startswith(PERSON_DATA_PREFIX)
    result = []
    for name in sorted(changes):
        value = changes[name]
        visible = not person_data or name in PERSON_DATA_VISIBLE_FIELDS
        if isinstance(value, list) and len(value) == 2:
            result.append(
                Change(
                    field=name,
                    old=_shown(value[0], visible=visible),
                    new=_shown(value[1], visible=visible),
                    is_diff=True,
                )
            )
        else:
            result.append(Change(field=name, new=_shown(value, visible=visible)))
    return result


def audit_events_search(
    *,
    subject: Subject | None = None,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> Page[EventRow]:
    """Return one page of audit events, newest first, matching the filters."""
    qs = AuditEvent.objects.filter(_subject_filter(subject))
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action__startswith=action.strip())
    return _search_page(
        qs, "seq", _event_row, dates=(date_from, date_to), after=after, before=before, size=size
    )


def _event_row(e: AuditEvent, person_uuid: str | None, case_reference: str | None) -> EventRow:
    return EventRow(
        seq=e.seq,
        at=e.at,
        actor_label=e.actor_label,
        action=e.action,
        object_label=f"{e.object_type}:{e.object_id}",
        person_uuid=person_uuid,
        case_reference=case_reference,
        changes=changes_for_auditor(e.object_type, e.changes),
        reason=e.reason,
    )


def _search_page(
    qs: QuerySet[Any],
    key: str,
    row: Callable[[Any, str | None, str | None], T],
    *,
    dates: tuple[date | None, date | None],
    after: int | None,
    before: int | None,
    size: int,
) -> Page[T]:
    """One keyset page of ``qs`` in the date range; ``row`` makes each row with the record's
    person id and case reference (looked up for the whole page at once)."""
    qs = _time_range(qs, *dates)
    items, previous_cursor, next_cursor = _keyset_page(
        qs, key, after=after, before=before, size=size
    )
    persons, cases = _labels((i.person_id for i in items), (i.case_id for i in items))
    rows = [
        row(
            item,
            persons.get(item.person_id) if item.person_id is not None else None,
            cases.get(item.case_id) if item.case_id is not None else None,
        )
        for item in items
    ]
    return Page(rows=rows, previous_cursor=previous_cursor, next_cursor=next_cursor)


@dataclass(frozen=True)
class AccessRow:
    id: int
    at: datetime
    user_label: str
    person_uuid: str | None
    case_reference: str | None
    part: str
    channel: str
    break_glass: bool
    reason: str
    ip_address: str | None


def _user_label(user: Model | None) -> str:
    if user is None:
        return "?"
    return f"{getattr(user, 'full_name', '')} <{getattr(user, 'email', '')}>"


def access_log_search(
    *,
    subject: Subject | None = None,
    user_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    break_glass_only: bool = False,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> Page[AccessRow]:
    """Return one page of access-log records, newest first, matching the filters."""
    # Keyed on id: records are only appended, so id order is the order they were written.
    qs = AccessLog.objects.select_related("user").filter(_subject_filter(subject))
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if break_glass_only:
        qs = qs.filter(break_glass=True)
    return _search_page(
        qs, "id", _access_row, dates=(date_from, date_to), after=after, before=before, size=size
    )


def _access_row(a: AccessLog, person_uuid: str | None, case_reference: str | None) -> AccessRow:
    return AccessRow(
        id=a.pk,
        at=a.at,
        user_label=_user_label(a.user),
        person_uuid=person_uuid,
        case_reference=case_reference,
        part=a.part,
        channel=a.channel,
        break_glass=a.break_glass,
        reason=a.reason,
        ip_address=a.ip_address,
    )


def break_glass_grants(
    *, reviewed: bool, after: int | None = None, before: int | None = None, size: int = PAGE_SIZE
) -> Page[BreakGlassGrant]:
    """Return break-glass grants: the unreviewed queue oldest first, or the reviewed newest first."""
    qs = BreakGlassGrant.objects.select_related("user", "case", "reviewed_by").filter(
        reviewed_at__isnull=not reviewed
    )
    # The case is loaded for its reference only: nothing else of it reaches the page.
    qs = qs.only(
        "id",
        "reason",
        "granted_at",
        "expires_at",
        "reviewed_at",
        "review_note",
        "user__id",
        "user__email",
        "user__full_name",
        "case__id",
        "case__reference",
        "reviewed_by__id",
        "reviewed_by__email",
        "reviewed_by__full_name",
    )
    grants, previous_cursor, next_cursor = _keyset_page(
        qs, "id", after=after, before=before, size=size, descending=reviewed
    )
    return Page(rows=grants, previous_cursor=previous_cursor, next_cursor=next_cursor)


def break_glass_grant_unreviewed(grant_id: int) -> BreakGlassGrant | None:
    """Return the grant awaiting review with this id, or None."""
    return BreakGlassGrant.objects.filter(pk=grant_id, reviewed_at__isnull=True).first()
