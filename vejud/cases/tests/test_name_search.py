"""Name search on the caseload: every word of the search starts a word of the name.

The same answers on SQLite (word comparisons) and PostgreSQL (the full-text index
``person_name_words``); always inside the user's own cases.
"""

from __future__ import annotations

import pytest

from vejud.access.cases import cases_visible_to
from vejud.cases.selectors import filter_by_name, name_search_words
from vejud.testing import make_case


@pytest.fixture
def named(world):
    make = lambda first, last: make_case(  # noqa: E731
        world.coordinator_a, world.unit_a, first_name=first, last_name=last
    )
    return {
        "rene": make("René", "Mikkelsen"),
        "rene_middle": make("René Holm", "Mikkelsen"),
        "renee": make("Renée", "Dahl"),
        "ali": make("Ali", "El-Amin"),
        "natalie": make("Natalie", "Skov"),
        "other_unit": make_case(
            world.coordinator_b, world.unit_b, first_name="René", last_name="Mikkelsen"
        ),
    }


def _found(world, named, term):
    cases = filter_by_name(cases_visible_to(world.member_a), term)
    by_pk = {case.pk: name for name, case in named.items()}
    return sorted(by_pk[pk] for pk in cases.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("rené mikkelsen", ["rene", "rene_middle"]),
        ("ren mik", ["rene", "rene_middle"]),
        ("ren", ["rene", "rene_middle", "renee"]),
        ("holm", ["rene_middle"]),
        ("mikkelsen rené", ["rene", "rene_middle"]),
        ("RENÉ   MIKKELSEN", ["rene", "rene_middle"]),
        ("el-amin", ["ali"]),
        ("amin", ["ali"]),
        ("ali", ["ali"]),  # a word's start only: Natalie is not found by "ali"
        ("ikkelsen", []),
        ("rené dahl", ["renee"]),  # "rené" starts "renée"
    ],
)
def test_each_word_starts_a_word_of_the_name(world, named, term, expected):
    assert _found(world, named, term) == sorted(expected)


@pytest.mark.parametrize("term", ["", "   ", "%", "'", "&|!:*", "_", "rené' | 'x"])
def test_search_syntax_is_never_passed_on(world, named, term):
    """Operators and quotes are not words: nothing to search finds nothing, never an error."""
    words = name_search_words(term)
    assert all(word.replace("-", "").isalnum() for word in words)
    # Nothing left to search finds nothing; "rené' | 'x" is the words rené and x, both
    # required (no name has a word starting with x), not an "or".
    assert _found(world, named, term) == []


def test_at_most_five_words_are_searched(world, named):
    assert name_search_words("a b c d e f g") == ["a", "b", "c", "d", "e"]
    assert _found(world, named, "rené holm mikkelsen") == ["rene_middle"]
