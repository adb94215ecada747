"""Programmes, their target-group criteria over time, and the motivation factor lists.

The criteria are data with validity dates: the national target group has widened
over the years (age and degree of attachment relaxed). The figures below are the
system's shipped starting point; an administrator corrects them in the admin.
"""

from __future__ import annotations

from datetime import date
from typing import Any

PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "national",
        "name": "Den nationale rammemodel (En Vej Ud)",
        "description": "Regeringens rammemodel for exitprogrammer til rocker- og bandemedlemmer (2011).",
        "versions": [
            {
                "label": "2011",
                "valid_from": date(2011, 4, 1),
                "valid_to": date(2016, 12, 31),
                "min_age": 18,
                "max_age": None,
                "attachments": ["member", "core"],
                "environments": ["biker", "gang"],
                "questions": [
                    {
                        "code": "wants_out",
                        "text_da": "Personen ønsker selv at forlade miljøet",
                        "text_en": "The person wants to leave the environment",
                    },
                ],
            },
            {
                "label": "2017 (udvidet)",
                "valid_from": date(2017, 1, 1),
                "valid_to": None,
                "min_age": 15,
                "max_age": None,
                "attachments": ["peripheral", "associate", "member", "core"],
                "environments": ["biker", "gang", "other"],
                "questions": [
                    {
                        "code": "wants_out",
                        "text_da": "Personen ønsker selv at forlade miljøet",
                        "text_en": "The person wants to leave the environment",
                    },
                ],
            },
        ],
    },
    {
        "code": "dfk",
        "name": "Kriminalforsorgens exitprogram (frihedsberøvede)",
        "description": "Exit for personer i varetægt eller afsoning, med mentorordning og god løsladelse.",
        "versions": [
            {
                "label": "2014",
                "valid_from": date(2014, 6, 1),
                "valid_to": None,
                "min_age": 15,
                "max_age": None,
                "attachments": ["associate", "member", "core"],
                "environments": ["biker", "gang", "other"],
                "questions": [
                    {
                        "code": "deprived_of_liberty",
                        "text_da": "Personen er frihedsberøvet (varetægt eller afsoning)",
                        "text_en": "The person is deprived of liberty (custody or sentence)",
                    },
                    {
                        "code": "wants_out",
                        "text_da": "Personen ønsker selv at forlade miljøet",
                        "text_en": "The person wants to leave the environment",
                    },
                ],
            },
        ],
    },
    {
        "code": "copenhagen",
        "name": "Københavns Kommunes exitprogram",
        "description": "Exitforløb for voksne over 18 år, der er involveret i alvorlig, personfarlig kriminalitet.",
        "unit_municipality": "København",
        "versions": [
            {
                "label": "2020",
                "valid_from": date(2020, 1, 1),
                "valid_to": None,
                "min_age": 18,
                "max_age": None,
                "attachments": [],
                "environments": [],
                "questions": [
                    {
                        "code": "serious_violent_crime",
                        "text_da": "Involveret i alvorlig, personfarlig kriminalitet",
                        "text_en": "Involved in serious violent crime",
                    },
                    {
                        "code": "lives_in_copenhagen",
                        "text_da": "Bor i Københavns Kommune",
                        "text_en": "Lives in the Municipality of Copenhagen",
                    },
                ],
            },
        ],
    },
]

# (code, kind, da, en, is_fear)
FACTORS: list[tuple[str, str, str, str, bool]] = [
    ("violence_threats", "push", "Vold og trusler", "Violence and threats", True),
    ("fear_for_life", "push", "Frygt for eget liv", "Fear for own life", True),
    ("prison_fatigue", "push", "Fængselstræthed", "Prison fatigue", False),
    ("disillusion", "push", "Desillusion med gruppen", "Disillusion with the group", False),
    (
        "internal_conflicts",
        "push",
        "Konflikter internt i gruppen",
        "Conflicts inside the group",
        False,
    ),
    ("police_pressure", "push", "Pres fra myndighederne", "Pressure from the authorities", False),
    (
        "lost_friends",
        "push",
        "Har mistet kammerater / er blevet såret",
        "Lost friends / been wounded",
        True,
    ),
    ("fatherhood", "pull", "At blive far / familie", "Becoming a father / family", False),
    ("partner", "pull", "Kæreste / ægtefælle", "Partner", False),
    ("job", "pull", "Job", "Job", False),
    ("education", "pull", "Uddannelse", "Education", False),
    ("maturity", "pull", "Alder og modenhed", "Age and maturity", False),
    ("family_death", "pull", "Dødsfald i familien", "A death in the family", False),
]


def load_assessment_reference(
    Programme: Any, CriteriaVersion: Any, MotivationFactor: Any, Unit: Any
) -> None:
    """Create or update programmes, criteria versions and factors (idempotent)."""
    for spec in PROGRAMMES:
        programme, _ = Programme.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        for v in spec["versions"]:
            CriteriaVersion.objects.update_or_create(
                programme=programme,
                label=v["label"],
                defaults={
                    k: v[k]
                    for k in (
                        "valid_from",
                        "valid_to",
                        "min_age",
                        "max_age",
                        "attachments",
                        "environments",
                        "questions",
                    )
                },
            )
        municipality = spec.get("unit_municipality")
        if municipality:
            units = Unit.objects.filter(kind="municipal_programme", municipality__name=municipality)
            programme.units.add(*units)
    for order, (code, kind, da, en, fear) in enumerate(FACTORS):
        MotivationFactor.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_da": da,
                "name_en": en,
                "is_fear": fear,
                "sort_order": order,
            },
        )
