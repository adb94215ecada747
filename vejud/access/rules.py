"""The need-to-know rules: who may do what, and which parts of a case they may see.

This module is the one place where roles turn into permissions. Pages, the API,
search, exports and PDFs ask it (through ``vejud.access.cases``); nothing else
checks ``membership.role`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.models import NATIONAL_ROLES, UNIT_ROLES, Membership, Role, User
from vejud.organisations.models import UnitKind
from vejud.training.models import Completion, Course


class Part(StrEnum):
    """A part of a case; each is granted separately so a mentor sees only what a mentor needs."""

    SUMMARY = "summary"  # reference, status, track, unit, dates
    IDENTITY = "identity"  # name, date of birth, phone
    CPR = "cpr"
    GANG = "gang"  # group, role, since, attachment
    THREATS = "threats"
    JOURNAL = "journal"
    PROTECTED_ADDRESS = "protected_address"  # additionally requires being a named custodian
    ACCESS_RULES = "access_rules"  # the person's exclusion and restriction lists
    MENTOR_VIEW = "mentor_view"  # the plan, offers and own meeting log (exit course)
    GRANTS = "grants"  # applications to the central pool for the case, and their payments


CASEWORK_PARTS = frozenset(
    {
        Part.SUMMARY,
        Part.IDENTITY,
        Part.CPR,
        Part.GANG,
        Part.THREATS,
        Part.JOURNAL,
        Part.PROTECTED_ADDRESS,
        Part.ACCESS_RULES,
        Part.MENTOR_VIEW,
        Part.GRANTS,
    }
)
MENTOR_PARTS = frozenset({Part.SUMMARY, Part.IDENTITY, Part.MENTOR_VIEW})


class Basis(StrEnum):
    """Why a user may see a case."""

    NATIONAL = "national"
    UNIT = "unit"
    CUSTODY = "custody"
    MENTOR = "mentor"
    BREAK_GLASS = "break_glass"


BASIS_PARTS: dict[Basis, frozenset[Part]] = {
    Basis.NATIONAL: CASEWORK_PARTS,
    Basis.UNIT: CASEWORK_PARTS,
    Basis.CUSTODY: CASEWORK_PARTS,
    Basis.BREAK_GLASS: CASEWORK_PARTS,
    Basis.MENTOR: MENTOR_PARTS,
}


class Capability(StrEnum):
    """Role-level permissions, independent of any one case."""

    VIEW_CASES = "view_cases"
    WRITE_JOURNAL = "write_journal"
    BREAK_GLASS = "break_glass"
    MANAGE_PERSON_ACCESS = "manage_person_access"
    VIEW_AUDIT = "view_audit"
    REVIEW_BREAK_GLASS = "review_break_glass"
    VIEW_STATISTICS = "view_statistics"
    ADMINISTER = "administer"
    USE_API = "use_api"
    VIEW_GRANTS = "view_grants"  # applications to the central pool on one's own cases
    APPLY_GRANTS = "apply_grants"
    DECIDE_GRANTS = "decide_grants"
    MANAGE_POOL = "manage_pool"  # budgets, guidelines, payments and releases
    VIEW_POOL = "view_pool"  # the pool's aggregate overview and year-end reports
    LINK_INQUIRIES = "link_inquiries"  # link an inquiry to a possible existing person of one's unit
    GRANT_CASE_ROLES = "grant_case_roles"  # request and approve (four eyes) case-access roles
    REVIEW_ROLE_GRANTS = "review_role_grants"  # the auditor's queue of case-access grants
    TAKE_TRAINING = "take_training"  # the training catalogue, one's own registrations
    REGISTER_STAFF = "register_staff"  # register others for training (unit's staff, or anyone)
    MANAGE_TRAINING = "manage_training"  # sessions, attendance and every registration
    VIEW_TRAINING_COVERAGE = "view_training_coverage"  # who is trained (analysts: counts only)
    SUBJECT_ACCESS = "subject_access"  # export everything held on a person (GDPR art. 15)
    HOLD_RECORDS = "hold_records"  # stop a person's anonymisation (legal hold, archive duty)
    ASK_ADVICE = (
        "ask_advice"  # ask the national contact point for advice (units, DfK, institutions)
    )
    GIVE_ADVICE = "give_advice"  # the national queue of advice requests
    # Record that someone left a gang on their own (no person data), for the statistics.
    RECORD_OWN_EXITS = "record_own_exits"
    # The public front door: answer the inquiries sent to one's unit, and edit the public texts.
    HANDLE_PUBLIC_INQUIRIES = "handle_public_inquiries"
    EDIT_PUBLIC_TEXTS = "edit_public_texts"
    # Case reviews: the contact point draws and reviews; the local units see and answer theirs.
    CONDUCT_REVIEWS = "conduct_reviews"
    ANSWER_REVIEWS = "answer_reviews"
    # The harmonisation dashboard: the national figures, with one's own units' beside them.
    VIEW_DASHBOARD = "view_dashboard"
    # Anonymised rows of the cases one may see, exported in the background (not the analyst).
    EXPORT_CASE_ROWS = "export_case_rows"


CASEWORK_ROLES = NATIONAL_ROLES | UNIT_ROLES | {Role.CUSTODY_STAFF}
# Staff working with exit cases: they take training and count in its coverage.
TRAINEE_ROLES = CASEWORK_ROLES | {Role.MENTOR}

CAPABILITY_ROLES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_CASES: frozenset(CASEWORK_ROLES | {Role.MENTOR}),
    Capability.WRITE_JOURNAL: frozenset(CASEWORK_ROLES),
    Capability.BREAK_GLASS: frozenset(UNIT_ROLES | {Role.CUSTODY_STAFF, Role.AUDITOR}),
    Capability.MANAGE_PERSON_ACCESS: frozenset(
        {Role.UNIT_COORDINATOR, Role.NATIONAL_HEAD, Role.NATIONAL_DECISION_MAKER}
    ),
    Capability.VIEW_AUDIT: frozenset({Role.AUDITOR}),
    Capability.REVIEW_BREAK_GLASS: frozenset({Role.AUDITOR}),
    Capability.VIEW_STATISTICS: frozenset({Role.ANALYST, *NATIONAL_ROLES}),
    Capability.ADMINISTER: frozenset({Role.SYSTEM_ADMINISTRATOR}),
    Capability.USE_API: frozenset(CASEWORK_ROLES | {Role.MENTOR, Role.ANALYST}),
    Capability.VIEW_GRANTS: frozenset(CASEWORK_ROLES),
    Capability.APPLY_GRANTS: frozenset(UNIT_ROLES | {Role.CUSTODY_STAFF}),
    Capability.DECIDE_GRANTS: frozenset({Role.NATIONAL_DECISION_MAKER}),
    Capability.MANAGE_POOL: frozenset({Role.NATIONAL_DECISION_MAKER, Role.NATIONAL_HEAD}),
    Capability.VIEW_POOL: frozenset({Role.ANALYST, *NATIONAL_ROLES}),
    Capability.LINK_INQUIRIES: frozenset({Role.UNIT_COORDINATOR, Role.NATIONAL_HEAD}),
    Capability.GRANT_CASE_ROLES: frozenset({Role.NATIONAL_HEAD, Role.SYSTEM_ADMINISTRATOR}),
    Capability.REVIEW_ROLE_GRANTS: frozenset({Role.AUDITOR}),
    Capability.TAKE_TRAINING: frozenset(TRAINEE_ROLES),
    Capability.REGISTER_STAFF: frozenset({Role.UNIT_COORDINATOR, *NATIONAL_ROLES}),
    Capability.MANAGE_TRAINING: frozenset(NATIONAL_ROLES),
    Capability.VIEW_TRAINING_COVERAGE: frozenset(
        {Role.UNIT_COORDINATOR, Role.ANALYST, *NATIONAL_ROLES}
    ),
    Capability.SUBJECT_ACCESS: frozenset(
        {Role.UNIT_COORDINATOR, Role.NATIONAL_HEAD, Role.NATIONAL_DECISION_MAKER}
    ),
    Capability.HOLD_RECORDS: frozenset(
        {Role.UNIT_COORDINATOR, Role.NATIONAL_HEAD, Role.NATIONAL_DECISION_MAKER}
    ),
    Capability.ASK_ADVICE: frozenset(UNIT_ROLES | {Role.CUSTODY_STAFF}),
    Capability.GIVE_ADVICE: frozenset(NATIONAL_ROLES),
    Capability.RECORD_OWN_EXITS: frozenset(UNIT_ROLES | NATIONAL_ROLES),
    Capability.HANDLE_PUBLIC_INQUIRIES: frozenset(CASEWORK_ROLES),
    Capability.EDIT_PUBLIC_TEXTS: frozenset(NATIONAL_ROLES),
    Capability.CONDUCT_REVIEWS: frozenset(NATIONAL_ROLES),
    Capability.ANSWER_REVIEWS: frozenset(UNIT_ROLES),
    Capability.VIEW_DASHBOARD: frozenset(UNIT_ROLES | NATIONAL_ROLES | {Role.ANALYST}),
    Capability.EXPORT_CASE_ROWS: frozenset(UNIT_ROLES | NATIONAL_ROLES),
}

# Roles that reach case content (read, or break the glass). A membership with one of these is
# granted only through a four-eyes role grant (vejud.accounts.grants), never in the admin.
CASE_ACCESS_ROLES: frozenset[Role] = frozenset(
    CAPABILITY_ROLES[Capability.VIEW_CASES] | CAPABILITY_ROLES[Capability.BREAK_GLASS]
)


def role_gives_case_access(role: str) -> bool:
    """Return True if a membership with ``role`` would reach case content."""
    return role in CASE_ACCESS_ROLES


# Roles granted only with four eyes: those that reach case content, and those that grant them
# (else one administrator could make a second administrator account and approve with it).
FOUR_EYES_ROLES: frozenset[Role] = CASE_ACCESS_ROLES | CAPABILITY_ROLES[Capability.GRANT_CASE_ROLES]


def role_needs_four_eyes(role: str) -> bool:
    """Return True if a membership with ``role`` is granted only through a four-eyes grant."""
    return role in FOUR_EYES_ROLES


@dataclass(frozen=True)
class Scope:
    """What a user's active memberships give them, computed once per request."""

    user_id: int
    roles: frozenset[Role]
    national: bool
    unit_ids: frozenset[int]
    coordinator_unit_ids: frozenset[int]
    custody_all: bool
    custody_institution_ids: frozenset[int]
    mentor: bool
    # The units whose transfers the user answers (vejud.access.transfers): the national
    # units they hold a national role in, and every unit they are custody staff of.
    national_unit_ids: frozenset[int] = frozenset()
    custody_unit_ids: frozenset[int] = frozenset()
    # Capabilities withheld for want of a valid completion of the course that
    # ``VEJUD_TRAINING_FOR_ACCESS`` names for them (course code by capability).
    untrained: tuple[tuple[Capability, str], ...] = ()

    def has(self, capability: Capability) -> bool:
        """Return True if any of the user's roles grants ``capability`` (and the training it
        requires, if any, is valid)."""
        if any(capability == withheld for withheld, _course in self.untrained):
            return False
        return bool(self.roles & CAPABILITY_ROLES[capability])

    def missing_course(self, capability: Capability) -> str | None:
        """Return the title of the course whose lack withholds ``capability``, or None."""
        return next((course for withheld, course in self.untrained if withheld == capability), None)


