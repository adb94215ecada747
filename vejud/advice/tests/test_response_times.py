"""Response times in working hours against a hand-computed fixture, and the task list entries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from vejud.access.advice import requests_visible_to
from vejud.advice.selectors import overdue, response_medians
from vejud.advice.services import advice_answer, advice_message_add
from vejud.core.workhours import COPENHAGEN
from vejud.testing import verified_client
from vejud.testing.advice import ask_general
from vejud.worklist.selectors import TaskKind, tasks_for

pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=COPENHAGEN)


@pytest.fixture
def timed(world, settings):
    settings.VEJUD_WORKING_HOURS = "9-16"
    # Unit A, pool: Mon 30 Nov 10:00; first response 11:30 (1.5 h); answer Tue 10:00 (6 + 1 = 7 h).
    a1 = ask_general(world, topic="pool", now=at(2026, 11, 30, 10))
    advice_message_add(actor=world.adviser, request=a1, text="Which?", now=at(2026, 11, 30, 11, 30))
    advice_answer(actor=world.adviser, request=a1, text="Yes.", now=at(2026, 12, 1, 10))
    # Unit A, motivation: Fri 4 Dec 15:00; answered Mon 7 Dec 9:30 (1 + 0.5 = 1.5 h, both).
    a2 = ask_general(world, topic="motivation", now=at(2026, 12, 4, 15))
    advice_answer(actor=world.adviser, request=a2, text="Yes.", now=at(2026, 12, 7, 9, 30))
    # Unit A, pool: Wed 23 Dec 15:00; answered Mon 4 Jan 10:00: 1 + 7 (24 Dec) + 4 x 7 + 1 = 37 h.
    a3 = ask_general(world, topic="pool", now=at(2026, 12, 23, 15))
    advice_answer(actor=world.adviser, request=a3, text="Yes.", now=at(2027, 1, 4, 10))
    # Unit B, pool: Thu 3 Dec 9:00; first response 9:15 (0.25 h); not answered.
    b1 = ask_general(
        world, actor=world.member_b, unit=world.unit_b, topic="pool", now=at(2026, 12, 3, 9)
    )
    advice_message_add(actor=world.adviser, request=b1, text="Which?", now=at(2026, 12, 3, 9, 15))
    return world


def test_the_medians_per_unit_and_topic_match_the_hand_computed_fixture(timed):
    requests = list(requests_visible_to(timed.adviser).select_related("unit"))
    by_unit = {
        m.label: (m.requests, m.first_response, m.answer)
        for m in response_medians(requests, by="unit")
    }
    assert by_unit == {timed.unit_a.name: (3, 1.5, 7.0), timed.unit_b.name: (1, 0.25, None)}
    by_topic = {
        m.key: (m.requests, m.first_response, m.answer)
        for m in response_medians(requests, by="topic")
    }
    assert by_topic == {"motivation": (1, 1.5, 1.5), "pool": (3, 1.5, 22.0)}


def test_the_queue_page_shows_the_medians(timed):
    with time_machine.travel(at(2027, 1, 5, 10)):
        page = verified_client(timed.adviser).get(reverse("advice:queue")).content.decode()

    assert "<td>22.0</td>" in page and "<td>0.3</td>" in page  # 0.25 h shown to one decimal


def test_targets_in_working_hours(world, settings):
    settings.VEJUD_ADVICE_URGENT_FIRST_RESPONSE_HOURS = 1
    settings.VEJUD_ADVICE_NORMAL_ANSWER_HOURS = 35
    urgent = ask_general(
        world, urgency="urgent", urgency_reason="Tonight.", now=at(2026, 12, 4, 15, 30)
    )
    assert not overdue(urgent, at(2026, 12, 4, 16, 30))  # 0.5 h by closing time
    assert not overdue(urgent, at(2026, 12, 7, 9, 29))  # the weekend does not count
    assert overdue(urgent, at(2026, 12, 7, 9, 31))
    normal = ask_general(world, now=at(2026, 12, 7, 9))
    assert not overdue(normal, at(2026, 12, 11, 16))  # Mon-Fri: 35 h, the target
    assert overdue(normal, at(2026, 12, 14, 9, 1))


def test_the_task_lists_of_each_side(world):
    asked = ask_general(world, now=at(2026, 12, 1, 9))
    urgent = ask_general(world, urgency="urgent", urgency_reason="Tonight.")
    with time_machine.travel(at(2026, 12, 9, 12)):
        kinds = {(t.kind, t.href) for t in tasks_for(world.adviser)}
        assert (TaskKind.ADVICE_OVERDUE, reverse("advice:detail", args=[asked.pk])) in kinds
        assert (TaskKind.ADVICE_NEW, reverse("advice:detail", args=[urgent.pk])) in kinds or any(
            k == TaskKind.ADVICE_OVERDUE and h.endswith(f"/{urgent.pk}/") for k, h in kinds
        )
    advice_answer(actor=world.adviser, request=asked, text="Yes.")
    mine = [t for t in tasks_for(world.member_a) if t.kind.startswith("advice")]
    assert [(t.kind, t.href) for t in mine] == [
        (TaskKind.ADVICE_ANSWERED, reverse("advice:detail", args=[asked.pk]))
    ]
    for other in (world.member_b, world.coordinator_b, world.custody):
        assert not [t for t in tasks_for(other) if t.kind.startswith("advice")]
    page = verified_client(world.member_b).get(reverse("worklist:tasks")).content.decode()
    assert f"/raadgivning/{asked.pk}/" not in page
    page = verified_client(world.member_a).get(reverse("worklist:tasks")).content.decode()
    assert (
        f"/raadgivning/{asked.pk}/" in page and "New answer from the national contact point" in page
    )
