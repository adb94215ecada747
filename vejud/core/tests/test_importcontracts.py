"""The import contracts in pyproject.toml break on a wrong-way import (bin/test runs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# One wrong-way import per contract, each in a new module of a copy of the package.
WRONG = {
    "vejud/core/wrong.py": "import vejud.cases.models\n",
    "vejud/courses/wrong.py": "from vejud.cases import views\n",
    "vejud/access/wrong.py": "import vejud.transfers.services\n",
    "vejud/people/wrong.py": "import vejud.cases.models\n",
    "vejud/pool/wrong.py": "import vejud.demo\n",
}
CONTRACTS = [
    "vejud.core holds infrastructure only",
    "An app's views are imported only by that app",
    "vejud.access imports no domain views or services",
    "No import cycles between the packages directly under vejud",
    "No app imports the API, the demo data or the test builders",
]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "500"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Return a copy of the package's Python files."""

    def not_python(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if not n.endswith(".py") and not Path(directory, n).is_dir()}

    shutil.copytree(ROOT / "vejud", tmp_path / "vejud", ignore=not_python)
    return tmp_path


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_every_contract_is_kept_then_broken_by_a_wrong_way_import(tree: Path):
    kept = _lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in kept.stdout

    for path, line in WRONG.items():
        (tree / path).write_text(line)
    broken = _lint(tree)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    report = " ".join(broken.stdout.split())
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in report
    for name in CONTRACTS:
        assert name in report
    for path in WRONG:
        if path != "vejud/people/wrong.py":
            assert path.removesuffix(".py").replace("/", ".") in report
    # The cycle is reported between packages, not modules; with several wrong imports at once
    # import-linter may list a longer cut set (truncated), so only the verdict is certain.
    assert "No cycles are allowed in vejud. It could be made acyclic by removing" in report