EMPTY_SCOPE_ROLES: frozenset[Role] = frozenset()


def scope_for(user: User | AnonymousUser) -> Scope:
    """Return the user's scope (cached on the user object for the request)."""
    cached = getattr(user, "_vejud_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(
            0, EMPTY_SCOPE_ROLES, False, frozenset(), frozenset(), False, frozenset(), False
        )
    else:
        memberships = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("unit")
            .only("role", "unit__id", "unit__kind")
        )
        roles = frozenset(Role(m.role) for m in memberships)
        national_ids = frozenset(
            m.unit_id
            for m in memberships
            if m.role in NATIONAL_ROLES and m.unit.kind == UnitKind.NATIONAL
        )
        custody = [m for m in memberships if m.role == Role.CUSTODY_STAFF]
        scope = Scope(
            user_id=user.pk,
            roles=roles,
            national=bool(national_ids),
            unit_ids=frozenset(m.unit_id for m in memberships if m.role in UNIT_ROLES),
            coordinator_unit_ids=frozenset(
                m.unit_id for m in memberships if m.role == Role.UNIT_COORDINATOR
            ),
            custody_all=any(m.unit.kind == UnitKind.DFK for m in custody),
            custody_institution_ids=frozenset(
                m.unit_id for m in custody if m.unit.kind == UnitKind.INSTITUTION
            ),
            mentor=Role.MENTOR in roles,
            national_unit_ids=national_ids,
            custody_unit_ids=frozenset(m.unit_id for m in custody),
            untrained=_untrained(user, roles),
        )
    user._vejud_scope = scope  # type: ignore[union-attr]
    return scope


