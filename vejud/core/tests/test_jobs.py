"""The recurring jobs' commands share one --enqueue (vejud.core.jobs.JobCommand)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vejud.core.jobs import JobCommand

JOBS = ("training-offers", "release-plans", ("retention", "run"), "sso-deactivate-inactive")


@pytest.mark.parametrize("job", JOBS)
def test_each_job_runs_here_or_enqueues(db, settings, capsys, job):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    args = (job,) if isinstance(job, str) else job
    call_command(*args, "--enqueue")
    assert capsys.readouterr().out.startswith("Enqueued job ")
    call_command(*args)
    out = capsys.readouterr().out
    assert out and not out.startswith("Enqueued")


def test_options_that_do_not_go_with_enqueue_are_refused(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with pytest.raises(CommandError, match="as of today and for real"):
        call_command("retention", "run", "--enqueue", "--dry-run")


def test_a_job_command_must_say_what_it_runs():
    with pytest.raises(NotImplementedError):
        JobCommand().run()
