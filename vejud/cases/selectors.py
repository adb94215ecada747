"""Reads of cases that are not the gate itself (the gate is ``vejud.access.cases``)."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

from vejud.cases.models import Case, MentorAssignment
from vejud.core.request_cache import request_cached
from vejud.organisations.models import Unit


def mentor_assignments(case: Case) -> list[MentorAssignment]:
    """Return the case's mentor assignments with their mentors, newest first: read once a
    request (the case page's facts and its course panel both show them)."""
    return request_cached(
        ("mentor_assignments", case.pk),
        lambda: list(
            MentorAssignment.objects.filter(case=case)
            .select_related("mentor")
            .order_by("-starts_on", "-id")
        ),
    )


# A word of a name: letters and digits, hyphenated parts kept together ("el-amin").
NAME_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
MAX_NAME_WORDS = 5


def name_search_words(term: str) -> list[str]:
    """Return the words of a name search (lower case, at most ``MAX_NAME_WORDS``)."""
    return NAME_WORD.findall(term.lower())[:MAX_NAME_WORDS]


def filter_by_name(cases: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Keep the cases whose person has, for every word of ``term``, a name word starting so.

    "ren mik" finds René Mikkelsen and René Holm Mikkelsen. On PostgreSQL a full-text
    index over the name's words answers it (the lists of persons per word are short and
    only the few named by every word are read: index ``person_name_words``, people
    migration 0002, built on the same expression); SQLite compares the words directly.
    """
    words = name_search_words(term)
    if not words:
        return cases.none()
    if connections[cases.db].vendor == "postgresql":
        query = SearchQuery(
            " & ".join(f"'{word}':*" for word in words), config="simple", search_type="raw"
        )
        return cases.annotate(
            person_name_words=SearchVector("person__name_search", config="simple")
        ).filter(person_name_words=query)
    condition = Q()
    for word in words:
        condition &= (
            Q(person__name_search__startswith=word)
            | Q(person__name_search__contains=f" {word}")
            | Q(person__name_search__contains=f"-{word}")
        )
    return cases.filter(condition)


def caseload_filter(
    cases: QuerySet[Case],
    *,
    status: str | None = None,
    track: str | None = None,
    unit: Unit | None = None,
) -> QuerySet[Case]:
    """Keep the cases with ``status`` and ``track`` held by ``unit`` or placed in it."""
    if status:
        cases = cases.filter(status=status)
    if track:
        cases = cases.filter(track=track)
    if unit:
        cases = cases.filter(Q(responsible_unit=unit) | Q(institution=unit))
    return cases


def caseload_search(cases: QuerySet[Case], search: tuple[str, str] | None) -> QuerySet[Case]:
    """Keep the cases whose reference starts with, or whose person is named by, ``search``."""
    if search is None:
        return cases
    kind, term = search
    if kind == "reference":
        return cases.filter(reference__startswith=term)
    return filter_by_name(cases, term)