def _untrained(user: User, roles: frozenset[Role]) -> tuple[tuple[Capability, str], ...]:
    """The capabilities ``VEJUD_TRAINING_FOR_ACCESS`` withholds from ``user``, with the title
    of the course each needs (no query when nothing is configured)."""
    wanted = {
        Capability(name): code
        for name, code in settings.VEJUD_TRAINING_FOR_ACCESS.items()
        if name in {c.value for c in Capability} and roles & CAPABILITY_ROLES[Capability(name)]
    }
    if not wanted:
        return ()
    today = timezone.localdate()
    valid = {
        code
        for code, until in Completion.objects.filter(
            user=user, course__code__in=sorted(set(wanted.values())), completed_on__lte=today
        ).values_list("course__code", "valid_until")
        if until is None or until >= today
    }
    titles = dict(
        Course.objects.filter(code__in=sorted(set(wanted.values()))).values_list("code", "title")
    )
    return tuple(
        (capability, titles.get(code, code))
        for capability, code in sorted(wanted.items())
        if code not in valid
    )


def require(user: User | AnonymousUser, capability: Capability) -> Scope:
    """Return the user's scope, or raise 403 if no role of theirs grants ``capability`` (or
    the training it requires is missing: the message names the course)."""
    scope = scope_for(user)
    if not scope.has(capability):
        course = scope.missing_course(capability)
        if course is not None:
            raise PermissionDenied(
                _("This needs a valid completion of the course %(course)s.") % {"course": course}
            )
        raise PermissionDenied(_("Your role does not give access to this."))
    return scope


