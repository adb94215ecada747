"""Synthetic demo data: reference data, staff for every role, persons and cases.

No real person is in it. Names are drawn from short lists of common Danish
names, CPR numbers are generated (a valid format that python-stdnum accepts,
deliberately failing the old modulus-11 check so they are unlikely to be anyone's
real number), and the one protected address is invented. Every case's first
journal note says the data is synthetic.

Demo users share one published password and have a TOTP secret derived from
their e-mail address, so a person or a script can log in. That is why
``seed_demo`` runs only with DEBUG on (or under the test runner).

All writes to person and case data go through the real services, inside audit
scopes, so the demo's audit trail verifies like a real one.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.dk import cpr as stdnum_cpr

from vejud.accounts.models import Membership, Role, User
from vejud.audit.services import audit_record, audited
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.services import break_glass_open, case_open, journal_add, mentor_assign
from vejud.organisations.models import Agency, Unit, UnitKind
from vejud.organisations.services import reference_load
from vejud.people.models import (
    AccessRuleKind,
    AddressProtectionStatus,
    Attachment,
    GangGroup,
    Person,
)
from vejud.people.services import person_access_rule_add, person_create, protected_address_set

DEMO_DOMAIN = "demo.vejud.dk"
DEMO_PASSWORD = "vejud-demo-adgang"  # noqa: S105 - published on purpose (demo only)
DEMO_URL = "http://127.0.0.1:8000/"
TOTP_HOW_TO = (
    '.venv/bin/python -c "import base64,sys; from django_otp.oath import totp; '
    "print('%06d' % totp(base64.b32decode(sys.argv[1])))\" SECRET"
)
CASES_PER_TRANSACTION = 1000
# Units whose first case carries a special feature (see _add_special_cases).
SPECIAL_UNITS = ("exit-koebenhavn", "exit-oestjylland", "exit-fyn", "exit-nordjylland")
MIN_CASES = 10

FIRST_NAMES = (
    "Ahmad",
    "Ali",
    "Anders",
    "Benjamin",
    "Bilal",
    "Christian",
    "Daniel",
    "Emil",
    "Frederik",
    "Hassan",
    "Jakob",
    "Jonas",
    "Kasper",
    "Lars",
    "Lucas",
    "Mads",
    "Magnus",
    "Martin",
    "Mathias",
    "Mikkel",
    "Mohammed",
    "Morten",
    "Nicolai",
    "Niklas",
    "Oliver",
    "Omar",
    "Patrick",
    "Peter",
    "Rasmus",
    "Sebastian",
    "Simon",
    "Søren",
    "Thomas",
    "Tobias",
    "Yusuf",
    "Anna",
    "Camilla",
    "Ida",
    "Louise",
    "Sara",
)
LAST_NAMES = (
    "Andersen",
    "Ahmadi",
    "Christensen",
    "Dahl",
    "Frandsen",
    "Hansen",
    "Holm",
    "Iversen",
    "Jakobsen",
    "Jensen",
    "Johansen",
    "Jørgensen",
    "Karimi",
    "Kristensen",
    "Larsen",
    "Lund",
    "Madsen",
    "Mikkelsen",
    "Mortensen",
    "Møller",
    "Nielsen",
    "Olsen",
    "Pedersen",
    "Petersen",
    "Poulsen",
    "Rasmussen",
    "Schmidt",
    "Sørensen",
    "Thomsen",
    "Yilmaz",
)
GANG_ROLES = ("Hangaround", "Prøvemedlem", "Fuldgyldigt medlem", "Sympatisør", "Løst tilknyttet")
THREAT_NOTE = "Trusler fra den tidligere gruppe (syntetiske demodata)."
FIRST_NOTE = "Henvendelse modtaget og sagen oprettet. (Syntetiske demodata: ingen rigtig person.)"
NOTES = (
    "Første møde holdt med personen, kommunen og politiet. Samtykkeerklæringen er gennemgået.",
    "Personen fortæller, at han vil ud af miljøet, efter at han er blevet far.",
    "Visitationssamtale: motivation og ønsker om hjælp til bolig og job drøftet.",
    "Kontakt til jobcentret etableret; møde aftalt i næste uge.",
    "Personen udeblev fra det aftalte møde. Ny tid aftalt pr. telefon.",
    "Sikkerheden drøftet med politiet; ingen aktuelle trusler kendt.",
    "Mentor har holdt møde med personen. God kontakt.",
    "Status på misbrugsbehandling: personen møder stabilt op.",
    "Personen har fået tilbud om uddannelsesforløb.",
    "Familien er inddraget efter personens ønske.",
)

# Status of ordinary cases and of earlier, ended attempts (weights sum to 100).
STATUS_WEIGHTS: tuple[tuple[CaseStatus, int], ...] = (
    (CaseStatus.INQUIRY, 12),
    (CaseStatus.ASSESSMENT, 18),
    (CaseStatus.REFUSED, 5),
    (CaseStatus.REFERRED, 4),
    (CaseStatus.ADMITTED, 35),
    (CaseStatus.REFUSAL_UPHELD, 4),
    (CaseStatus.WITHDRAWN, 6),
    (CaseStatus.DROPPED, 9),
    (CaseStatus.CLOSED, 7),
)
EARLIER_STATUS_WEIGHTS: tuple[tuple[CaseStatus, int], ...] = (
    (CaseStatus.DROPPED, 40),
    (CaseStatus.WITHDRAWN, 25),
    (CaseStatus.CLOSED, 25),
    (CaseStatus.REFUSAL_UPHELD, 10),
)
ENDED = frozenset(
    {CaseStatus.REFUSAL_UPHELD, CaseStatus.WITHDRAWN, CaseStatus.DROPPED, CaseStatus.CLOSED}
)
# How long ago a case in this status was opened (days, inclusive range).
OPENED_DAYS_AGO: dict[CaseStatus, tuple[int, int]] = {
    CaseStatus.INQUIRY: (0, 45),
    CaseStatus.ASSESSMENT: (10, 120),
    CaseStatus.REFUSED: (30, 200),
    CaseStatus.REFERRED: (30, 200),
    CaseStatus.ADMITTED: (60, 900),
}
# Busier districts get more cases; the rest weigh 2.
UNIT_WEIGHTS = {
    "exit-koebenhavn": 8,
    "exit-koebenhavns-vestegn": 5,
    "exit-oestjylland": 4,
    "exit-fyn": 4,
    "exit-nordsjaelland": 3,
    "exit-bornholm": 1,
}
CUSTODY_INSTITUTIONS = (
    "enner-mark", "storstroem", "nyborg", "herstedvester", "koebenhavns-faengsler",
    "vestre-faengsel", "arrest-aarhus", "arrest-odense", "arrest-aalborg", "renbaek",
    "soender-omme", "jyderup",
)  # fmt: skip


@dataclass(frozen=True)
class StaffSpec:
    email: str
    full_name: str
    unit_code: str
    role: Role
    agency: Agency


@dataclass(frozen=True)
class DemoLogin:
    """What a person or script needs to log in as a demo user."""

    email: str
    role: str
    unit: str
    totp_secret: str


@dataclass
class DemoResult:
    created: bool
    logins: list[DemoLogin]
    persons: int = 0
    cases: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _CaseSpec:
    unit: Unit
    actor: User
    track: str
    institution: Unit | None
    status: CaseStatus
    opened_on: date
    closed_on: date | None
    person_key: int
    earlier: _CaseSpec | None = None
    case: Case | None = None


def totp_key_for(email: str) -> bytes:
    """Return the demo TOTP secret of ``email`` (public by design: demo users only)."""
    return hashlib.sha256(f"vejud-demo-totp:{email.lower()}".encode()).digest()[:20]


def totp_secret_base32(email: str) -> str:
    """Return the demo TOTP secret as an authenticator app takes it (base32)."""
    return base64.b32encode(totp_key_for(email)).decode("ascii")


def staff_specs() -> list[StaffSpec]:
    """Return the demo staff: every role, in every unit where the role belongs."""
    names = _name_stream(random.Random(7))
    specs: list[StaffSpec] = []

    def add(local: str, unit_code: str, role: Role, agency: Agency) -> None:
        specs.append(StaffSpec(f"{local}@{DEMO_DOMAIN}", next(names), unit_code, role, agency))

    national = (
        ("adviser", Role.NATIONAL_ADVISER),
        ("decision-maker", Role.NATIONAL_DECISION_MAKER),
        ("head", Role.NATIONAL_HEAD),
        ("analyst", Role.ANALYST),
        ("admin", Role.SYSTEM_ADMINISTRATOR),
        ("auditor", Role.AUDITOR),
    )
    for local, role in national:
        add(local, "nec", role, Agency.NATIONAL)
    for unit in Unit.objects.filter(kind=UnitKind.LOCAL, code__startswith="exit-").order_by("code"):
        short = unit.code.removeprefix("exit-")
        add(f"coordinator.{short}", unit.code, Role.UNIT_COORDINATOR, Agency.POLICE)
        add(f"member.{short}", unit.code, Role.UNIT_MEMBER, Agency.MUNICIPALITY)
    add("mentor.koebenhavn", "exit-koebenhavn", Role.MENTOR, Agency.MUNICIPALITY)
    add("mentor.oestjylland", "exit-oestjylland", Role.MENTOR, Agency.MUNICIPALITY)
    add("coordinator.kk-exit", "kk-exit", Role.UNIT_COORDINATOR, Agency.MUNICIPALITY)
    add("member.kk-exit", "kk-exit", Role.UNIT_MEMBER, Agency.MUNICIPALITY)
    add("custody.dfk", "dfk", Role.CUSTODY_STAFF, Agency.KRIMINALFORSORGEN)
    for code in ("enner-mark", "koebenhavns-faengsler", "nyborg"):
        add(f"custody.{code}", code, Role.CUSTODY_STAFF, Agency.KRIMINALFORSORGEN)
    return specs


def seed_demo(*, cases: int = 300, seed: int = 1) -> DemoResult:
    """Create the demo dataset once; on later runs only make sure staff and logins exist."""
    if not (settings.DEBUG or settings.TESTING):
        raise RuntimeError(
            "The demo data has a published password: it is never seeded with DEBUG off."
        )
    reference_load(missing_only=True)
    staff = _ensure_staff()
    result = DemoResult(created=False, logins=demo_logins())
    if Case.objects.exists():
        result.notes.append("Cases exist already: no demo cases added.")
        return result
    rng = random.Random(seed)
    specs = _case_specs(rng, staff, max(cases, MIN_CASES))
    persons = _create_cases(rng, specs)
    _set_statuses(specs)
    result.notes.extend(_add_special_cases(specs, staff))
    result.created = True
    result.persons = persons
    result.cases = len(specs)
    return result


def demo_logins() -> list[DemoLogin]:
    """Return the login of every demo user, national staff first."""
    memberships = Membership.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").select_related(
        "user", "unit"
    )
    kind_order = {kind: i for i, kind in enumerate(UnitKind.values)}
    role_order = {role: i for i, role in enumerate(Role.values)}
    ordered = sorted(
        memberships,
        key=lambda m: (kind_order[m.unit.kind], m.unit.name, role_order[m.role], m.user.email),
    )
    return [
        DemoLogin(m.user.email, m.get_role_display(), m.unit.name, totp_secret_base32(m.user.email))
        for m in ordered
    ]


def _name_stream(rng: random.Random) -> Iterator[str]:
    used: set[str] = set()
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in used:
            used.add(name)
            yield name


def _ensure_staff() -> dict[str, User]:
    """Create (or find) every demo user with membership and confirmed TOTP device."""
    units = {u.code: u for u in Unit.objects.all()}
    password = make_password(DEMO_PASSWORD)
    staff: dict[str, User] = {}
    for spec in staff_specs():
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User(
                email=spec.email,
                full_name=spec.full_name,
                password=password,
                is_staff=spec.role == Role.SYSTEM_ADMINISTRATOR,
            )
            user.save()
        Membership.objects.get_or_create(
            user=user,
            unit=units[spec.unit_code],
            role=spec.role,
            defaults={"agency": spec.agency, "valid_from": date(2020, 1, 1)},
        )
        TOTPDevice.objects.get_or_create(
            user=user,
            name="demo",
            defaults={"key": totp_key_for(spec.email).hex(), "confirmed": True},
        )
        staff[spec.email.split("@")[0]] = user
    return staff


def synthetic_cpr(birth_date: date, rng: random.Random, taken: set[str]) -> str:
    """Return an unused CPR number for ``birth_date`` that fails the old modulus-11 check."""
    century_digits = "0123" if birth_date.year < 2000 else "49"
    while True:
        number = birth_date.strftime("%d%m%y") + rng.choice(century_digits)
        number += f"{rng.randrange(1000):03d}"
        if (
            number not in taken
            and stdnum_cpr.checksum(number) != 0
            and stdnum_cpr.get_birth_date(number) == birth_date
        ):
            stdnum_cpr.validate(number)
            taken.add(number)
            return number


def _pick(rng: random.Random, weighted: tuple[tuple[CaseStatus, int], ...]) -> CaseStatus:
    statuses, weights = zip(*weighted, strict=True)
    return rng.choices(statuses, weights=weights)[0]


def _case_specs(rng: random.Random, staff: dict[str, User], count: int) -> list[_CaseSpec]:
    """Plan ``count`` cases: units, tracks, statuses, dates; some persons have an earlier attempt."""
    today = timezone.localdate()
    units = {u.code: u for u in Unit.objects.all()}
    local_units = [
        u
        for u in units.values()
        if u.kind == UnitKind.LOCAL and f"coordinator.{u.code.removeprefix('exit-')}" in staff
    ]
    local_weights = [UNIT_WEIGHTS.get(u.code, 2) for u in local_units]
    institutions = [units[code] for code in CUSTODY_INSTITUTIONS if code in units]

    def actor_for(unit: Unit) -> User:
        if unit.kind == UnitKind.DFK:
            return staff["custody.dfk"]
        return staff[f"coordinator.{unit.code.removeprefix('exit-')}"]

    specs: list[_CaseSpec] = []
    # The special cases (protected address, access lists, break glass) need these.
    for code in SPECIAL_UNITS:
        opened = today - timedelta(days=rng.randint(200, 600))
        unit = units[code]
        specs.append(
            _CaseSpec(unit, actor_for(unit), Track.LIBERTY, None, CaseStatus.ADMITTED, opened, None,
                      person_key=len(specs))
        )  # fmt: skip
    while len(specs) < count:
        roll = rng.random()
        if roll < 0.75:
            unit = rng.choices(local_units, weights=local_weights)[0]
        elif roll < 0.80:
            unit = units["kk-exit"]
        else:
            unit = units["dfk"]
        custody = unit.kind == UnitKind.DFK
        institution = rng.choice(institutions) if custody else None
        track = Track.CUSTODY if custody else Track.LIBERTY
        status = _pick(rng, STATUS_WEIGHTS)
        person_key = len(specs)
        earlier = None
        if rng.random() < 0.1 and len(specs) + 2 <= count:
            earlier_opened = today - timedelta(days=rng.randint(1100, 2000))
            earlier_closed = earlier_opened + timedelta(days=rng.randint(20, 300))
            earlier = _CaseSpec(
                unit, actor_for(unit), track, institution, _pick(rng, EARLIER_STATUS_WEIGHTS),
                earlier_opened, earlier_closed, person_key,
            )  # fmt: skip
            specs.append(earlier)
            opened = min(today, earlier_closed + timedelta(days=rng.randint(60, 700)))
        else:
            low, high = OPENED_DAYS_AGO.get(status, (30, 1000))
            opened = today - timedelta(days=rng.randint(low, high))
        closed = None
        if status in ENDED:
            closed = min(today, opened + timedelta(days=rng.randint(10, 400)))
        specs.append(
            _CaseSpec(unit, actor_for(unit), track, institution, status, opened, closed,
                      person_key, earlier)
        )  # fmt: skip
    # References are handed out in order, so open the cases in date order.
    return sorted(specs, key=lambda s: s.opened_on)


def _chunks(items: list[_CaseSpec], size: int) -> Iterator[list[_CaseSpec]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create_cases(rng: random.Random, specs: list[_CaseSpec]) -> int:
    """Register the persons and open the cases through the services; return the person count."""
    groups = list(GangGroup.objects.filter(is_active=True))
    attachments = list(Attachment.values)
    taken: set[str] = set()
    persons: dict[int, Person] = {}
    today = timezone.localdate()
    for chunk in _chunks(specs, CASES_PER_TRANSACTION):
        with audited():
            for spec in chunk:
                person = persons.get(spec.person_key)
                if person is None:
                    birth = today - timedelta(days=rng.randint(19 * 365, 48 * 365))
                    if (birth.day, birth.month) == (1, 1):
                        birth += timedelta(days=1)
                    person = person_create(
                        actor=spec.actor,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        cpr=synthetic_cpr(birth, rng, taken),
                        gang_group=rng.choice(groups) if groups else None,
                        gang_role=rng.choice(GANG_ROLES),
                        gang_since=birth + timedelta(days=rng.randint(15 * 365, 18 * 365)),
                        attachment=rng.choice(attachments),
                        threat_notes=THREAT_NOTE if rng.random() < 0.15 else "",
                    )
                    persons[spec.person_key] = person
                spec.case = case_open(
                    actor=spec.actor,
                    person=person,
                    unit=spec.unit,
                    track=spec.track,
                    institution=spec.institution,
                    opened_on=spec.opened_on,
                    previous_case=spec.earlier.case if spec.earlier is not None else None,
                )
                journal_add(actor=spec.actor, case=spec.case, text=FIRST_NOTE)
                for text in rng.sample(NOTES, k=rng.randint(0, 2)):
                    journal_add(actor=spec.actor, case=spec.case, text=text)
    return len(persons)


def _set_statuses(specs: list[_CaseSpec]) -> None:
    """Put the cases in their planned status: the demo's shortcut past the state machine."""
    for chunk in _chunks(specs, CASES_PER_TRANSACTION):
        changed = [(s, s.case) for s in chunk if s.case is not None and s.case.status != s.status]
        if not changed:
            continue
        with audited():
            for spec, case in changed:
                audit_record(
                    actor=None,
                    action="demo.seed_status",
                    obj=case,
                    changes={"status": [case.status, spec.status], "closed_on": spec.closed_on},
                    reason="Synthetic demo data",
                    person_id=case.person_id,
                    case_id=case.pk,
                )
                case.status = spec.status
                case.closed_on = spec.closed_on
            Case.objects.bulk_update([case for _spec, case in changed], ["status", "closed_on"])


