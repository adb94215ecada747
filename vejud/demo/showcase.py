"""Synthetic demo data: reference data, staff for every role, persons and cases.

No real person is in it. Names are drawn from short lists of common Danish
names, CPR numbers are generated (a valid format that python-stdnum accepts,
deliberately failing the old modulus-11 check so they are unlikely to be anyone's
real number), and the one protected address is invented. Every case's first
journal note says the data is synthetic.

Demo users share one published password and have a TOTP secret derived from
their e-mail address, so a person or a script can log in. That is why
``seed_demo`` (``vejud.demo.seed``) runs only with DEBUG on (or under the test runner).

Every case is driven through the real services by the demo staff, so every
status is reached through the state machine and the audit trail verifies like
a real one. A few dozen showcase cases walk every path of the exit process
(each refusal ground, referrals, every closure reason, courses on both tracks,
transfers, a release plan, early warnings, a reopened person); the rest of the
requested number are bulk cases simulated and written straight to the tables
(``vejud.demo.bulk``), with the same audit trail. The services refuse future dates but
take past ones, so inquiries, consents, course starts, meetings and reviews are
back-dated; what the services stamp "now" (transitions, decisions, closing
dates) is the day the demo is seeded.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone
from stdnum.dk import cpr as stdnum_cpr

from vejud.accounts.grants import role_grant_approve, role_grant_request
from vejud.accounts.models import AuthenticatorDevice, Membership, Role, User
from vejud.assessments.models import InstrumentBase, MotivationAssessment, SuitabilityJudgement
from vejud.assessments.services import (
    criteria_evaluate,
    criteria_in_force,
    instrument_correct,
    instrument_sign,
    motivation_save,
    programme_for_case,
    suitability_save,
    target_group_save,
)
from vejud.audit.services import audited
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.services import (
    break_glass_open,
    case_open,
    case_transition,
    journal_add,
    mentor_assign,
)
from vejud.courses.models import (
    ActionStatus,
    CaseClosure,
    ClosureReason,
    LifeArea,
    MeetingForm,
    MentorMeeting,
    OfferStatus,
    OwnerAgency,
    Party,
    PlanAction,
)
from vejud.courses.services import (
    action_add,
    action_update,
    agreement_save,
    case_close,
    case_reopen,
    goal_add,
    meeting_log,
    offer_add,
    offer_update,
)
from vejud.decisions.models import Decision, DecisionLevel, DecisionOutcome, RefusalGround
from vejud.decisions.services import (
    final_decision_record,
    information_request_answer,
    information_request_create,
    referral_create,
    unit_decision_record,
)
from vejud.followup.models import EarlyWarning, Review, RiskKind, WarningReason
from vejud.followup.services import review_record
from vejud.intake.models import (
    ConsentAgency,
    ConsentMethod,
    ConsentTopic,
    InquiryChannel,
    InquirySource,
)
from vejud.intake.services import consent_record, consent_withdraw, inquiry_register
from vejud.offers.models import OfferType
from vejud.organisations.models import Agency, Municipality, Unit, UnitKind
from vejud.outcomes.services import outcome_record
from vejud.people.models import (
    AccessRuleKind,
    AddressProtectionStatus,
    Attachment,
    GangGroup,
    Person,
)
from vejud.people.services import person_access_rule_add, person_create, protected_address_set
from vejud.pool.models import Application, BudgetYear, CategoryFrame
from vejud.pool.services import (
    APPLICABLE_STATUSES,
    application_answer,
    application_decide,
    application_submit,
    application_withdraw,
    attachment_add,
    budget_entry_add,
    budget_year_create,
    grant_release,
    guideline_publish,
    payment_register,
)
from vejud.privacy.collect import withholding_candidates
from vejud.privacy.models import HoldKind
from vejud.privacy.services import retention_hold_set, subject_access_export_create
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.services import (
    release_date_set,
    release_plan_update,
    release_plans_run,
    release_transfer_request,
    transfer_accept,
    transfer_request,
)

DEMO_DOMAIN = "demo.vejud.dk"
DEMO_PASSWORD = "vejud-demo-adgang"  # noqa: S105 - published on purpose (demo only)
DEMO_URL = "http://127.0.0.1:8000/"
TOTP_HOW_TO = (
    '.venv/bin/python -c "import base64,sys; from django_otp.oath import totp; '
    "print('%06d' % totp(base64.b32decode(sys.argv[1])))\" SECRET"
)
# Cases per audit scope: bounds the audit records buffered before they join the chain.
CASES_PER_SCOPE = 500
# Showcase cases plus the reopened person's new case: the smallest dataset.
MIN_CASES = 40  # the showcase specs (a reopened case counts twice) and the matched inquiry

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

# Bulk cases (vejud.demo.bulk): busier districts get more cases; the rest weigh 2.
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
MENTORS = {"exit-koebenhavn": "mentor.koebenhavn", "exit-oestjylland": "mentor.oestjylland"}
ALL_AGENCIES = list(ConsentAgency.values)
ALL_TOPICS = list(ConsentTopic.values)
LIBERTY_SOURCES = (
    InquirySource.PERSON, InquirySource.PERSON, InquirySource.RELATIVE, InquirySource.POLICE,
    InquirySource.MUNICIPALITY, InquirySource.ASSOCIATION, InquirySource.PUBLIC_FORM,
)  # fmt: skip
REFUSAL_REASONING = {
    RefusalGround.OUTSIDE_TARGET_GROUP: "Personen er ikke en del af et rocker- eller bandemiljø.",
    RefusalGround.NOT_SUITABLE: "Personen har endnu ikke taget skridt til at bryde med miljøet.",
    RefusalGround.NOT_MOTIVATED: "Motivationen er for svag til at bære et exitforløb.",
}
SUITABILITY = ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability")
# The outcomes after the course the showcase records, point by point (re-registered, charged).
OUTCOME_ANSWERS = (("no", "no"), ("unknown", "no"), ("yes", "yes"))
OUTCOME_ACCOUNT = "Personen fortæller, at han har arbejde og ikke ser de gamle venner mere."
CLOSING_SUMMARIES = {
    ClosureReason.COMPLETED: "Exitforløbet er gennemført: egen bolig, fast job og ingen kontakt til miljøet.",
    ClosureReason.INTERRUPTED: "Personen ønskede ikke at fortsætte forløbet og har afbrudt kontakten.",
    ClosureReason.STOPPED_CRIME: "Forløbet er stoppet efter sigtelse for ny, grov personfarlig kriminalitet.",
    ClosureReason.STOPPED_AGREEMENT: "Forløbet er stoppet, da exitaftalen gentagne gange er brudt.",
    ClosureReason.MOVED_ABROAD: "Personen er flyttet til udlandet; forløbet kan ikke fortsætte herfra.",
    ClosureReason.DECEASED: "Personen er afgået ved døden. Sagen afsluttes.",
}  # fmt: skip
# The exit plan of a full course: (life area, goal, actions); an action is
# (description, owner agency, deadline in days after the course start, status, outcome).
PLAN: tuple[tuple[str, str, tuple[tuple[str, str, int, str, str], ...]], ...] = (
    (LifeArea.SAFETY, "Tryghed i hverdagen", (
        ("Sikkerhedsvurdering hos politiet", OwnerAgency.POLICE, 10, ActionStatus.DONE,
         "Vurderingen er lavet; ingen akutte trusler."),
    )),
    (LifeArea.HOUSING, "Egen bolig uden for det gamle område", (
        ("Ansøgning om bolig via det boligsociale team", OwnerAgency.MUNICIPALITY, 30,
         ActionStatus.DONE, "Bolig tilbudt i en anden bydel."),
        ("Indskud og flytning afklaret", OwnerAgency.MUNICIPALITY, 75, ActionStatus.IN_PROGRESS,
         ""),
    )),
    (LifeArea.WORK_EDUCATION, "I job eller uddannelse", (
        ("Møde med jobcentret om praktik", OwnerAgency.MUNICIPALITY, 45, ActionStatus.DONE,
         "Praktik aftalt."),
        ("Tilmelding til AMU-kursus", OwnerAgency.PERSON, 120, ActionStatus.PLANNED, ""),
    )),
    (LifeArea.ECONOMY, "Overblik over gælden", (
        ("Henvisning til gældsrådgivning", OwnerAgency.MENTOR, 60, ActionStatus.PLANNED, ""),
        ("Budget lagt sammen med socialrådgiver", OwnerAgency.MUNICIPALITY, 90,
         ActionStatus.DROPPED, "Erstattet af gældsrådgivningen."),
    )),
    (LifeArea.CRIME, "Ingen ny kriminalitet", (
        ("Opfølgende samtale om netværk og fritid", OwnerAgency.POLICE, 150,
         ActionStatus.IN_PROGRESS, ""),
    )),
)  # fmt: skip
MEETINGS = (
    (MeetingForm.IN_PERSON, 60, "Første møde; gennemgang af planen."),
    (MeetingForm.PHONE, 15, "Kort opfølgning på boligsagen."),
    (MeetingForm.IN_PERSON, 90, "Tur til jobcentret sammen."),
    (MeetingForm.MESSAGE, 5, "Bekræftet næste møde."),
    (MeetingForm.IN_PERSON, 45, "God snak om familien og fremtiden."),
)
FLAGGED_MEETING = "Personen fortæller om nye henvendelser fra miljøet. Enheden bør se på det."
EVIDENCE = {
    "crime_stopped": "Ingen nye sigtelser siden sidst.",
    "environment_left": "Har skiftet telefonnummer og undgår de gamle steder.",
    "lifestyle_changed": "Fast døgnrytme; møder op til praktik.",
    "custody_behaviour": "Ingen disciplinærsager; deltager i undervisning.",
}


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
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def demo_logins() -> list[DemoLogin]:
    """Return the login of every demo user, national staff first."""
    # The staff's own roles; a role added later by a four-eyes grant is not a login of its own.
    memberships = Membership.objects.filter(
        user__email__endswith=f"@{DEMO_DOMAIN}", grant__isnull=True
    ).select_related("user", "unit")
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


def ensure_staff() -> dict[str, User]:
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
        AuthenticatorDevice.objects.get_or_create(
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


# A path through the process for an opened case; it may return a new attempt it opened.
Scenario = Callable[["Seeder", Case], Case | None]


@dataclass
class _Spec:
    """A planned case: where the inquiry goes, when it came in, and the path it then takes."""

    unit: Unit
    opened_on: date
    scenario: Scenario
    label: str = ""  # showcase cases are listed in the output under this label
    institution: Unit | None = None
    municipality: Municipality | None = None
    in_target_group: bool = True
    case: Case | None = None
    later_case: Case | None = None  # a new attempt the scenario opened for the same person


def _chunks(items: Sequence[_Spec], size: int) -> Iterator[Sequence[_Spec]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Seeder:
    """Drive demo cases through the real services, acting as the demo staff."""

    def __init__(self, rng: random.Random, staff: dict[str, User]) -> None:
        self.rng = rng
        self.staff = staff
        self.today = timezone.localdate()
        self.units = {u.code: u for u in Unit.objects.all()}
        self.units_by_id = {u.pk: u for u in self.units.values()}
        self.municipalities: dict[int, list[Municipality]] = {}
        for municipality in Municipality.objects.order_by("name"):
            self.municipalities.setdefault(municipality.police_district_id, []).append(municipality)
        self.groups = list(GangGroup.objects.filter(is_active=True))
        self.offer_types = {o.code: o for o in OfferType.objects.all()}
        self.taken: set[str] = set()
        self.marked: dict[str, Case] = {}

    # --- planning -----------------------------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def spec(
        self,
        label: str,
        where: str,
        days_ago: int,
        scenario: Scenario,
        *,
        municipality: str | None = None,
        in_target_group: bool = True,
    ) -> _Spec:
        """Plan a showcase case at the unit coded ``where``; a prison or remand prison there
        makes it a custody case (DfK responsible)."""
        place = self.units[where]
        custody = place.kind == UnitKind.INSTITUTION
        unit = self.units["dfk"] if custody else place
        return _Spec(
            unit=unit,
            opened_on=self.days_ago(days_ago),
            scenario=scenario,
            label=label,
            institution=place if custody else None,
            municipality=(
                Municipality.objects.get(name=municipality)
                if municipality
                else self.municipality_for(unit)
            ),
            in_target_group=in_target_group,
        )

    def municipality_for(self, unit: Unit) -> Municipality | None:
        if unit.police_district_id in self.municipalities:
            return self.rng.choice(self.municipalities[unit.police_district_id])
        if unit.kind == UnitKind.DFK:
            return self.rng.choice(self.rng.choice(list(self.municipalities.values())))
        return None

    def showcase_specs(self) -> list[_Spec]:
        """Plan the showcase: every status and every path of the exit process at least once."""
        s = self.spec
        return [
            s("Inquiry, not yet assessed", "exit-koebenhavn", 4, Seeder.sc_inquiry),
            s("Inquiry from custody", "vestre-faengsel", 2, Seeder.sc_inquiry),
            s("Assessment, instruments drafted", "exit-nordsjaelland", 12, Seeder.sc_drafts),
            s("Assessment, two of three signed", "exit-oestjylland", 20, Seeder.sc_partly_signed),
            s("Assessment, corrected motivation (v2)", "exit-koebenhavn", 25, Seeder.sc_corrected),
            s("Assessment overdue, fear-only motivation", "exit-fyn", 45, Seeder.sc_fear_only),
            s("Custody applicant, parole the only motive", "enner-mark", 15,
              Seeder.sc_parole_only),
            s("Assessment, consent withdrawn", "exit-koebenhavns-vestegn", 30,
              Seeder.sc_consent_withdrawn),
            s("Refused: outside the target group", "exit-sydoestjylland", 40,
              Seeder.sc_refused_target_group, in_target_group=False),
            s("Refused: not suitable enough", "exit-midt-vestjylland", 50,
              Seeder.sc_refused_suitability),
            s("Refused: not motivated enough", "exit-nordjylland", 35,
              Seeder.sc_refused_motivation),
            s("Refused, then closed without referral", "exit-syd-soenderjylland", 90,
              Seeder.sc_refused_closed),
            s("Referred, open information request", "exit-koebenhavn", 60,
              Seeder.sc_referred_request),
            s("Referred, awaiting final decision", "exit-oestjylland", 55, Seeder.sc_referred),
            s("Refusal upheld", "exit-fyn", 120, Seeder.sc_upheld),
            s("Refusal overturned: admitted", "exit-koebenhavns-vestegn", 100,
              Seeder.sc_overturned),
            s("Withdrawn before assessment", "exit-bornholm", 70, Seeder.sc_withdrawn_inquiry),
            s("Withdrawn during assessment", "exit-nordsjaelland", 80,
              Seeder.sc_withdrawn_assessment),
            s("Dropped during assessment", "exit-midt-vestsjaelland", 150, Seeder.sc_dropped),
            # Outcomes after the course: København's course ended 400 days ago, its 6-month
            # outcome recorded and the 12-month one due (the coordinator's task); Fyn's ended
            # 300 days ago, its 6-month outcome recorded, the next in two months.
            *[
                s(f"Closed: {reason.value}", unit, days, Seeder.closer(reason, ended, outcomes))
                for reason, unit, days, ended, outcomes in (
                    (ClosureReason.COMPLETED, "exit-koebenhavn", 700, 400, (6,)),
                    (ClosureReason.INTERRUPTED, "exit-oestjylland", 400, 0, ()),
                    (ClosureReason.STOPPED_CRIME, "exit-fyn", 500, 300, (6,)),
                    (ClosureReason.STOPPED_AGREEMENT, "exit-koebenhavns-vestegn", 450, 0, ()),
                    (ClosureReason.MOVED_ABROAD, "exit-nordsjaelland", 600, 0, ()),
                    (ClosureReason.DECEASED, "exit-sydsjaelland-lolland-falster", 800, 0, ()),
                )
            ],
            s("Closed, then reopened as a new attempt", "exit-koebenhavn", 650,
              Seeder.sc_reopened),
            s("Full course: plan, offers gap, mentor log, overdue review", "exit-koebenhavn",
              430, Seeder.sc_full_course),
            s("Course with a motivation dip (early warning)", "exit-koebenhavn", 300,
              Seeder.sc_motivation_dip),
            s("Course with a risk event (early warning)", "exit-oestjylland", 260,
              Seeder.sc_risk_event),
            s("Course with two reviews without progress", "exit-fyn", 380,
              Seeder.sc_no_progress),
            s("New course, review not yet due", "exit-nordjylland", 60, Seeder.sc_new_course),
            s("Custody course, release within 60 days", "nyborg", 240, Seeder.sc_custody_release,
              municipality="Odense"),
            s("Custody course, release transfer accepted, custody until the day", "storstroem",
              300, Seeder.sc_custody_release_transfer, municipality="Aarhus"),
            s("Custody course, long sentence", "herstedvester", 200, Seeder.sc_custody_course),
            s("Pending transfer between local units", "exit-koebenhavn", 280,
              Seeder.sc_transfer_local),
            s("Pending transfer: arrested, to custody", "exit-oestjylland", 330,
              Seeder.sc_transfer_arrest),
            s("Course, person on a restriction list", "exit-oestjylland", 350,
              Seeder.sc_restricted),
            s("Course, member.fyn excluded", "exit-fyn", 220, Seeder.sc_excluded),
        ]  # fmt: skip

    def run(self, specs: list[_Spec]) -> None:
        """Register the inquiries in date order (references follow time), then drive each case."""
        ordered = sorted(specs, key=lambda s: s.opened_on)
        for chunk in _chunks(ordered, CASES_PER_SCOPE):
            with audited():
                for spec in chunk:
                    spec.case = self.open_case(spec)
        for chunk in _chunks(ordered, CASES_PER_SCOPE):
            with audited():
                for spec in chunk:
                    assert spec.case is not None
                    later = spec.scenario(self, spec.case)
                    if isinstance(later, Case):
                        spec.later_case = later

    # --- actors -------------------------------------------------------------------------

    def worker(self, case: Case) -> User:
        """Return the caseworker of the case's responsible unit (DfK staff in custody)."""
        if case.track == Track.CUSTODY:
            return self.staff["custody.dfk"]
        return self.staff[f"member.{_short(self.units_by_id[case.responsible_unit_id])}"]

    def decider(self, case: Case) -> User:
        """Return who makes the unit's decision: the coordinator, or DfK staff in custody."""
        if case.track == Track.CUSTODY:
            return self.staff["custody.dfk"]
        return self.staff[f"coordinator.{_short(self.units_by_id[case.responsible_unit_id])}"]

    # --- intake -------------------------------------------------------------------------

    def open_case(self, spec: _Spec) -> Case:
        """Register the person, open the case (an inquiry routed by the intake service) and
        write the first journal note."""
        custody = spec.institution is not None
        actor = self.staff["custody.dfk"] if custody else self.staff[f"member.{_short(spec.unit)}"]
        person = self.person(actor, in_target_group=spec.in_target_group)
        if spec.unit.kind == UnitKind.MUNICIPAL_PROGRAMME:
            case = case_open(
                actor=actor,
                person=person,
                unit=spec.unit,
                track=Track.CUSTODY if custody else Track.LIBERTY,
                institution=spec.institution,
                opened_on=spec.opened_on,
            )
        else:
            case = inquiry_register(
                actor=actor,
                source=InquirySource.PRISON if custody else self.rng.choice(LIBERTY_SOURCES),
                channel=self.rng.choice(InquiryChannel.values),
                received_on=spec.opened_on,
                municipality=spec.municipality,
                in_custody=custody,
                institution=spec.institution,
                person=person,
            )
        journal_add(actor=actor, case=case, text=FIRST_NOTE)
        return case

    def person(self, actor: User, *, in_target_group: bool = True) -> Person:
        birth = self.today - timedelta(days=self.rng.randint(19 * 365, 48 * 365))
        if (birth.day, birth.month) == (1, 1):
            birth += timedelta(days=1)
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        cpr = synthetic_cpr(birth, self.rng, self.taken)
        if not in_target_group:
            # No known attachment to a biker or gang environment: outside the target group.
            return person_create(actor=actor, first_name=first, last_name=last, cpr=cpr)
        return person_create(
            actor=actor,
            first_name=first,
            last_name=last,
            cpr=cpr,
            gang_group=self.rng.choice(self.groups) if self.groups else None,
            gang_role=self.rng.choice(GANG_ROLES),
            gang_since=birth + timedelta(days=self.rng.randint(15 * 365, 18 * 365)),
            attachment=self.rng.choice(Attachment.values),
            threat_notes=THREAT_NOTE if self.rng.random() < 0.15 else "",
        )

    def note(self, case: Case, text: str | None = None) -> None:
        journal_add(actor=self.worker(case), case=case, text=text or self.rng.choice(NOTES))

    def start_assessment(self, case: Case) -> Case:
        """Record the person's consent (all agencies) and start the assessment."""
        consent_record(
            actor=self.worker(case),
            case=case,
            given_on=case.opened_on,
            method=self.rng.choice(ConsentMethod.values),
            agencies=ALL_AGENCIES,
            topics=ALL_TOPICS,
        )
        return self.transition(case, CaseStatus.ASSESSMENT)

    def transition(self, case: Case, target: CaseStatus, reason: str = "") -> Case:
        """Move the case to ``target`` as its caseworker (``reason``: why, in Danish)."""
        return case_transition(actor=self.worker(case), case=case, target=target, reason=reason)

    # --- the three instruments ----------------------------------------------------------

    def _sign(self, case: Case, instrument: InstrumentBase, sign: bool) -> InstrumentBase:
        return (
            instrument_sign(actor=self.worker(case), instrument=instrument) if sign else instrument
        )

    def target_group(self, case: Case, *, sign: bool = True) -> InstrumentBase:
        programme = programme_for_case(case)
        assert programme is not None, "the assessment reference data is missing"
        version = criteria_in_force(programme, on=case.opened_on) or criteria_in_force(programme)
        assert version is not None
        answers = {
            code: {"met": bool(result["met"]), "note": str(result["note"])}
            for code, result in criteria_evaluate(case, version, on=case.opened_on).items()
        }
        answers.update({q["code"]: {"met": True, "note": ""} for q in version.questions})
        within = all(a["met"] for a in answers.values())
        saved = target_group_save(
            actor=self.worker(case),
            case=case,
            criteria_version=version,
            answers=answers,
            reasoning=(
                "Personen opfylder programmets kriterier."
                if within
                else "Ingen kendt tilknytning til et rocker- eller bandemiljø."
            ),
        )
        return self._sign(case, saved, sign)

    def motivation(
        self,
        case: Case,
        *,
        level: int = 4,
        push: Sequence[str] = ("disillusion", "prison_fatigue"),
        pull: Sequence[str] = ("fatherhood", "job"),
        kind: str = "inner",
        wishes: Sequence[str] = ("residence", "work_education"),
        fear_borne: bool = False,
        parole_only: bool = False,
        sign: bool = True,
    ) -> InstrumentBase:
        saved = motivation_save(
            actor=self.worker(case),
            case=case,
            push_factors=list(push),
            pull_factors=list(pull),
            own_explanation="Vil have et liv uden vold, for sin egen og familiens skyld.",
            help_wishes=list(wishes),
            fear_borne=fear_borne,
            fear_note="Frygter repressalier fra gruppen." if fear_borne else "",
            motivation_kind=kind,
            parole_only_motive=parole_only,
            level=level,
            reasoning=(
                "Klar, indre motivation." if level >= 4 else "Motivationen er svag og ustabil."
            ),
        )
        return self._sign(case, saved, sign)

    def suitability(self, case: Case, *, degree: int = 4, sign: bool = True) -> InstrumentBase:
        judgement = (
            SuitabilityJudgement.SUITABLE
            if degree >= 4
            else SuitabilityJudgement.PARTLY
            if degree == 3
            else SuitabilityJudgement.NOT_SUITABLE
        )
        saved = suitability_save(
            actor=self.worker(case),
            case=case,
            **dict.fromkeys(SUITABILITY, degree),
            **{f"{c}_reasoning": "Belyst i visitationssamtalerne." for c in SUITABILITY},
            judgement=judgement,
            reasoning="Samlet vurdering efter tre samtaler.",
        )
        return self._sign(case, saved, sign)

    def sign_all(self, case: Case, *, level: int = 4, degree: int = 4) -> None:
        self.target_group(case)
        self.motivation(case, level=level)
        self.suitability(case, degree=degree)

    # --- decisions ----------------------------------------------------------------------

    def admit(self, case: Case) -> Case:
        """Assess and admit an inquiry; return the admitted case."""
        case = self.start_assessment(case)
        self.sign_all(case)
        unit_decision_record(
            actor=self.decider(case),
            case=case,
            outcome=DecisionOutcome.ADMIT,
            reasoning="Personen er i målgruppen, motiveret og egnet.",
        )
        case.refresh_from_db()
        return case

    def refuse(self, case: Case, ground: str) -> Case:
        """Assess an inquiry and refuse it on ``ground``; return the refused case."""
        case = self.start_assessment(case)
        self.target_group(case)
        self.motivation(case, level=2 if ground == RefusalGround.NOT_MOTIVATED else 4)
        self.suitability(case, degree=2 if ground == RefusalGround.NOT_SUITABLE else 4)
        unit_decision_record(
            actor=self.decider(case),
            case=case,
            outcome=DecisionOutcome.REFUSE,
            grounds=[ground],
            reasoning=REFUSAL_REASONING[RefusalGround(ground)],
        )
        case.refresh_from_db()
        return case

    def refer(self, case: Case, ground: str) -> Case:
        case = self.refuse(case, ground)
        referral_create(
            actor=self.worker(case),
            case=case,
            requested_by_person=True,
            note="Personen ønsker afslaget prøvet af Det Nationale Exit-kontaktpunkt.",
        )
        case.refresh_from_db()
        return case

    def final_decision(self, case: Case, outcome: str) -> Case:
        final_decision_record(
            actor=self.staff["decision-maker"],
            case=case,
            outcome=outcome,
            reasoning=(
                "Kontaktpunktet finder personen egnet; afslaget omgøres."
                if outcome == DecisionOutcome.OVERTURN
                else "Kontaktpunktet er enig i enhedens vurdering."
            ),
        )
        case.refresh_from_db()
        return case

    # --- the exit course ----------------------------------------------------------------

    def agreement(self, case: Case, starts_on: date, *, months: int = 12) -> None:
        parties: list[str] = [Party.PERSON, Party.POLICE, Party.MUNICIPALITY]
        if case.track == Track.CUSTODY:
            parties.append(Party.KRIMINALFORSORGEN)
        agreement_save(
            actor=self.worker(case),
            case=case,
            parties=parties,
            starts_on=starts_on,
            expected_months=months,
            signed_on=starts_on,
            terms="Personen bryder med miljøet; myndighederne støtter med bolig, job og mentor.",
        )

    def course(self, case: Case, start_days_ago: int) -> tuple[Case, date]:
        """Admit the inquiry and start the exit course ``start_days_ago`` days ago."""
        case = self.admit(case)
        start = max(case.opened_on, self.days_ago(start_days_ago))
        self.agreement(case, start)
        return case, start

    def plan(self, case: Case, start: date, *, areas: int = len(PLAN)) -> None:
        """Draw up the exit plan; actions whose deadline has passed and are not done are overdue."""
        worker = self.worker(case)
        for life_area, goal_text, actions in PLAN[:areas]:
            goal = goal_add(actor=worker, case=case, life_area=life_area, goal=goal_text)
            for description, agency, offset, status, outcome in actions:
                action = action_add(
                    actor=worker,
                    goal=goal,
                    description=description,
                    owner_agency=agency,
                    owner=worker if agency == OwnerAgency.MUNICIPALITY else None,
                    deadline=start + timedelta(days=offset),
                )
                if status != ActionStatus.PLANNED:
                    action_update(actor=worker, action=action, status=status, outcome=outcome)

    def offers(self, case: Case, start: date) -> None:
        """Give offers covering some of the wishes (the rest is the visible gap)."""
        worker = self.worker(case)
        offer_add(
            actor=worker,
            case=case,
            offer_type=self.offer_types["residence"],
            provider="Kommunens boligsociale team",
            starts_on=start + timedelta(days=20),
            status=OfferStatus.ACTIVE,
        )
        financial = offer_add(
            actor=worker,
            case=case,
            offer_type=self.offer_types["financial"],
            provider="Jobcentret",
            starts_on=start + timedelta(days=10),
            ends_on=start + timedelta(days=70),
            status=OfferStatus.ACTIVE,
        )
        offer_update(
            actor=worker,
            offer=financial,
            status=OfferStatus.COMPLETED,
            result="Hjælp til depositum og første husleje.",
        )
        offer_add(
            actor=worker,
            case=case,
            offer_type=self.offer_types["tattoo_removal"],
            provider="Hudklinik (aftale via kommunen)",
            status=OfferStatus.PLANNED,
        )

    def mentor(self, case: Case, start: date, *, meetings: int = 3, flag: bool = False) -> None:
        unit = self.units_by_id[case.responsible_unit_id]
        mentor = self.staff[MENTORS.get(unit.code, "mentor.koebenhavn")]
        mentor_assign(actor=self.worker(case), case=case, mentor=mentor, starts_on=start)
        span = max(1, (self.today - start).days)
        for i in range(meetings):
            form, minutes, text = MEETINGS[i % len(MEETINGS)]
            last = flag and i == meetings - 1
            meeting_log(
                actor=mentor,
                case=case,
                met_on=start + timedelta(days=span * (i + 1) // (meetings + 1)),
                form=MeetingForm.PHONE if last else form,
                duration_minutes=20 if last else minutes,
                note=FLAGGED_MEETING if last else text,
                needs_attention=last,
            )

    def review(
        self,
        case: Case,
        on: date,
        progress: tuple[int, int, int],
        level: int,
        risk: str | None = None,
    ) -> None:
        """Record a follow-up review on the four exit changes (change 4 only in custody)."""
        custody = case.track == Track.CUSTODY
        review_record(
            actor=self.worker(case),
            case=case,
            reviewed_on=on,
            crime_stopped=progress[0],
            environment_left=progress[1],
            lifestyle_changed=progress[2],
            custody_behaviour=progress[1] if custody else None,
            motivation_level=level,
            evidence=EVIDENCE,
            risk_events=(
                [{"kind": risk, "occurred_on": on - timedelta(days=12), "note": "Se journalen."}]
                if risk
                else None
            ),
            note="Opfølgning holdt med personen og mentor.",
        )

    def close(self, case: Case, reason: str, ended_on: date | None = None) -> None:
        case_close(
            actor=self.worker(case),
            case=case,
            reason=reason,
            summary=CLOSING_SUMMARIES[ClosureReason(reason)],
            ended_on=ended_on,
        )

    def request_transfer(self, case: Case, to_unit: str, note: str, **kwargs: Any) -> None:
        transfer_request(
            actor=self.worker(case),
            case=case,
            to_unit=self.units[to_unit],
            handover_note=note,
            **kwargs,
        )

    # --- showcase scenarios -------------------------------------------------------------

    def sc_inquiry(self, case: Case) -> None:
        self.note(case, "Personen har ringet og ønsker et møde om at komme ud af miljøet.")

    def sc_drafts(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case, sign=False)
        self.motivation(case, sign=False)
        self.note(case)

    def sc_partly_signed(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        self.motivation(case)
        self.suitability(case, degree=3, sign=False)

    def sc_corrected(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        first = self.motivation(case, level=3)
        self.suitability(case)
        draft = instrument_correct(
            actor=self.worker(case),
            instrument=first,
            reason="Ny samtale: personen er blevet far, motivationen er højere end vurderet.",
        )
        assert isinstance(draft, MotivationAssessment)
        self.motivation(case, level=4, pull=("fatherhood", "partner"))

    def sc_fear_only(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        self.motivation(
            case,
            level=2,
            push=("violence_threats", "fear_for_life"),
            pull=(),
            kind="outer",
            wishes=("temporary_relocation", "residence"),
            fear_borne=True,
        )

    def sc_parole_only(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case, sign=False)
        self.motivation(
            case,
            level=2,
            push=("prison_fatigue",),
            pull=(),
            kind="outer",
            wishes=("work_education",),
            parole_only=True,
        )

    def sc_consent_withdrawn(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        consent = case.consents.get()
        consent_withdraw(
            actor=self.worker(case),
            consent=consent,
            withdrawn_on=self.today,
            note="Personen har trukket samtykket tilbage efter pres fra familien.",
        )

    def sc_refused_target_group(self, case: Case) -> None:
        self.refuse(case, RefusalGround.OUTSIDE_TARGET_GROUP)

    def sc_refused_suitability(self, case: Case) -> None:
        self.refuse(case, RefusalGround.NOT_SUITABLE)

    def sc_refused_motivation(self, case: Case) -> None:
        self.refuse(case, RefusalGround.NOT_MOTIVATED)

    def sc_refused_closed(self, case: Case) -> None:
        case = self.refuse(case, RefusalGround.NOT_MOTIVATED)
        self.transition(
            case,
            CaseStatus.CLOSED,
            "Klagefristen er udløbet; personen ønskede ikke afslaget prøvet.",
        )

    def sc_referred_request(self, case: Case) -> None:
        case = self.refer(case, RefusalGround.NOT_SUITABLE)
        information_request_create(
            actor=self.staff["decision-maker"],
            case=case,
            question="Hvilke skridt har personen selv taget siden visitationen?",
        )

    def sc_referred(self, case: Case) -> None:
        self.refer(case, RefusalGround.NOT_MOTIVATED)

    def sc_upheld(self, case: Case) -> None:
        case = self.refer(case, RefusalGround.NOT_MOTIVATED)
        self.final_decision(case, DecisionOutcome.UPHOLD)

    def sc_overturned(self, case: Case) -> None:
        case = self.refer(case, RefusalGround.NOT_SUITABLE)
        request = information_request_create(
            actor=self.staff["decision-maker"],
            case=case,
            question="Er der sket noget nyt siden afslaget?",
        )
        information_request_answer(
            actor=self.worker(case),
            request=request,
            answer="Personen er flyttet væk fra området og har fået fast praktikplads.",
        )
        case = self.final_decision(case, DecisionOutcome.OVERTURN)
        self.agreement(case, self.days_ago(5))

    def sc_withdrawn_inquiry(self, case: Case) -> None:
        self.transition(
            case,
            CaseStatus.WITHDRAWN,
            "Personen har meldt tilbage, at han ikke ønsker at gå videre.",
        )

    def sc_withdrawn_assessment(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        self.transition(case, CaseStatus.WITHDRAWN, "Personen trak sig under visitationen.")

    def sc_dropped(self, case: Case) -> None:
        case = self.start_assessment(case)
        self.target_group(case)
        self.transition(
            case, CaseStatus.DROPPED, "Personen er ikke mødt op til tre aftalte samtaler."
        )

    @staticmethod
    def closer(reason: str, ended_days_ago: int = 0, outcomes: tuple[int, ...] = ()) -> Scenario:
        """A course closed for ``reason`` ``ended_days_ago`` days ago, with the outcomes after
        the course recorded at the points ``outcomes`` (the later points left due)."""

        def scenario(seeder: Seeder, case: Case) -> None:
            case, start = seeder.course(case, (seeder.today - case.opened_on).days - 40)
            seeder.review(case, min(seeder.today, start + timedelta(days=90)), (1, 1, 1), 4)
            seeder.close(case, reason, seeder.days_ago(ended_days_ago))
            for months, answers in zip(outcomes, OUTCOME_ANSWERS, strict=False):
                seeder.outcome(case, months, *answers)

        return scenario

    def outcome(self, case: Case, months: int, reregistered: str, charges: str) -> None:
        """Record the outcome at a point after the course (the person asked, where agreed)."""
        consented = reregistered == "no"
        outcome_record(
            actor=self.worker(case),
            case=case,
            months=months,
            reregistered=reregistered,
            new_charges=charges,
            consented=consented,
            consented_on=self.today if consented else None,
            account=OUTCOME_ACCOUNT if consented else "",
        )

    def sc_reopened(self, case: Case) -> Case:
        case, _start = self.course(case, 600)
        self.close(case, ClosureReason.INTERRUPTED)
        case.refresh_from_db()
        again = case_reopen(
            actor=self.worker(case), case=case, note="Personen har selv taget kontakt igen."
        )
        self.note(again, FIRST_NOTE)
        self.note(again, "Personen har et tidligere exitforløb; se den tidligere sag.")
        return again

    def sc_full_course(self, case: Case) -> None:
        case, start = self.course(case, 400)
        self.plan(case, start)
        self.offers(case, start)
        self.mentor(case, start, meetings=5, flag=True)
        self.review(case, start + timedelta(days=90), (1, 1, 0), 4)
        self.review(case, start + timedelta(days=180), (2, 1, 1), 4)
        self.review(case, start + timedelta(days=270), (2, 2, 1), 5)  # next one is overdue
        self.marked["protected"] = case

    def sc_motivation_dip(self, case: Case) -> None:
        case, start = self.course(case, 250)
        self.plan(case, start, areas=2)
        self.mentor(case, start)
        self.review(case, start + timedelta(days=90), (1, 1, 1), 4)
        self.review(case, start + timedelta(days=180), (2, 1, 1), 2)

    def sc_risk_event(self, case: Case) -> None:
        case, start = self.course(case, 200)
        self.plan(case, start, areas=3)
        self.mentor(case, start)
        self.review(case, start + timedelta(days=90), (1, 1, 1), 4)
        self.review(case, start + timedelta(days=170), (2, 1, 1), 4, risk=RiskKind.THREAT)

    def sc_no_progress(self, case: Case) -> None:
        case, start = self.course(case, 330)
        self.plan(case, start, areas=2)
        self.review(case, start + timedelta(days=90), (1, 0, 0), 4)
        self.review(case, start + timedelta(days=180), (1, 0, 0), 3)
        self.review(case, start + timedelta(days=270), (1, 0, 0), 3)

    def sc_new_course(self, case: Case) -> None:
        case, start = self.course(case, 20)
        self.plan(case, start, areas=3)
        self.offers(case, start)
        self.marked["break_glass"] = case

    def sc_custody_release(self, case: Case) -> None:
        case, start = self.course(case, 200)
        self.plan(case, start, areas=3)
        self.offers(case, start)
        self.mentor(case, start, meetings=2)
        self.review(case, start + timedelta(days=90), (1, 2, 1), 4)
        release_date_set(actor=self.worker(case), case=case, release_on=self.today + timedelta(40))
        release_plans_run()
        release_plan_update(
            actor=self.worker(case),
            plan=ReleasePlan.objects.get(case=case),
            checklist={"housing": True, "mentor_from_day_one": True},
            note="Bolig på plads; indkomst og behandling mangler.",
        )

    def sc_custody_release_transfer(self, case: Case) -> None:
        case, start = self.course(case, 260)
        self.plan(case, start, areas=2)
        self.mentor(case, start, meetings=2)
        self.review(case, start + timedelta(days=90), (2, 2, 1), 4)
        release_date_set(actor=self.worker(case), case=case, release_on=self.today + timedelta(18))
        release_plans_run()
        plan = release_plan_update(
            actor=self.worker(case),
            plan=ReleasePlan.objects.get(case=case),
            checklist=dict.fromkeys(ReleasePlan.CHECKLIST, True),
            note="Alt er klar til løsladelsen.",
        )
        transfer = release_transfer_request(
            actor=self.worker(case),
            plan=plan,
            handover_note="Løslades om 18 dage; bolig, indtægt og mentor er på plads.",
        )
        # The local unit takes over now; the case stays on the custody track until the day.
        receiver = self.staff[f"member.{_short(transfer.to_unit)}"]
        transfer_accept(actor=receiver, transfer=transfer, note="Vi overtager ved løsladelsen.")

    def sc_custody_course(self, case: Case) -> None:
        case, start = self.course(case, 170)
        self.plan(case, start, areas=2)
        self.review(case, start + timedelta(days=90), (1, 1, 0), 4)

    def sc_transfer_local(self, case: Case) -> None:
        case, start = self.course(case, 250)
        self.plan(case, start, areas=2)
        self.review(case, start + timedelta(days=90), (1, 1, 1), 4)
        self.request_transfer(
            case,
            "exit-koebenhavns-vestegn",
            "Personen er flyttet til Hvidovre; forløbet bør fortsætte hos jer.",
        )

    def sc_transfer_arrest(self, case: Case) -> None:
        case, start = self.course(case, 300)
        self.plan(case, start, areas=2)
        self.mentor(case, start)
        self.review(case, start + timedelta(days=90), (1, 1, 1), 4)
        self.request_transfer(
            case,
            "dfk",
            "Personen er anholdt og varetægtsfængslet i Aarhus Arrest.",
            to_track=Track.CUSTODY,
            to_institution=self.units["arrest-aarhus"],
        )

    def sc_restricted(self, case: Case) -> None:
        case, start = self.course(case, 320)
        self.plan(case, start, areas=2)
        self.review(case, start + timedelta(days=90), (1, 1, 1), 4)
        self.marked["restricted"] = case

    def sc_excluded(self, case: Case) -> None:
        case, start = self.course(case, 190)
        self.plan(case, start, areas=1)
        self.marked["excluded"] = case

    # --- access features ----------------------------------------------------------------

    def add_access_features(self) -> list[str]:
        """Add the protected address, the access lists and a break-glass grant."""
        notes: list[str] = []
        full = self.marked["protected"]
        coordinator = self.staff["coordinator.koebenhavn"]
        protected_address_set(
            actor=coordinator,
            person=full.person,
            case=full,
            address="Fiktivvej 7, 2. th., 9999 Demoby",
            cpr_protection=AddressProtectionStatus.CONFIRMED,
            requested_on=full.opened_on + timedelta(days=10),
            confirmed_on=full.opened_on + timedelta(days=20),
            reason="Personen er flyttet efter trusler (syntetiske demodata).",
        )
        notes.append(f"Protected address: {full.reference} (custodian {coordinator.email})")

        restricted = self.marked["restricted"]
        for name in ("coordinator.oestjylland", "member.oestjylland"):
            person_access_rule_add(
                actor=self.staff["coordinator.oestjylland"],
                person=restricted.person,
                kind=AccessRuleKind.RESTRICTION,
                user=self.staff[name],
                message="Adgang kun for de navngivne medarbejdere i Østjylland.",
            )
        notes.append(
            f"Restriction list: {restricted.reference} (coordinator and member, Østjylland)"
        )

        excluded = self.marked["excluded"]
        person_access_rule_add(
            actor=self.staff["coordinator.fyn"],
            person=excluded.person,
            kind=AccessRuleKind.EXCLUSION,
            user=self.staff["member.fyn"],
            message="Du er inhabil i denne sag.",
        )
        notes.append(f"Exclusion list: {excluded.reference} (bars member.fyn)")

        grant = break_glass_open(
            actor=self.staff["member.fyn"],
            reference=self.marked["break_glass"].reference,
            reason="Akut henvendelse uden for kontortid; sagen skal ses nu (demo).",
        )
        notes.append(f"Break-glass grant: member.fyn on {grant.case.reference} (awaits review)")
        notes.append(self.possible_existing_person())
        notes.extend(self.role_grants())
        notes.append(self.subject_access_export(full, coordinator))
        retention_hold_set(
            actor=coordinator,
            person=full.person,
            kind=HoldKind.COURT_CASE,
            reason="Personen er vidne i en verserende straffesag (demo).",
        )
        notes.append(f"Retention hold: the person of {full.reference} (open court case)")
        return notes

    def subject_access_export(self, case: Case, coordinator: User) -> str:
        """A subject-access export of the protected person, one journal note withheld."""
        notes = [c for c in withholding_candidates(case.person) if "journalentry" in c.key]
        subject_access_export_create(
            actor=coordinator,
            person=case.person,
            withheld={notes[0].key: "Nævner en tredjemand ved navn (demo)."} if notes else {},
        )
        return f"Subject-access export: the person of {case.reference} (coordinator.koebenhavn)"

    def role_grants(self) -> list[str]:
        """One approved four-eyes role grant (awaiting the auditor) and one awaiting approval."""
        admin, head = self.staff["admin"], self.staff["head"]
        approved = role_grant_request(
            actor=admin,
            user=self.staff["custody.dfk"],
            unit=self.units["nyborg"],
            role=Role.CUSTODY_STAFF,
            agency=Agency.KRIMINALFORSORGEN,
            reason="Dækker Nyborg Fængsel under en kollegas orlov (demo).",
        )
        role_grant_approve(actor=head, grant=approved)
        pending = role_grant_request(
            actor=head,
            user=self.staff["member.fyn"],
            unit=self.units["exit-bornholm"],
            role=Role.UNIT_MEMBER,
            agency=Agency.MUNICIPALITY,
            reason="Hjælper Bornholm med sagsbehandling i tre måneder (demo).",
        )
        return [
            f"Role grant approved: custody.dfk at Nyborg (by admin and head; awaits the auditor"
            f" at /revision/rolletildelinger/), grant {approved.pk}",
            f"Role grant awaiting approval: member.fyn at Bornholm (asked by head; admin approves"
            f" at /konto/rolletildelinger/), grant {pending.pk}",
        ]

    def possible_existing_person(self) -> str:
        """member.fyn registers an inquiry with the CPR of a Copenhagen person: Fyn sees only
        what it typed, and Copenhagen's coordinator gets the match to link or reject."""
        known = self.marked["protected"]
        fyn = next(u for u in self.units.values() if _short(u) == "fyn")
        case = inquiry_register(
            actor=self.staff["member.fyn"],
            source=InquirySource.POLICE,
            channel=InquiryChannel.PHONE,
            received_on=self.today,
            municipality=self.municipality_for(fyn),
            first_name="Ukendt",
            last_name="Henvendelse",
            cpr=known.person.cpr,
        )
        journal_add(actor=self.staff["member.fyn"], case=case, text=FIRST_NOTE)
        return (
            f"Possible existing person: {case.reference} (member.fyn, CPR of {known.reference});"
            " coordinator.koebenhavn links or rejects it at /sager/mulige-personer/"
        )


def _short(unit: Unit) -> str:
    """Return the part of a unit's code that names its demo staff (``member.<short>``)."""
    return unit.code.removeprefix("exit-")


def demo_summary() -> list[str]:
    """Return a few lines on what the dataset holds, counted from the database."""
    today = timezone.localdate()

    def counts(qs: Any, field_name: str) -> dict[str, int]:
        return dict(qs.order_by().values_list(field_name).annotate(n=Count("id")))

    def listing(found: dict[str, int], keys: Sequence[str]) -> str:
        return ", ".join(f"{key} {found.get(key, 0)}" for key in keys)

    statuses = counts(Case.objects.all(), "status")
    active = counts(Case.objects.filter(status=CaseStatus.ADMITTED), "track")
    grounds: Counter[str] = Counter()
    refusals = Decision.objects.filter(level=DecisionLevel.UNIT, outcome=DecisionOutcome.REFUSE)
    for row in refusals.values_list("grounds", flat=True):
        grounds.update(row)
    finals = counts(Decision.objects.filter(level=DecisionLevel.FINAL), "outcome")
    open_actions = PlanAction.objects.exclude(status__in=[ActionStatus.DONE, ActionStatus.DROPPED])
    warnings = counts(EarlyWarning.objects.all(), "reason")
    return [
        f"Cases by status: {listing(statuses, CaseStatus.values)}",
        f"Active exit courses: {listing(active, Track.values)}",
        f"Refusal grounds: {listing(grounds, RefusalGround.values)}; final decisions: "
        f"{listing(finals, [DecisionOutcome.UPHOLD, DecisionOutcome.OVERTURN])}",
        f"Closures: {listing(counts(CaseClosure.objects.all(), 'reason'), ClosureReason.values)}",
        f"Plans and mentors: {PlanAction.objects.count()} actions "
        f"({open_actions.filter(deadline__lt=today).count()} overdue), "
        f"{MentorMeeting.objects.count()} mentor meetings "
        f"({MentorMeeting.objects.filter(needs_attention=True).count()} flagged)",
        f"Follow-up: {Review.objects.count()} reviews; early warnings "
        f"{listing(warnings, WarningReason.values)}",
        f"Transfers awaiting the receiver: "
        f"{Transfer.objects.filter(status=TransferStatus.PENDING).count()}; release plans: "
        f"{ReleasePlan.objects.count()}; cases with an earlier attempt: "
        f"{Case.objects.filter(previous_case__isnull=False).count()}",
    ]


# --- The central pool (issue 5) ---------------------------------------------------------------
#
# Two budget years: last year closed out (grants paid, one partly released, one refused) and
# this year's DKK 2 million split into category frames, tattoo removal 95 % committed with an
# application waiting that would not fit. Applications in every status on showcase cases under
# assessment or in a course, of several units and DfK; grants average about DKK 24,000.

POOL_BUDGET_KR = 2_000_000
# Category frames of this year (kr): set aside from the appropriation, then adjusted by entries.
POOL_FRAMES_KR = {
    "relocation": 550_000,
    "tattoo_removal": 150_000,
    "psychologist": 230_000,
    "moving": 400_000,
    "other": 220_000,
}
# Guidelines: description, cap per grant and per person per year (kr), documentation.
POOL_GUIDELINES: dict[str, tuple[str, int, int, str]] = {
    "relocation": (
        "Midlertidig genhusning eller skjult ophold, når personen er i akut fare.",
        60_000, 120_000, "Politiets trusselsvurdering og udlejers tilbud; faktura efter opholdet.",
    ),
    "tattoo_removal": (
        "Fjernelse af tatoveringer med gruppens symboler, så personen kan bryde synligt.",
        25_000, 40_000, "Klinikkens tilbud med antal behandlinger; faktura efter hver serie.",
    ),
    "psychologist": (
        "Psykologbehandling, når den ikke dækkes af regionen eller kommunen.",
        20_000, 30_000, "Henvisning eller enhedens begrundelse og psykologens tilbud.",
    ),
    "moving": (
        "Flytning og etablering: depositum, flyttebil og det mest nødvendige indbo.",
        40_000, 50_000, "Lejekontrakt og tilbud fra flyttefirma; faktura eller kvittering.",
    ),
    "other": (
        "Andre særlige foranstaltninger, der bærer exitforløbet, efter konkret vurdering.",
        15_000, 25_000, "Enhedens begrundelse og tilbud; faktura eller kvittering.",
    ),
}  # fmt: skip
# The tattoo-removal guideline of last year, ended when this year's was published.
POOL_EARLIER_TATTOO = (
    "Fjernelse af synlige tatoveringer med gruppens symboler.",
    20_000, 35_000, "Klinikkens tilbud; faktura efter behandlingen.",
)  # fmt: skip
POOL_SUPPLIERS = {
    "relocation": "Trygt Ophold ApS",
    "tattoo_removal": "Hudklinikken Laser & Hud",
    "psychologist": "Psykologhuset Nord",
    "moving": "Flyttemand Hansen & Søn",
    "other": "Netværkshuset",
}
POOL_PURPOSES = {
    "relocation": "Skjult ophold i en anden landsdel efter konkrete trusler.",
    "tattoo_removal": "Fjernelse af gruppens tatoveringer på underarme og hals.",
    "psychologist": "Et forløb på ti samtaler om vold og brud med miljøet.",
    "moving": "Depositum og flytning til egen bolig uden for det gamle område.",
    "other": "Kørekort, så personen kan tage det tilbudte job.",
}
# Showcase cases the grants are for (labels of ``Seeder.showcase_specs``).
ON_FULL = "Full course: plan, offers gap, mentor log, overdue review"
ON_DIP = "Course with a motivation dip (early warning)"
ON_RISK = "Course with a risk event (early warning)"
ON_NO_PROGRESS = "Course with two reviews without progress"
ON_NEW_COURSE = "New course, review not yet due"
ON_CUSTODY_RELEASE = "Custody course, release within 60 days"
ON_CUSTODY_LONG = "Custody course, long sentence"
ON_OVERTURNED = "Refusal overturned: admitted"
ON_DRAFTS = "Assessment, instruments drafted"
ON_PARTLY_SIGNED = "Assessment, two of three signed"
ON_CORRECTED = "Assessment, corrected motivation (v2)"
ON_FEAR_ONLY = "Assessment overdue, fear-only motivation"
ON_PAROLE_ONLY = "Custody applicant, parole the only motive"


@dataclass(frozen=True)
class _Grant:
    """A planned application: what for, and what happens to it.

    ``outcome`` is "approve", "approve_partly" (``approved_kr``), "refuse", "ask",
    "ask_answer" (asked and answered: awaits decision again), "withdraw" or "" (submitted).
    ``payments`` are (kr, days ago); ``release`` releases what is unpaid.
    """

    label: str
    category: str
    amount_kr: int
    outcome: str = ""
    approved_kr: int = 0
    payments: tuple[tuple[int, int], ...] = ()
    release: bool = False
    over_cap_reason: str = ""
    document: str = ""  # "quote" or "invoice": a PDF attached
    plan_action: bool = False  # for the exit plan's latest housing action


POOL_LAST_YEAR = (
    _Grant(ON_FULL, "relocation", 35_000, "approve", payments=((35_000, 0),)),
    _Grant(ON_FULL, "tattoo_removal", 20_000, "approve", payments=((20_000, 0),)),
    _Grant(
        ON_NO_PROGRESS, "psychologist", 18_000, "approve", payments=((12_000, 0),), release=True
    ),
    _Grant(ON_NO_PROGRESS, "moving", 26_000, "refuse"),
)
POOL_THIS_YEAR = (
    # Tattoo removal: 142,500 of the 150,000 frame committed (95 %).
    _Grant(ON_FULL, "tattoo_removal", 25_000, "approve", payments=((25_000, 120),)),
    _Grant(ON_DIP, "tattoo_removal", 24_000, "approve", payments=((12_000, 60),)),
    _Grant(ON_RISK, "tattoo_removal", 23_500, "approve", payments=((23_500, 90),)),
    _Grant(ON_NO_PROGRESS, "tattoo_removal", 25_000, "approve_partly", 22_000, ((22_000, 45),)),
    _Grant(ON_CUSTODY_RELEASE, "tattoo_removal", 24_000, "approve"),
    _Grant(ON_OVERTURNED, "tattoo_removal", 24_000, "approve"),
    _Grant(ON_NEW_COURSE, "tattoo_removal", 20_000),  # more than the frame has left
    _Grant(
        ON_CUSTODY_LONG, "relocation", 62_000, "approve", payments=((40_000, 30),),
        over_cap_reason="Kræver skjult ophold i otte uger ved løsladelsen; truslen er vurderet "
        "som konkret af politiet.",
    ),
    _Grant(
        ON_FULL, "relocation", 26_000, "approve", payments=((26_000, 150),), document="invoice",
        plan_action=True,
    ),
    _Grant(ON_CORRECTED, "relocation", 30_000, "ask"),
    _Grant(ON_DIP, "psychologist", 18_000, "approve", payments=((9_000, 20),)),
    _Grant(ON_DRAFTS, "psychologist", 16_000, "ask_answer"),
    _Grant(ON_FEAR_ONLY, "psychologist", 20_000, "refuse"),
    _Grant(ON_RISK, "psychologist", 15_000, "approve", payments=((10_000, 40),), release=True),
    _Grant(
        ON_OVERTURNED, "moving", 25_000, "approve", payments=((25_000, 10),), document="invoice",
    ),
    _Grant(ON_PARTLY_SIGNED, "moving", 28_000, "withdraw"),
    _Grant(ON_NO_PROGRESS, "moving", 22_000, "approve"),
    _Grant(ON_PAROLE_ONLY, "moving", 22_000, document="quote"),
    _Grant(ON_NEW_COURSE, "other", 12_000, "approve_partly", 8_000),
)  # fmt: skip
POOL_REASONS = {
    "approve_partly": "Bevilget svarende til retningslinjens takst.",
    "refuse": "Behandlingen dækkes af regionen; puljen dækker ikke det samme to gange.",
    "ask": "Send venligst tilbuddet og politiets trusselsvurdering.",
    "answer": "Tilbud og trusselsvurdering er vedhæftet.",
    "withdraw": "Kommunen betaler flytningen alligevel.",
    "release": "Behandlingen sluttede før tid; resten frigives.",
}


def demo_pdf(text: str) -> bytes:
    """Return a small, valid one-page PDF showing ``text`` (ASCII)."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def seed_pool(seeder: Seeder, showcase: Sequence[_Spec]) -> list[str]:
    """Seed the central pool on the showcase cases, through the pool's services.

    Runs with the showcase (once, like the rest of the demo) and adds nothing when a budget
    year exists already. Returns the lines to print.
    """
    if BudgetYear.objects.exists():
        return ["Central pool: budget years exist already; no pool data added."]
    head = seeder.staff["head"]
    decider = seeder.staff["decision-maker"]
    today = seeder.today
    this_year, last_year = today.year, today.year - 1
    cases = {spec.label: spec.case for spec in showcase if spec.case is not None}

    def case_for(label: str) -> Case:
        case = Case.objects.get(pk=cases[label].pk)
        assert case.status in APPLICABLE_STATUSES, f"{label}: {case.status}"
        return case

    with audited():
        # Guidelines: every category from 1 January last year; tattoo removal revised this year.
        for category, (text, cap, person_cap, documentation) in POOL_GUIDELINES.items():
            earlier = POOL_EARLIER_TATTOO if category == "tattoo_removal" else None
            first = earlier or (text, cap, person_cap, documentation)
            guideline_publish(
                actor=head,
                category=category,
                description=first[0],
                cap_per_grant_ore=first[1] * 100,
                cap_per_person_year_ore=first[2] * 100,
                required_documentation=first[3],
                valid_from=date(last_year, 1, 1),
            )
            if earlier:
                guideline_publish(
                    actor=head,
                    category=category,
                    description=text,
                    cap_per_grant_ore=cap * 100,
                    cap_per_person_year_ore=person_cap * 100,
                    required_documentation=documentation,
                    valid_from=date(this_year, 1, 1),
                )
        # Last year: the appropriation, no frames.
        budget_year_create(
            actor=head,
            year=last_year,
            amount_ore=POOL_BUDGET_KR * 100,
            reason=f"Finansloven for {last_year}.",
        )
        # This year: the appropriation less a later supplement, set aside in frames, adjusted.
        year = budget_year_create(
            actor=head,
            year=this_year,
            amount_ore=(POOL_BUDGET_KR - 50_000) * 100,
            reason=f"Finansloven for {this_year}.",
        )
        # (kind, kroner, from category, to category, reason)
        entries = [
            ("reallocation", frame_kr, "", category, "Årets ramme for kategorien.")
            for category, frame_kr in POOL_FRAMES_KR.items()
        ]
        entries += [
            (
                "reallocation",
                20_000,
                "other",
                "psychologist",
                "Flere henvisninger til psykolog end ventet.",
            ),
            ("allocation", 50_000, "", "relocation", "Tillægsbevilling til akutte genhusninger."),
        ]
        for kind, kroner, source, target, reason in entries:
            budget_entry_add(
                actor=head,
                budget_year=year,
                kind=kind,
                amount_ore=kroner * 100,
                from_category=source,
                to_category=target,
                reason=reason,
            )

        def run(grant: _Grant, year_number: int) -> Application:
            case = case_for(grant.label)
            worker = seeder.worker(case)
            first = max(case.opened_on, date(year_number, 1, 1))
            period_from = min(first, date(year_number, 12, 31))
            action = None
            if grant.plan_action:
                action = (
                    PlanAction.objects.filter(case=case, goal__life_area=LifeArea.HOUSING)
                    .order_by("-deadline", "pk")
                    .first()
                )
            application = application_submit(
                actor=worker,
                case=case,
                category=grant.category,
                amount_ore=grant.amount_kr * 100,
                purpose=POOL_PURPOSES[grant.category],
                supplier=POOL_SUPPLIERS[grant.category],
                period_from=period_from,
                period_to=min(period_from + timedelta(days=60), date(year_number, 12, 31)),
                plan_action=action,
                over_cap_reason=grant.over_cap_reason,
            )
            if grant.document:
                kind = "invoice" if grant.document == "invoice" else "quote"
                attachment_add(
                    actor=worker,
                    application=application,
                    kind=kind,
                    filename=f"{'faktura' if kind == 'invoice' else 'tilbud'}.pdf",
                    data=demo_pdf(
                        f"{'Faktura' if kind == 'invoice' else 'Tilbud'} "
                        f"{application.reference} - syntetiske demodata"
                    ),
                )
            if grant.outcome == "withdraw":
                return application_withdraw(
                    actor=worker, application=application, reason=POOL_REASONS["withdraw"]
                )
            if not grant.outcome:
                return application
            outcome = "ask" if grant.outcome.startswith("ask") else grant.outcome
            application = application_decide(
                actor=decider,
                application=application,
                outcome=outcome,
                reason=POOL_REASONS.get(outcome, ""),
                amount_ore=grant.approved_kr * 100 if grant.approved_kr else None,
            )
            if grant.outcome == "ask_answer":
                return application_answer(
                    actor=worker, application=application, answer=POOL_REASONS["answer"]
                )
            for number, (amount_kr, days_ago) in enumerate(grant.payments, start=1):
                day = min(max(today - timedelta(days=days_ago), period_from), today)
                if year_number != this_year:
                    day = min(period_from + timedelta(days=30), date(year_number, 12, 31))
                payment_register(
                    actor=head,
                    application=application,
                    paid_on=day,
                    amount_ore=amount_kr * 100,
                    invoice_reference=f"FAK-{year_number}-{application.pk:04d}-{number}",
                )
            if grant.release:
                application = grant_release(
                    actor=head, application=application, reason=POOL_REASONS["release"]
                )
            return application

        for grant in POOL_LAST_YEAR:
            run(grant, last_year)
        made = [run(grant, this_year) for grant in POOL_THIS_YEAR]

    tattoo = CategoryFrame.objects.get(budget_year__year=this_year, category="tattoo_removal")
    waiting = next(a for a, g in zip(made, POOL_THIS_YEAR, strict=True) if g.label == ON_NEW_COURSE)
    return [
        f"Central pool: budgets for {last_year} (closed out) and {this_year}; "
        f"{Application.objects.count()} applications in every status",
        f"Central pool: tattoo removal {tattoo.committed_ore * 100 // tattoo.budget_ore} % "
        f"committed; {waiting.reference} asks for more than is left",
    ]
