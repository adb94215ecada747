"""The OpenAPI links, derived from the schema: every one names a real operation, all its path
parameters and a field the producer's answer has; the chains into deep operations exist."""

from __future__ import annotations

import re

from vejud.api.api import api


def _operations(schema):
    return {
        operation["operationId"]: (path, operation)
        for path, item in schema["paths"].items()
        for operation in item.values()
    }


def _resolve(schema, node):
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif (
            "properties" not in node
            and "items" not in node
            and (node.get("anyOf") or node.get("oneOf"))
        ):
            node = next(v for v in node.get("anyOf") or node["oneOf"] if v.get("type") != "null")
        else:
            return node


def _has_pointer(schema, body, pointer: str) -> bool:
    node = body
    for segment in pointer.strip("/").split("/"):
        node = _resolve(schema, node)
        node = node["items"] if segment == "0" else node.get("properties", {}).get(segment)
        if node is None:
            return False
    return True


def _links(schema):
    for producer, (path, operation) in _operations(schema).items():
        for status, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                yield producer, path, status, response, name, link


def test_every_link_leads_somewhere_real():
    schema = api.get_openapi_schema()
    operations = _operations(schema)
    checked = 0
    for _producer, producer_path, status, response, name, link in _links(schema):
        assert str(status).startswith("2")
        target_path, _target = operations[link["operationId"]]
        assert name == link["operationId"]
        # Every path parameter of the target is given, nothing else.
        assert set(link["parameters"]) == set(re.findall(r"\{(\w+)\}", target_path)), name
        body = response["content"]["application/json"]["schema"]
        for expression in link["parameters"].values():
            if expression.startswith("$response.body#/"):
                pointer = expression.removeprefix("$response.body#")
                assert _has_pointer(schema, body, pointer), expression
            else:
                param = expression.removeprefix("$request.path.")
                assert f"{{{param}}}" in producer_path, expression
            checked += 1
    assert checked >= 120


# (producer, status, target, the parameter the answer gives, its pointer); the target's
# other parameters come from the producer's path.
DEEP = [
    ("inquiry_register", 201, "cases_detail", "reference", "/reference"),
    ("cases_list", 200, "course_overview", "reference", "/items/0/reference"),
    ("course_overview", 200, "action_update", "action_id", "/plan/0/goals/0/actions/0/id"),
    ("goal_add", 201, "action_add", "goal_id", "/id"),
    ("case_grants", 200, "grant_payment", "application_id", "/applications/0/id"),
    ("grant_apply", 201, "grant_attach", "application_id", "/id"),
    ("transfers_incoming", 200, "transfer_accept", "transfer_id", "/items/0/id"),
    ("pool_year_open", 201, "pool_entry_add", "year", "/year"),
]


def test_links_reach_the_deep_operations():
    schema = api.get_openapi_schema()
    operations = _operations(schema)

    def links(producer, status):
        return operations[producer][1]["responses"][status]["links"]

    for producer, status, target, param, pointer in DEEP:
        parameters = dict(links(producer, status)[target]["parameters"])
        assert parameters.pop(param) == f"$response.body#{pointer}", (producer, target)
        assert parameters == {name: f"$request.path.{name}" for name in parameters}
    # An attachment's kind is no assessment instrument: values must fit the parameter.
    assert "assessment_versions" not in links("grant_attach", 201)
    # A change answers with what the caller named: no links from it.
    assert "links" not in operations["grant_decide"][1]["responses"][200]


def test_every_operation_on_a_case_is_reached_from_the_case_list():
    schema = api.get_openapi_schema()
    operations = _operations(schema)
    from_list = set(operations["cases_list"][1]["responses"][200]["links"])
    only_reference = {
        name
        for name, (path, _operation) in operations.items()
        if re.findall(r"\{(\w+)\}", path) == ["reference"]
    }
    assert from_list == only_reference
