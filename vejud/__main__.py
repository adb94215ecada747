"""The ``vejud`` console script: Django's manage.py with vejud's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command (``vejud --help`` lists the operator commands)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vejud.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "vejud"
    if len(argv) == 1 or argv[1] in {"--help", "-h"}:
        _print_operator_help()
        if len(argv) == 1:
            return
    execute_from_command_line(argv)


OPERATOR_COMMANDS = {
    "seed-demo": "Load reference data and a synthetic demo dataset (idempotent).",
    "load-reference": "Load or refresh the shipped reference data (units, municipalities).",
    "audit": "Audit trail tools: 'vejud audit verify' checks the hash chain.",
    "token": "API tokens: 'vejud token create --user EMAIL'.",
    "rotate-keys": "Re-encrypt protected fields under the newest VEJUD_FIELD_KEYS key.",
    "migrate": "Create or update the database schema (as VEJUD_MIGRATE_DATABASE_URL if set).",
    "db": "Database roles: 'vejud db grant-app-role' gives the application role its rights.",
    "runserver": "Development server (the demo uses it).",
    "db_worker": "Run background tasks (django-tasks database backend).",
    "createsuperuser": "Create a system administrator account.",
}


def _print_operator_help() -> None:
    print("vejud — the exit case system. Operator commands:\n")
    for name, text in OPERATOR_COMMANDS.items():
        print(f"  {name:<16} {text}")
    print("\nAll Django management commands are available too ('vejud help' lists them).\n")


if __name__ == "__main__":
    main()
