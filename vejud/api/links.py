"""OpenAPI links: which response gives the identifiers of which next operation.

A client (and schemathesis' stateful phase, ``bench/fuzz``) follows them from an operation
that creates something to the operations on what it created: the inquiry's new case to its
consents, transitions, transfers and grants; a goal to its actions; an application to its
decision, payments and documents. Without them a generated request names a random reference
and stops at 404. ``with_links`` adds them to the schema the API serves; a test checks that
every link names a real operation, real parameters and a field the response has.
"""

from __future__ import annotations

from typing import Any

PATH = "$request.path.{name}"
BODY = "$response.body#/{name}"

# The case's operations a new case (an inquiry) leads to.
CASE_OPERATIONS = (
    "cases_detail",
    "process_overview",
    "consent_record",
    "case_transition",
    "information_request",
    "course_overview",
    "reviews",
    "case_transfers",
    "case_grants",
    "grant_apply",
)
GRANT_OPERATIONS = (
    "grant_detail",
    "grant_decide",
    "grant_answer",
    "grant_withdraw",
    "grant_payment",
    "grant_release",
    "grant_attach",
)

# producer operationId -> (status, [(target operationId, {parameter: runtime expression})])
LINKS: dict[str, tuple[str, list[tuple[str, dict[str, str]]]]] = {
    "inquiry_register": (
        "201",
        [(target, {"reference": BODY.format(name="reference")}) for target in CASE_OPERATIONS],
    ),
    "consent_record": (
        "201",
        [
            (
                "consent_withdraw",
                {"reference": PATH.format(name="reference"), "consent_id": BODY.format(name="id")},
            )
        ],
    ),
    "information_request": (
        "201",
        [
            (
                "information_answer",
                {"reference": PATH.format(name="reference"), "request_id": BODY.format(name="id")},
            )
        ],
    ),
    "goal_add": (
        "201",
        [
            (
                "action_add",
                {"reference": PATH.format(name="reference"), "goal_id": BODY.format(name="id")},
            )
        ],
    ),
    "action_add": (
        "201",
        [
            (
                "action_update",
                {"reference": PATH.format(name="reference"), "action_id": BODY.format(name="id")},
            )
        ],
    ),
    "offer_add": (
        "201",
        [
            (
                "offer_update",
                {"reference": PATH.format(name="reference"), "offer_id": BODY.format(name="id")},
            )
        ],
    ),
    "meeting_log": (
        "201",
        [
            (
                "meeting_resolve",
                {"reference": PATH.format(name="reference"), "meeting_id": BODY.format(name="id")},
            )
        ],
    ),
    "transfer_request": (
        "201",
        [
            (
                "transfer_cancel",
                {"reference": PATH.format(name="reference"), "transfer_id": BODY.format(name="id")},
            ),
            ("transfer_accept", {"transfer_id": BODY.format(name="id")}),
            ("transfer_decline", {"transfer_id": BODY.format(name="id")}),
        ],
    ),
    "release_transfer_request": (
        "201",
        [
            ("transfer_accept", {"transfer_id": BODY.format(name="id")}),
            ("transfer_decline", {"transfer_id": BODY.format(name="id")}),
        ],
    ),
    "grant_apply": (
        "201",
        [
            (
                target,
                {
                    "reference": PATH.format(name="reference"),
                    "application_id": BODY.format(name="id"),
                },
            )
            for target in GRANT_OPERATIONS
        ],
    ),
    "grant_attach": (
        "201",
        [
            (
                "grant_attachment",
                {
                    "reference": PATH.format(name="reference"),
                    "application_id": PATH.format(name="application_id"),
                    "attachment_id": BODY.format(name="id"),
                },
            )
        ],
    ),
    "pool_year_open": (
        "201",
        [
            (target, {"year": BODY.format(name="year")})
            for target in ("pool_year_overview", "pool_entries", "pool_entry_add")
        ],
    ),
}


def with_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Add ``LINKS`` to the responses of ``schema`` (an OpenAPI document); return it."""
    operations = {
        operation["operationId"]: operation
        for item in schema.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for producer, (status, targets) in LINKS.items():
        responses = operations[producer]["responses"]
        response = responses.get(status, responses.get(int(status)))
        response["links"] = {
            target: {"operationId": target, "parameters": dict(parameters)}
            for target, parameters in targets
        }
    return schema
