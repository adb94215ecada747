"""Prepare a seeded database for a benchmark run (run by ``bench/run`` in a subprocess).

Runs inside Django with the same environment as the measured server. Creates or
refreshes the benchmark's own users (a fresh password and TOTP key every run, so
nothing published logs in), a case with a long history and a case for the
state-changing action, and picks the URLs of every measured page. Everything is
written through the services, audited like any other change; on a reused large
database it adds a few hundred rows at most. Prints one JSON object.
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import date
from typing import Any
from urllib.parse import urlencode

import django

# The name search is measured with a name that finds this many of the user's cases at every
# size, so the growth it reports is the data's (the name index over every person), not a
# longer list of results: a common name finds more people among a million than among ten
# thousand, and each person found is a row and an access-log record.
NAME_SEARCH_FOUND = 1
NAME_SEARCH_TRIES = 400


def name_to_search(mine: Any, depth: int, visible: Any) -> tuple[str, int]:
    """The full name of a person in the unit's caseload, from ``depth`` on, whose search finds
    ``NAME_SEARCH_FOUND`` visible cases (the first such, so the choice is the same every run);
    the name at ``depth`` if none of the next ``NAME_SEARCH_TRIES`` does."""
    from vejud.cases.selectors import filter_by_name

    names = list(
        mine.values_list("person__first_name", "person__last_name")[
            depth : depth + NAME_SEARCH_TRIES
        ]
    )
    for first, last in names:
        name = f"{first} {last}"
        found = filter_by_name(visible, name.lower()).count()
        if found == NAME_SEARCH_FOUND:
            return name, found
    first, last = names[0]
    return f"{first} {last}", filter_by_name(visible, f"{first} {last}".lower()).count()


def main() -> None:
    django.setup()

    from django.db.models import Sum

    from vejud.access.cases import cases_visible_to
    from vejud.accounts.models import AuthenticatorDevice, Membership, Role, User
    from vejud.cases import services as case_services
    from vejud.cases.models import Case, CaseStatus, JournalEntry, Track
    from vejud.organisations.models import Agency, Unit, UnitKind
    from vejud.people.models import Person
    from vejud.people.services import person_create
    from vejud.statistics.models import CaseCount

    options: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    history = int(options.get("history", 150))
    password = secrets.token_urlsafe(24)

    busiest = (
        CaseCount.objects.filter(unit__kind=UnitKind.LOCAL)
        .values("unit")
        .annotate(total=Sum("n"))
        .order_by("-total", "unit")
        .first()
    )
    if busiest is None:
        raise SystemExit("prepare: no cases in a local unit; seed the database first")
    unit = Unit.objects.get(pk=busiest["unit"])
    national = Unit.objects.filter(kind=UnitKind.NATIONAL).order_by("pk").first()
    if national is None:
        raise SystemExit("prepare: no national unit; run vejud load-reference first")

    cast = {
        "coordinator": (unit, Role.UNIT_COORDINATOR, Agency.POLICE),
        "analyst": (national, Role.ANALYST, Agency.NATIONAL),
        "sysadmin": (national, Role.SYSTEM_ADMINISTRATOR, Agency.NATIONAL),
    }
    users: dict[str, dict[str, str]] = {}
    accounts: dict[str, User] = {}
    for name, (member_of, role, agency) in cast.items():
        email = f"bench.{name}@bench.vejud.dk"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, password, full_name=f"Bench {name.title()}", language="en"
            )
        user.set_password(password)
        user.is_active = True
        user.is_staff = role == Role.SYSTEM_ADMINISTRATOR
        user.language = "en"
        user.save()
        Membership.objects.filter(user=user).exclude(unit=member_of, role=role).delete()
        Membership.objects.get_or_create(
            user=user,
            unit=member_of,
            role=role,
            defaults={"agency": agency, "valid_from": date(2020, 1, 1)},
        )
        key = secrets.token_hex(20)
        AuthenticatorDevice.objects.filter(user=user).delete()
        AuthenticatorDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
        users[name] = {"email": email, "password": password, "totp_key": key}
        accounts[name] = user

    coordinator = accounts["coordinator"]

    def bench_case(last_name: str) -> Case:
        person = Person.objects.filter(first_name="Bench", last_name=last_name).first()
        if person is None:
            person = person_create(
                actor=coordinator,
                first_name="Bench",
                last_name=last_name,
                birth_date=date(1990, 1, 1),
            )
        case = Case.objects.filter(person=person).order_by("pk").first()
        if case is None or case.responsible_unit_id != unit.pk:
            case = case_services.case_open(
                actor=coordinator, person=person, unit=unit, track=Track.LIBERTY
            )
            case_services.case_transition(
                actor=coordinator, case=case, target=CaseStatus.ASSESSMENT
            )
        return case

    long_case = bench_case("Longhistory")
    written = JournalEntry.objects.filter(case=long_case).count()
    for number in range(written, history):
        case_services.journal_add(
            actor=coordinator,
            case=long_case,
            text=f"Benchmark journal note {number + 1}: a conversation, a plan, a follow-up.",
        )
    action_case = bench_case("Action")

    mine = Case.objects.filter(responsible_unit=unit).order_by("-pk")
    visible = mine.count()
    depth = min(max(visible * 9 // 10, 0), visible - 1)
    deep = mine.values_list("pk", flat=True)[depth : depth + 1][0]
    middle = mine.values_list("reference", flat=True)[visible // 2 : visible // 2 + 1][0]
    searched, found = name_to_search(mine, depth, cases_visible_to(coordinator))

    pages = {
        "floor": {"user": "coordinator", "path": "/ping/", "expect": 200, "marker": "Bench"},
        "caseload_first": {"user": "coordinator", "path": "/sager/", "expect": 200},
        "caseload_filtered": {
            "user": "coordinator",
            "path": f"/sager/?status={CaseStatus.ASSESSMENT.value}&track={Track.LIBERTY.value}",
            "expect": 200,
        },
        "caseload_deep": {
            "user": "coordinator",
            "path": f"/sager/?after={deep}",
            "expect": 200,
            "depth": depth,
        },
        "search_reference": {
            "user": "coordinator",
            "path": f"/sager/?q={middle}",
            "expect": 200,
            "marker": middle,
        },
        "search_name": {
            "user": "coordinator",
            "path": "/sager/?" + urlencode({"q": searched}),
            "expect": 200,
            "found": found,
        },
        "case_page": {
            "user": "coordinator",
            "path": f"/sager/{long_case.reference}/",
            "expect": 200,
            "marker": long_case.reference,
            "history": history,
        },
        "tasks": {"user": "coordinator", "path": "/opgaver/", "expect": 200},
        "overview": {"user": "analyst", "path": "/statistik/", "expect": 200},
        # The harmonisation dashboard for the year so far: every figure, every unit.
        "dashboard": {"user": "analyst", "path": "/statistik/harmonisering/", "expect": 200},
        "admin_changelist": {
            "user": "sysadmin",
            "path": f"/bench-admin/cases/case/?status__exact={CaseStatus.ASSESSMENT.value}",
            "expect": 200,
        },
        # Django's own page of one case: the admin's view of the case page's case (five
        # columns, read-only), the comparison for the case page as the changelist is for
        # the caseload.
        "admin_case": {
            "user": "sysadmin",
            "path": f"/bench-admin/cases/case/{long_case.pk}/change/",
            "expect": 200,
            "marker": long_case.reference,
        },
        "action": {
            "user": "coordinator",
            "path": f"/sager/{action_case.reference}/journal/",
            "method": "POST",
            "form": {"note-text": "Benchmark note: the state-changing action."},
            "expect": 302,
        },
    }
    print(
        json.dumps(
            {
                "unit": unit.name,
                "unit_cases": visible,
                "cases": Case.objects.count(),
                "users": users,
                "pages": pages,
            }
        )
    )


if __name__ == "__main__":
    main()
