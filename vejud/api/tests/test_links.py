"""The OpenAPI links: every one names a real operation, its path parameters and a response field."""

from __future__ import annotations

import re

from vejud.api.api import api
from vejud.api.links import LINKS


def _operations(schema):
    return {
        operation["operationId"]: (path, operation)
        for path, item in schema["paths"].items()
        for operation in item.values()
    }


def _response_properties(schema, response) -> set[str]:
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])


def test_every_link_leads_somewhere_real():
    schema = api.get_openapi_schema()
    operations = _operations(schema)
    checked = 0
    for producer, (status, targets) in LINKS.items():
        producer_path, operation = operations[producer]
        response = operation["responses"][int(status)]
        fields = _response_properties(schema, response)
        assert set(response["links"]) == {target for target, _parameters in targets}
        for target, parameters in targets:
            target_path, _target_operation = operations[target]
            assert set(parameters) <= set(re.findall(r"\{(\w+)\}", target_path)), target
            for expression in parameters.values():
                if expression.startswith("$response.body#/"):
                    assert expression.removeprefix("$response.body#/") in fields, expression
                else:
                    name = expression.removeprefix("$request.path.")
                    assert f"{{{name}}}" in producer_path, expression
                checked += 1
    assert checked >= 40


def test_a_new_inquiry_leads_to_its_case_and_an_application_to_its_documents():
    schema = api.get_openapi_schema()
    operations = _operations(schema)
    inquiry = operations["inquiry_register"][1]["responses"][201]["links"]
    grant = operations["grant_apply"][1]["responses"][201]["links"]

    assert inquiry["cases_detail"]["parameters"] == {"reference": "$response.body#/reference"}
    assert grant["grant_attach"]["parameters"] == {
        "reference": "$request.path.reference",
        "application_id": "$response.body#/id",
    }
