"""The demo's case reviews: a round drawn over the last year for three units, one review sent
to its unit with a learning point, one answered, the rest being reviewed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vejud.accounts.models import User
from vejud.organisations.models import Unit
from vejud.quality.models import ReviewRound
from vejud.quality.services import (
    learning_point_add,
    review_answer,
    review_record,
    review_release,
    review_round_create,
)

UNITS = ("exit-koebenhavn", "exit-oestjylland", "exit-fyn")


def seed_quality(staff: dict[str, User]) -> list[str]:
    """Draw the demo's review round and take two reviews through, once."""
    if ReviewRound.objects.exists():
        return []
    today = timezone.localdate()
    head = staff["head"]
    round_ = review_round_create(
        actor=head,
        title="Gennemgang af samtykke og plan",
        start=today - timedelta(days=365),
        end=today,
        criterion="random",
        per_unit=2,
        units=list(Unit.objects.filter(code__in=UNITS)),
        seed=2026,
    )
    reviews = list(round_.reviews.select_related("unit").order_by("unit__code", "id"))
    notes = [
        f"Case reviews: round '{round_.title}' with {len(reviews)} reviews (/kvalitet/runder/)"
    ]
    for index, (review, theme, text) in enumerate(
        zip(
            reviews[:2],
            ("consent", "plan"),
            (
                "Indhent samtykket ved første møde, og notér hvem der har fået det.",
                "Hver handling i planen skal have en ansvarlig og en frist.",
            ),
            strict=False,
        )
    ):
        checklist = {
            item: {"answer": entry["answer"] or "yes", "note": ""}
            for item, entry in review.checklist.items()
        }
        review_record(
            actor=head,
            review=review,
            checklist=checklist,
            findings="Sagen er godt dokumenteret; se læringspunktet.",
        )
        learning_point_add(actor=head, review=review, theme=theme, text=text)
        review = review_release(actor=head, review=review)
        if index == 1:
            coordinator = staff[f"coordinator.{review.unit.code.removeprefix('exit-')}"]
            review_answer(
                actor=coordinator, review=review, answer="Vi har indført det på teammødet."
            )
        notes.append(f"  review of {review.case.reference} sent to {review.unit.name}")
    return notes
