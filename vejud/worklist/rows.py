"""The task list's rows, ready to print."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from django.urls import reverse
from django.utils.formats import date_format

from vejud.cases.models import CaseStatus
from vejud.core.rows import PrintedRow
from vejud.worklist.selectors import TASK_LABELS, Task, TaskKind


@dataclass(frozen=True)
class TaskRow(PrintedRow):
    """One row of the task list with its texts worked out in Python: the template only prints
    them (reversing a URL, translating the labels and formatting the date row by row in the
    template cost more than the queries that find the tasks)."""

    label: str
    detail: str
    reference: str
    href: str  # the task's page: an advice request, the transfers, an application, the case
    due_on: str
    overdue: bool
    status_label: str


def task_rows(tasks: Iterable[Task]) -> list[TaskRow]:
    """Return the rows of ``tasks`` as ``Task.label``/``status_label`` and the links say."""
    labels = {kind: str(label) for kind, label in TASK_LABELS.items()}
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    head, _placeholder, tail = reverse("cases:detail", kwargs={"reference": "~"}).rpartition("~")
    incoming = reverse("transfers:incoming")
    dates: dict[date, str] = {}
    rows = []
    for task in tasks:
        if task.href:
            href = task.href
        elif task.kind == TaskKind.TRANSFER_INCOMING:
            href = incoming
        elif task.application_id:
            href = reverse(
                "pool:application",
                kwargs={"reference": task.reference, "application_id": task.application_id},
            )
        else:
            href = f"{head}{quote(task.reference, safe='')}{tail}"
        due = ""
        if task.due_on is not None:
            due = dates.get(task.due_on) or dates.setdefault(
                task.due_on, date_format(task.due_on, "SHORT_DATE_FORMAT")
            )
        rows.append(
            TaskRow(
                label=labels[task.kind],
                detail=task.detail,
                reference=task.reference,
                href=href,
                due_on=due,
                overdue=task.overdue,
                status_label=task.status_text or statuses[task.status],
            )
        )
    return rows
