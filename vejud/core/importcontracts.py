"""The project's own import-linter contract type (configured in ``pyproject.toml``).

Only ``lint-imports`` (a development tool, run by ``bin/test``) loads this module.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import helpers


def _is_views(module: str, app: str) -> bool:
    """Return True for an app's page views: a module or package named ``views`` or ``*_views``."""
    return any(part.endswith("views") for part in module[len(app) + 1 :].split("."))


class ViewsPrivateContract(Contract):
    """An app's views (``<app>.views``, ``<app>.*_views``) are imported only by that app.

    Configuration options:
        - parent: the package whose children are the apps (``vejud``).
        - allowed_importers: modules that may import any app's views (the URL configuration).
        - ignore_imports: imports left out of the check (e.g. the apps' tests).
        - unmatched_ignore_imports_alerting: "none", "warn" or "error" (default) when an
          ``ignore_imports`` expression matches no import.
    """

    type_name = "views_private"

    parent = fields.StringField()
    allowed_importers = fields.ListField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        allowed = {
            module.name
            for module in helpers.module_expressions_to_modules(
                graph,
                self.allowed_importers or [],  # type: ignore[arg-type]
                as_packages=True,
            )
        }
        illegal: list[dict[str, Any]] = []
        for app in sorted(graph.find_children(str(self.parent))):
            for module in sorted(graph.find_descendants(app)):
                if not _is_views(module, app):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if importer == app or importer.startswith(f"{app}.") or importer in allowed:
                        continue
                    details = graph.get_import_details(importer=importer, imported=module)
                    lines = tuple(detail["line_number"] for detail in details)
                    illegal.append({"importer": importer, "imported": module, "lines": lines})
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for link in check.metadata["illegal"]:
            lines = ", ".join(str(line) for line in link["lines"])
            output.print_error(
                f"{link['importer']} -> {link['imported']} (l. {lines}): "
                "another app's views; move what both need below the views "
                "(selectors, services, the access package)",
                bold=False,
            )
            output.new_line()
