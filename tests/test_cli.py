"""The ``vejud`` console script lists the operator commands, and they all exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

from vejud.__main__ import OPERATOR_COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def run_vejud(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("vejud")
    assert script.exists(), "the console script is missing: run bin/setup (pip install -e .)"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )


def test_help_lists_the_operator_commands():
    result = run_vejud("--help")

    assert result.returncode == 0, result.stderr
    for name in OPERATOR_COMMANDS:
        assert f"  {name} " in result.stdout


def test_every_operator_command_is_a_real_command():
    assert set(OPERATOR_COMMANDS) <= set(get_commands())


def test_an_operator_command_runs_through_the_script():
    result = run_vejud("load-reference", "--help")

    assert result.returncode == 0, result.stderr
    assert "--missing-only" in result.stdout
