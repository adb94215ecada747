"""The offers task through django-tasks, with a controlled clock (time-machine): a worker
stopped for three days catches up, and each new offer gets its full time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from vejud.testing.training import make_course, make_session, make_staff
from vejud.training.models import RegistrationStatus
from vejud.training.services import cancel, register
from vejud.training.tasks import expire_training_offers

S = RegistrationStatus
pytestmark = pytest.mark.django_db


def _statuses(registrations):
    for r in registrations:
        r.refresh_from_db()
    return [r.status for r in registrations]


def test_the_task_expires_offers_after_the_worker_was_down_for_three_days(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        session = make_session(world, make_course(world), capacity=1)
        holder = register(actor=world.member_a, session=session)
        waiting = [register(actor=u, session=session) for u in make_staff(world.unit_b, 3)]
        cancel(actor=world.member_a, registration=holder)
        assert _statuses(waiting) == [S.OFFERED, S.WAITING, S.WAITING]
        clock.shift(timedelta(hours=47))
        assert expire_training_offers.enqueue().return_value == 0
        # The worker stops; three days pass with nobody answering.
        clock.shift(timedelta(days=3))
        result = expire_training_offers.enqueue()
        assert result.return_value == 1
        assert _statuses(waiting) == [S.CANCELLED, S.OFFERED, S.WAITING]
        second = waiting[1]
        assert second.offer_expires_at == timezone.now() + timedelta(hours=48)
        clock.shift(timedelta(hours=49))
        call_command("training-offers")
        assert _statuses(waiting) == [S.CANCELLED, S.CANCELLED, S.OFFERED]


def test_the_command_enqueues(world, settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("training-offers", "--enqueue")
    assert "Enqueued job" in capsys.readouterr().out