def has_capability(user: User | AnonymousUser, capability: Capability) -> bool:
    """Return True if the user's roles grant ``capability``."""
    return scope_for(user).has(capability)


def scope_data(user: User) -> dict[str, Any]:
    """Return the user's scope as plain JSON values (a session keeps it; ``scope_restore``)."""
    scope = scope_for(user)
    return {
        "roles": sorted(scope.roles),
        "national": scope.national,
        "units": sorted(scope.unit_ids),
        "coordinator_units": sorted(scope.coordinator_unit_ids),
        "custody_all": scope.custody_all,
        "institutions": sorted(scope.custody_institution_ids),
        "mentor": scope.mentor,
        "national_units": sorted(scope.national_unit_ids),
        "custody_units": sorted(scope.custody_unit_ids),
        "untrained": [[capability.value, course] for capability, course in scope.untrained],
    }


SCOPE_DATA_KEYS = frozenset(
    {
        "roles",
        "national",
        "units",
        "coordinator_units",
        "custody_all",
        "institutions",
        "mentor",
        "national_units",
        "custody_units",
        "untrained",
    }
)


def scope_restore(user: User, data: Any) -> Scope | None:
    """Give ``user`` the scope ``scope_data`` kept, for this request (no query).

    Returns None (and gives nothing) if ``data`` is not what ``scope_data`` returns now.
    """
    if not isinstance(data, dict) or set(data) != SCOPE_DATA_KEYS:
        return None
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(Role(role) for role in data["roles"]),
        national=bool(data["national"]),
        unit_ids=frozenset(data["units"]),
        coordinator_unit_ids=frozenset(data["coordinator_units"]),
        custody_all=bool(data["custody_all"]),
        custody_institution_ids=frozenset(data["institutions"]),
        mentor=bool(data["mentor"]),
        national_unit_ids=frozenset(data["national_units"]),
        custody_unit_ids=frozenset(data["custody_units"]),
        untrained=tuple((Capability(c), str(t)) for c, t in data["untrained"]),
    )
    user._vejud_scope = scope  # type: ignore[attr-defined]
    return scope
