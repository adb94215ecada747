"""The demo's case documents: on the cases that have the demo mentors, a signed plan and a
statement marked for the mentor, and a document only the unit sees (so logging in as the
mentor shows the difference)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from vejud.access.casework import Actor, may_act
from vejud.accounts.models import User
from vejud.casedocs.models import CaseDocument
from vejud.casedocs.services import document_add
from vejud.cases.models import Case, CaseStatus
from vejud.demo.showcase import demo_pdf

MENTORS = ("mentor.koebenhavn", "mentor.oestjylland")
DOCUMENTS = (
    # (kind, title, file name, marked for the mentor, the PDF's text)
    ("agreement", "Exitaftale, underskrevet", "exitaftale.pdf", True, "Exitaftale"),
    ("report", "Udtalelse fra jobcentret", "udtalelse-jobcenter.pdf", True, "Udtalelse"),
    ("letter", "Brev fra boligselskabet om ny bolig", "brev-bolig.pdf", False, "Boligbrev"),
)


def seed_documents(staff: dict[str, User]) -> list[str]:
    """Add the demo documents once (nothing when there are case documents already)."""
    if CaseDocument.objects.exists():
        return []
    today = timezone.localdate()
    made = []
    for name in MENTORS:
        mentor = staff[name]
        short = name.removeprefix("mentor.")
        worker = staff[f"member.{short}"]
        cases = Case.objects.filter(
            Q(mentor_assignments__ends_on__isnull=True) | Q(mentor_assignments__ends_on__gte=today),
            mentor_assignments__mentor=mentor,
            status=CaseStatus.ADMITTED,
        ).order_by("id")
        case = next((c for c in cases if may_act(worker, c, Actor.CASEWORKER)), None)
        if case is None:
            continue
        for kind, title, filename, for_mentor, text in DOCUMENTS:
            document_add(
                actor=worker,
                case=case,
                kind=kind,
                title=title,
                for_mentor=for_mentor,
                filename=filename,
                data=demo_pdf(f"{text} {case.reference} - syntetiske demodata"),
            )
        made.append(case.reference)
    if not made:
        return []
    return [f"Case documents (mentor sees two of three): {', '.join(made)}"]
