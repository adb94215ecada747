"""No view function over 30 lines: a view reads the request and answers; the rest is helpers.

Counted from the ``def`` line to the function's last line (docstring included, decorators
not), for every function in every ``views*.py`` under ``vejud`` (the helpers there too) and
every API operation (a decorated function in ``vejud/api/routers/``).
"""

from __future__ import annotations

import ast
from pathlib import Path

MAX_LINES = 30
ROOT = Path(__file__).resolve().parent.parent / "vejud"


def view_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*views*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def operation_files() -> list[Path]:
    return sorted((ROOT / "api" / "routers").glob("*.py"))


def long_functions(path: Path, *, decorated_only: bool = False) -> list[tuple[str, int]]:
    """Return ``(name, lines)`` of each function in ``path`` longer than ``MAX_LINES``
    (``decorated_only``: only those with a decorator, as the API's operations have)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.decorator_list or not decorated_only)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_LINES
    ]


def test_the_scan_reads_the_views_of_every_app():
    names = {path.relative_to(ROOT).as_posix() for path in view_files()}
    assert {"cases/views.py", "cases/person_views.py", "intake/views.py"} <= names
    assert {"accounts/views.py", "auditor/views.py", "statistics/views.py"} <= names


def test_the_scan_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "views.py").write_text(
        f"def short():\n    pass\n\n\ndef long():\n{body}\n\n\n@get\ndef op():\n{body}\n"
    )
    path = tmp_path / "views.py"
    assert long_functions(path) == [("long", MAX_LINES + 1), ("op", MAX_LINES + 1)]
    assert long_functions(path, decorated_only=True) == [("op", MAX_LINES + 1)]


def test_no_view_function_over_30_lines():
    found = [(path, long_functions(path)) for path in view_files()]
    found += [(path, long_functions(path, decorated_only=True)) for path in operation_files()]
    too_long = [
        f"{path.relative_to(ROOT).as_posix()}: {name} has {lines} lines"
        for path, functions in found
        for name, lines in functions
    ]
    assert too_long == []
