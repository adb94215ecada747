"""Prepare the API fuzzing run's data (``bench/fuzz``): run with the server's environment.

Makes the standard cast (``vejud.testing.make_world``), cases at every stage of the exit
process, a full course, a custody case with a release plan, this year's pool with a granted
and a pending application with a document, an incoming transfer, and a personal API token per
role. Prints JSON: the tokens by user, the case references and the objects' ids, which the
fuzzer draws path parameters from (schemathesis dictionaries) so that generated requests
reach the deep operations instead of stopping at 404.
"""

from __future__ import annotations

import json

import django

django.setup()

from django.utils import timezone  # noqa: E402

from vejud.accounts.tokens import token_create  # noqa: E402
from vejud.decisions.services import information_request_create  # noqa: E402
from vejud.organisations.models import Municipality, Unit, UnitKind  # noqa: E402
from vejud.pool.services import attachment_add  # noqa: E402
from vejud.testing import make_world  # noqa: E402
from vejud.testing.builders import (  # noqa: E402
    make_assessment_case,
    make_case_at,
    make_full_course,
    make_referred_case,
    make_release_case,
)
from vejud.testing.pool import make_application, make_grant, make_pool  # noqa: E402

ROLES = (
    "member_a",
    "coordinator_a",
    "member_b",
    "coordinator_b",
    "decision_maker",
    "head",
    "adviser",
    "mentor",
    "custody",
    "analyst",
)


def prepare() -> dict[str, object]:
    world = make_world()
    cases = [
        make_case_at(world, stage, last_name=f"Stage {stage}")
        for stage in ("inquiry", "assessment", "refused", "admitted", "closed")
    ]
    assessing = make_assessment_case(world, last_name="Assessing")
    referred = make_referred_case(world, last_name="Referred")
    question = information_request_create(
        actor=world.decision_maker, case=referred, question="Has he kept the appointments?"
    )
    course = make_full_course(world, last_name="Course")
    released = make_release_case(world, last_name="Released")
    make_pool(world, budget_kr=500_000)
    make_grant(world, course.case, amount_kr=5_000, category="moving")
    application = make_application(world, course.case, amount_kr=8_000)
    attachment = attachment_add(
        actor=world.member_a,
        application=application,
        kind="quote",
        filename="quote.pdf",
        data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    )
    references = [c.reference for c in (*cases, assessing, referred, course.case, released)]
    ids = {name: value for name, value in course.ids().items() if name != "case"}
    return {
        "references": references,
        # Body values the API looks up or judges (an inquiry's municipality and institution, a
        # date not in the future), offered half the time so that generated inquiries can open
        # cases and the stateful phase start from them.
        "body": {
            "municipality": list(Municipality.objects.values_list("name", flat=True)[:20]),
            "received_on": [timezone.localdate().isoformat()],
            "birth_date": ["1990-05-17"],
            "institution": list(
                Unit.objects.filter(kind=UnitKind.INSTITUTION).values_list("code", flat=True)[:10]
            ),
        },
        "ids": {
            **{f"{name}_id": value for name, value in ids.items()},
            "request_id": question.pk,
            "consent_id": referred.consents.order_by("pk").values_list("pk", flat=True)[0],
            "application_id": application.pk,
            "attachment_id": attachment.pk,
            "year": timezone.localdate().year,
        },
        "tokens": {name: token_create(user=world.users[name], name="fuzz")[1] for name in ROLES},
    }


if __name__ == "__main__":
    print(json.dumps(prepare()))
