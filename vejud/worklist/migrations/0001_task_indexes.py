"""Indexes that serve the task list's queries (``worklist.selectors``).

The task list reads, per kind, the most urgent open items in due order and keeps
those of the user's cases. A partial index over the open items in that order lets
the database stop after the first hundred of the user's, instead of joining every
open item of the country to every case of the unit and sorting. The tables belong
to other apps; the indexes are the task list's, so they live here. PostgreSQL and
SQLite both have partial indexes.
"""

from django.db import migrations

INDEXES = (
    (
        "worklist_open_action_due",
        "courses_planaction (deadline, id) WHERE status IN ('planned', 'in_progress')",
    ),
    (
        "worklist_open_warning_raised",
        "followup_earlywarning (raised_at, id) WHERE resolved_at IS NULL",
    ),
    (
        "worklist_meeting_attention_open",
        "courses_mentormeeting (met_on, id)"
        " WHERE needs_attention AND attention_resolved_at IS NULL",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("followup", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {definition}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, definition in INDEXES
    ]
