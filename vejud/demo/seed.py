"""``seed_demo``: the showcase cases through the services (``showcase``), then the bulk cases.

It sits above ``vejud.demo.showcase`` and ``vejud.demo.bulk`` (the bulk generator draws on
the showcase's texts), so neither imports the other's caller.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.conf import settings
from django.db import models, transaction

from vejud.assessments.models import CriteriaVersion, MotivationFactor, Programme
from vejud.assessments.reference import load_assessment_reference
from vejud.audit.services import audit_record, audited
from vejud.cases.models import Case
from vejud.demo.advice import seed_advice
from vejud.demo.bulk import bulk_seed
from vejud.demo.documents import seed_documents
from vejud.demo.exports import seed_exports
from vejud.demo.frontdoor import seed_frontdoor
from vejud.demo.ownexits import seed_own_exits
from vejud.demo.quality import seed_quality
from vejud.demo.showcase import (
    MIN_CASES,
    DemoResult,
    Seeder,
    demo_logins,
    demo_summary,
    ensure_staff,
    seed_pool,
)
from vejud.demo.sso import seed_sso
from vejud.demo.training import seed_training
from vejud.offers.models import OfferType
from vejud.offers.reference import load_offer_types
from vejud.organisations.models import Unit
from vejud.people.models import Person
from vejud.privacy.services import retention_run
from vejud.reference.services import reference_load
from vejud.transfers.services import release_plans_run, release_track_changes_run

# How many persons past their retention date the demo's run of the job anonymises.
RETENTION_DEMO_LIMIT = 10


@transaction.atomic
def _load_missing_catalogues() -> None:
    """Load the assessment criteria and the offer catalogue if the database lacks them.

    Data migrations load both; a database emptied since (a flush, as transactional tests do)
    has none, and the showcase needs both. Every row loaded here is in the audit trail.
    """
    loaded: list[models.Model] = []
    if not Programme.objects.exists():
        load_assessment_reference(Programme, CriteriaVersion, MotivationFactor, Unit)
        for model in (Programme, CriteriaVersion, MotivationFactor):
            loaded.extend(model.objects.all())
    if not OfferType.objects.exists():
        load_offer_types(OfferType)
        loaded.extend(OfferType.objects.all())
    if loaded:
        with audited():
            for row in loaded:
                audit_record(actor=None, action="reference.create", obj=row)


def seed_demo(
    *,
    cases: int = 300,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
    full_audit: bool | None = None,
) -> DemoResult:
    """Create the demo dataset once; on later runs only make sure staff and logins exist.

    ``cases`` is the total number of cases; the showcase cases are always made, so the
    dataset never has fewer than ``MIN_CASES``. The bulk cases report to ``progress``;
    ``full_audit`` chooses their audit trail (default: complete up to 20,000 cases).
    """
    if not (settings.DEBUG or settings.TESTING):
        raise RuntimeError(
            "The demo data has a published password: it is never seeded with DEBUG off."
        )
    reference_load(missing_only=True)
    _load_missing_catalogues()
    staff = ensure_staff()
    result = DemoResult(created=False, logins=demo_logins())
    if Case.objects.exists():
        result.notes.append("Cases exist already: no demo cases added.")
        with transaction.atomic():  # a demo made before training gets its training data
            result.notes.extend(seed_training(staff, seed=seed))
            result.notes.extend(seed_advice(staff))
            result.notes.extend(seed_documents(staff))
            result.notes.extend(seed_own_exits(staff, seed=seed))
            result.notes.extend(seed_frontdoor(staff))
            result.notes.extend(seed_quality(staff))
            result.notes.extend(seed_exports(staff))
            result.notes.extend(seed_sso(staff))
        # The good-release job, as the daily run would have done since the demo was made:
        # cases released since move to their new track, plans now due are made.
        moved, made = release_track_changes_run(), release_plans_run()
        if moved or made:
            result.notes.append(f"Good release: {moved} case(s) released, {made} plan(s) made.")
        return result
    seeder = Seeder(random.Random(seed), staff)
    showcase = seeder.showcase_specs()
    # One transaction: a failure leaves no half-made dataset that blocks the next run.
    with transaction.atomic():
        seeder.run(showcase)
        release_plans_run()
        access_notes = seeder.add_access_features()
        pool_notes = seed_pool(seeder, showcase)
        pool_notes += seed_training(staff, seed=seed)
        pool_notes += seed_advice(staff)
        pool_notes += seed_documents(staff)
        pool_notes += seed_own_exits(staff, seed=seed)
        pool_notes += seed_frontdoor(staff)
        pool_notes += seed_quality(staff)
        pool_notes += seed_exports(staff)
        pool_notes += seed_sso(staff)
    # Committed in batches: a failure part-way leaves the cases written so far.
    bulk_seed(
        cases=max(0, cases - MIN_CASES),
        seed=seed,
        staff=staff,
        progress=progress,
        full_audit=full_audit,
    )
    # The daily retention job, as if it had run: the first persons past their date are
    # anonymised; ``vejud retention run --dry-run`` lists the rest.
    retention = retention_run(limit=RETENTION_DEMO_LIMIT)
    for spec in showcase:
        assert spec.case is not None
        later = f" (new attempt {spec.later_case.reference})" if spec.later_case else ""
        result.notes.append(f"{spec.label}: {spec.case.reference}{later}")
    result.notes.extend(access_notes)
    result.notes.extend(pool_notes)
    result.notes.append(f"Retention: {len(retention.persons)} person(s) anonymised by the job")
    result.created = True
    result.persons = Person.objects.count()
    result.cases = Case.objects.count()
    result.summary = demo_summary()
    return result