def _special(specs: list[_CaseSpec], unit_code: str) -> Case:
    case = next(
        s.case for s in specs if s.unit.code == unit_code and s.person_key < len(SPECIAL_UNITS)
    )
    assert case is not None
    return case


def _add_special_cases(specs: list[_CaseSpec], staff: dict[str, User]) -> list[str]:
    """Add the protected address, the access lists, mentors and a break-glass grant."""
    notes: list[str] = []
    koebenhavn, oestjylland, fyn, nordjylland = (_special(specs, code) for code in SPECIAL_UNITS)

    coordinator = staff["coordinator.koebenhavn"]
    protected_address_set(
        actor=coordinator,
        person=koebenhavn.person,
        case=koebenhavn,
        address="Fiktivvej 7, 2. th., 9999 Demoby",
        cpr_protection=AddressProtectionStatus.CONFIRMED,
        requested_on=koebenhavn.opened_on + timedelta(days=10),
        confirmed_on=koebenhavn.opened_on + timedelta(days=20),
        reason="Personen er flyttet efter trusler (syntetiske demodata).",
    )
    notes.append(f"Protected address: {koebenhavn.reference} (custodian {coordinator.email})")

    for name in ("coordinator.oestjylland", "member.oestjylland"):
        person_access_rule_add(
            actor=staff["coordinator.oestjylland"],
            person=oestjylland.person,
            kind=AccessRuleKind.RESTRICTION,
            user=staff[name],
            message="Adgang kun for de navngivne medarbejdere i Østjylland.",
        )
    notes.append(f"Restriction list: {oestjylland.reference} (coordinator and member, Østjylland)")

    person_access_rule_add(
        actor=staff["coordinator.fyn"],
        person=fyn.person,
        kind=AccessRuleKind.EXCLUSION,
        user=staff["member.fyn"],
        message="Du er inhabil i denne sag.",
    )
    notes.append(f"Exclusion list: {fyn.reference} (bars member.fyn)")

    mentors = {
        "exit-koebenhavn": staff["mentor.koebenhavn"],
        "exit-oestjylland": staff["mentor.oestjylland"],
    }
    with audited():
        for spec in specs:
            mentor = mentors.get(spec.unit.code)
            if (
                mentor is not None
                and spec.case is not None
                and spec.status == CaseStatus.ADMITTED
                and spec.case != oestjylland
            ):
                mentor_assign(actor=spec.actor, case=spec.case, mentor=mentor)

    grant = break_glass_open(
        actor=staff["member.fyn"],
        reference=nordjylland.reference,
        reason="Akut henvendelse uden for kontortid; sagen skal ses nu (demo).",
    )
    notes.append(f"Break-glass grant: member.fyn on {grant.case.reference} (awaits review)")
    return notes
