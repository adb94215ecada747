"""``barred_person_ids``: the persons whose exclusion or restriction lists bar a user today.

It is written as one SQL statement for speed; these tests hold it to the rule the
correlated ORM condition states (``_barred_condition``, still used beyond
``BARRED_LIST_MAX`` persons): excluded, or restricted without being named, and only by
rules in force on the day asked about.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vejud.access import cases as access_cases
from vejud.access.cases import _barred_condition, barred_person_ids
from vejud.people.models import Person
from vejud.people.services import person_access_rule_add
from vejud.testing import make_person


def _rule(world, person, kind, user, **period):
    person_access_rule_add(actor=world.head, person=person, kind=kind, user=user, **period)


def _by_condition(user, day):
    return sorted(
        Person.objects.filter(_barred_condition(user.pk, day, "pk")).values_list("pk", flat=True)
    )


@pytest.fixture
def persons(world):
    """Seven persons, each with the lists named after them (``me`` is the coordinator)."""
    me, other = world.coordinator_a, world.member_a
    today = timezone.localdate()
    made = {
        name: make_person(world.head, first_name=name.title(), last_name="Listed")
        for name in (
            "unlisted",
            "excludes_me",
            "excludes_other",
            "restricts_me_out",
            "restricts_me_in",
            "exclusion_ended",
            "exclusion_starts_tomorrow",
        )
    }
    _rule(world, made["excludes_me"], "exclusion", me)
    _rule(world, made["excludes_other"], "exclusion", other)
    _rule(world, made["restricts_me_out"], "restriction", other)
    _rule(world, made["restricts_me_in"], "restriction", other)
    _rule(world, made["restricts_me_in"], "restriction", me)
    _rule(
        world,
        made["exclusion_ended"],
        "exclusion",
        me,
        valid_from=today - timedelta(days=10),
        valid_to=today - timedelta(days=1),
    )
    _rule(
        world,
        made["exclusion_starts_tomorrow"],
        "exclusion",
        me,
        valid_from=today + timedelta(days=1),
    )
    return made


def test_barred_are_the_excluded_and_the_restricted_without_a_name(world, persons):
    today = timezone.localdate()
    barred = barred_person_ids(world.coordinator_a.pk, today)
    assert barred == sorted([persons["excludes_me"].pk, persons["restricts_me_out"].pk])
    assert barred == _by_condition(world.coordinator_a, today)


def test_the_day_decides_which_rules_are_in_force(world, persons):
    tomorrow = timezone.localdate() + timedelta(days=1)
    barred = barred_person_ids(world.coordinator_a.pk, tomorrow)
    assert persons["exclusion_starts_tomorrow"].pk in barred
    assert persons["exclusion_ended"].pk not in barred
    assert barred == _by_condition(world.coordinator_a, tomorrow)
    ended = timezone.localdate() - timedelta(days=5)
    assert persons["exclusion_ended"].pk in barred_person_ids(world.coordinator_a.pk, ended)
    assert barred_person_ids(world.coordinator_a.pk, ended) == _by_condition(
        world.coordinator_a, ended
    )


def test_another_user_is_barred_by_their_own_lists(world, persons):
    today = timezone.localdate()
    barred = barred_person_ids(world.member_a.pk, today)
    assert barred == [persons["excludes_other"].pk]
    assert barred == _by_condition(world.member_a, today)


def test_more_than_the_list_limit_gives_none(world, persons, monkeypatch):
    monkeypatch.setattr(access_cases, "BARRED_LIST_MAX", 1)
    assert barred_person_ids(world.coordinator_a.pk, timezone.localdate()) is None
    monkeypatch.setattr(access_cases, "BARRED_LIST_MAX", 2)
    assert len(barred_person_ids(world.coordinator_a.pk, timezone.localdate()) or []) == 2
