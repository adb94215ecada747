"""OpenAPI links: which response gives the identifiers of which next operation.

A client (and schemathesis' stateful phase, ``bench/fuzz``) follows them from an operation
that lists or creates something to the operations on it: the case list and a new inquiry
to every operation on a case, the course overview to its goals, actions, offers and
meetings, a case's grants to each application's decision, payments and documents.
Without them a generated request names a random reference and stops at 404.

Nothing here is written out by hand: ``derive_links`` reads them off the schema the
routers and the declared case actions (``vejud.api.operations``) produce, so an operation
added or moved gets its links. A path parameter ``{p}`` after a collection segment
(``/goals/{goal_id}``, ``/cases/{reference}``) is given by

- an operation on the collection that creates one: a POST whose path ends in that segment
  (or the segment is what the POST creates: a top-level ``p`` in its 201, e.g. the
  inquiry's ``reference``), from its answer's ``id`` (or ``p``);
- an operation that lists them: an answer holding an array named after the collection or
  the parameter (``goals``, ``open_warnings``, ``applications``; ``items`` on the
  collection's own path), from the first element's ``id`` (or ``p``);

and every other path parameter of the target from the producer's own path
(``$request.path.reference``). A value is taken only where its type (and enum) is the
parameter's. Links start from reads (GET) and creations (201) only: a change answers with
what the caller already named. Plain JSON pointers (``/items/0/reference``), as OpenAPI
3.1 runtime expressions define them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PARAM = re.compile(r"\{(\w+)\}")
MAX_DEPTH = 4


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    responses: dict[Any, Any]
    parameters: list[dict[str, Any]]

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def segments(self) -> list[str]:
        return [s for s in self.path.split("/") if s]

    def success(self) -> tuple[Any, dict[str, Any]] | None:
        """The (status, response) of the operation's one success answer with a JSON body."""
        for status, response in self.responses.items():
            if str(status).startswith("2") and "content" in response:
                return status, response
        return None


def _operations(schema: dict[str, Any]) -> list[Operation]:
    return [
        Operation(
            operation["operationId"],
            method,
            path,
            operation["responses"],
            operation.get("parameters", []),
        )
        for path, item in schema.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def _collection(path: str, param: str) -> str:
    """The segment before ``{param}`` in ``path`` ('' if it is the first)."""
    segments = [s for s in path.split("/") if s]
    index = segments.index(f"{{{param}}}")
    return segments[index - 1] if index else ""


def _resolve(schema: dict[str, Any], node: Any) -> dict[str, Any]:
    """``node`` with its ``$ref`` followed and a nullable or one-of reduced to its object."""
    for _ in range(10):
        if not isinstance(node, dict):
            return {}
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
            continue
        variants = node.get("anyOf") or node.get("oneOf") or node.get("allOf")
        if variants and "properties" not in node and "items" not in node:
            concrete = [v for v in variants if v.get("type") != "null"]
            node = concrete[0] if concrete else {}
            continue
        return node
    return {}


def _walk(schema: dict[str, Any], root: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (pointer, property name, object schema) for every object in the answer,
    breadth first (shortest pointers first); an array stands for its first element."""
    queue: deque[tuple[str, str, Any, int]] = deque([("", "", root, 0)])
    while queue:
        pointer, name, node, depth = queue.popleft()
        node = _resolve(schema, node)
        if node.get("type") == "array" or "items" in node:
            queue.append((f"{pointer}/0", name, node.get("items"), depth))
            continue
        properties = node.get("properties")
        if not properties:
            continue
        yield pointer, name, properties
        if depth < MAX_DEPTH:
            for key, value in properties.items():
                queue.append((f"{pointer}/{key}", key, value, depth + 1))


def _fits(schema: dict[str, Any], field: Any, target: Operation, param: str) -> bool:
    """Whether a value of the answer's ``field`` is one the parameter accepts (type, enum)."""
    expected = next(
        (_resolve(schema, p.get("schema")) for p in target.parameters if p["name"] == param), {}
    )
    given = _resolve(schema, field)
    if expected.get("type") != given.get("type"):
        return False
    return "enum" not in expected or set(given.get("enum", ())) <= set(expected["enum"])


def _names(collection: str, param: str) -> set[str]:
    """Array names that hold the objects a ``{param}`` after ``collection`` names."""
    names = {collection.replace("-", "_")}
    if param.endswith("_id"):
        names.add(param.removesuffix("_id") + "s")
    return names


def _source(
    schema: dict[str, Any], producer: Operation, body: Any, target: Operation, param: str
) -> str | None:
    """The pointer into ``producer``'s answer that gives ``target``'s ``{param}``, or None."""
    collection = _collection(target.path, param)
    field = "id" if param.endswith("_id") else param
    last = producer.segments[-1] if producer.segments else ""
    # A POST on the collection (or its singular) creates one; a POST whose answer names a
    # case or a year at its top (an inquiry's reference) made it.
    creates = producer.method == "post" and (
        last in (collection, collection.removesuffix("s")) or field != "id"
    )
    names = _names(collection, param)
    for pointer, name, properties in _walk(schema, body):
        if field not in properties or not _fits(schema, properties[field], target, param):
            continue
        if pointer == "" and creates:
            return f"/{field}"
        listed = name in names or any(name.endswith(f"_{n}") for n in names)
        if (
            pointer
            and pointer.endswith("/0")
            and (listed or (name == "items" and collection in producer.segments))
        ):
            return f"{pointer}/{field}"
    return None


def _link(
    schema: dict[str, Any], producer: Operation, body: Any, target: Operation
) -> dict[str, str] | None:
    """The link's parameters from ``producer`` to ``target``, or None if it gives no id."""
    own = set(producer.params)
    given = [p for p in target.params if p not in own]
    if not given or target.operation_id == producer.operation_id:
        return None
    parameters: dict[str, str] = {}
    for param in given:
        pointer = _source(schema, producer, body, target, param)
        if pointer is None:
            return None
        parameters[param] = f"$response.body#{pointer}"
    for param in target.params:
        if param in own:
            parameters[param] = f"$request.path.{param}"
    return {name: parameters[name] for name in target.params}


def derive_links(schema: dict[str, Any]) -> dict[str, tuple[Any, dict[str, dict[str, str]]]]:
    """Return ``{producer operationId: (status, {target operationId: parameters})}``."""
    operations = _operations(schema)
    links: dict[str, tuple[Any, dict[str, dict[str, str]]]] = {}
    for producer in operations:
        success = producer.success()
        if success is None:
            continue
        status, response = success
        if producer.method != "get" and str(status) != "201":
            continue  # a change answers with what the caller already named
        body = response["content"].get("application/json", {}).get("schema")
        if body is None:
            continue
        targets = {
            target.operation_id: parameters
            for target in operations
            if (parameters := _link(schema, producer, body, target)) is not None
        }
        if targets:
            links[producer.operation_id] = (status, targets)
    return links


def with_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the derived links to the responses of ``schema`` (an OpenAPI document); return it."""
    by_id = {
        operation["operationId"]: operation
        for item in schema.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for producer, (status, targets) in derive_links(schema).items():
        response = by_id[producer]["responses"][status]
        response["links"] = {
            target: {"operationId": target, "parameters": parameters}
            for target, parameters in targets.items()
        }
    return schema
