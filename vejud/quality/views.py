"""Case review pages: the contact point's rounds and reviews, the units' reviews and answers,
and the learning points across units by theme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.quality import (
    conducts_reviews,
    learning_points_visible,
    may_answer,
    review_gate,
    reviews_visible,
    rounds_visible,
)
from vejud.access.rules import Capability
from vejud.audit.services import log_access
from vejud.core.errors import ConflictError
from vejud.quality.forms import AnswerForm, ChecklistForm, LearningPointForm, RoundForm
from vejud.quality.models import Answer, CaseReview, CheckItem, ReviewRound, ReviewStatus, Theme
from vejud.quality.services import (
    learning_point_add,
    review_answer,
    review_record,
    review_release,
    review_round_create,
)

SHOWN = 100


@requires(Capability.CONDUCT_REVIEWS)
@never_cache
@require_http_methods(["GET", "POST"])
def rounds(request: AuthenticatedRequest) -> HttpResponse:
    """The review rounds, with a form to draw a new one."""
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = review_round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The round is drawn."))
            return redirect("quality:round", round_id=round_.pk)
    # Newest first: an aggregate's GROUP BY query does not take the model's Meta.ordering.
    rows = rounds_visible(request.user).order_by("-created_at", "-id")[:SHOWN]
    status = 400 if form.errors else 200
    return render(request, "quality/rounds.html", {"form": form, "rounds": rows}, status=status)


@requires(Capability.CONDUCT_REVIEWS)
@never_cache
@require_GET
def round_detail(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = get_object_or_404(ReviewRound, pk=round_id)
    reviews = (
        reviews_visible(request.user)
        .filter(round=round_)
        .select_related("case", "unit")
        .order_by("unit__name", "id")
    )
    return render(request, "quality/round.html", {"round": round_, "reviews": reviews})


@requires(Capability.ANSWER_REVIEWS)
@never_cache
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The reviews sent to one's units, awaiting an answer first."""
    reviews = (
        reviews_visible(request.user)
        .select_related("case", "unit", "round")
        .order_by("status", "-released_at", "id")[:SHOWN]
    )
    return render(request, "quality/mine.html", {"reviews": reviews})


@review_gate(Capability.CONDUCT_REVIEWS, Capability.ANSWER_REVIEWS)
@never_cache
@require_GET
def review(request: AuthenticatedRequest, review: CaseReview) -> HttpResponse:
    """One review (its reading of the case is logged like any other access)."""
    log_access(
        user=request.user,
        part="quality_review",
        person_id=review.case.person_id,
        case_id=review.case_id,
        request=request,
    )
    return _review_page(request, review)


def _review_page(
    request: AuthenticatedRequest, review: CaseReview, status: int = 200, **forms: Any
) -> HttpResponse:
    conducting = conducts_reviews(request.user)
    context = {
        "review": review,
        "points": review.learning_points.all(),
        "conducting": conducting,
        "draft": review.status == ReviewStatus.DRAFT,
        "checklist_form": forms.get("checklist") or ChecklistForm(checklist=review.checklist),
        "point_form": forms.get("point") or LearningPointForm(),
        "answer_form": forms.get("answer") or AnswerForm(),
        "may_answer": may_answer(request.user, review),
        "checklist_rows": [
            (
                item.label,
                {
                    "answer_label": dict(Answer.choices).get(
                        review.checklist.get(item.value, {}).get("answer", ""), "–"
                    ),
                    "note": review.checklist.get(item.value, {}).get("note", ""),
                },
            )
            for item in CheckItem
        ],
    }
    return render(request, "quality/review.html", context, status=status)


def _submit(
    request: AuthenticatedRequest,
    review: CaseReview,
    name: str,
    form: Any,
    run: Callable[[], Any],
    success: str,
    then: str,
) -> HttpResponse:
    """Run the service of a valid POSTed form, then on to ``then`` with ``success``. Its
    refusal shows on the form (as ``name`` on the review page, 400); a conflict is the 409 page."""
    if form.is_valid():
        try:
            run()
        except ConflictError:
            raise
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(then)
    return _review_page(request, review, 400, **{name: form})


def _review_url(review: CaseReview) -> str:
    return reverse("quality:review", kwargs={"review_id": review.pk})


@review_gate(Capability.CONDUCT_REVIEWS)
@require_POST
def record(request: AuthenticatedRequest, review: CaseReview) -> HttpResponse:
    form = ChecklistForm(request.POST, checklist=review.checklist)
    return _submit(
        request,
        review,
        "checklist",
        form,
        lambda: review_record(
            actor=request.user,
            review=review,
            checklist=form.checklist(),
            findings=form.cleaned_data["findings"],
        ),
        _("The review is saved."),
        _review_url(review),
    )


@review_gate(Capability.CONDUCT_REVIEWS)
@require_POST
def point(request: AuthenticatedRequest, review: CaseReview) -> HttpResponse:
    form = LearningPointForm(request.POST)
    return _submit(
        request,
        review,
        "point",
        form,
        lambda: learning_point_add(actor=request.user, review=review, **form.cleaned_data),
        _("The learning point is added."),
        _review_url(review),
    )


@review_gate(Capability.CONDUCT_REVIEWS)
@require_POST
def release(request: AuthenticatedRequest, review: CaseReview) -> HttpResponse:
    try:
        review_release(actor=request.user, review=review)
    except ConflictError:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _review_page(request, review, 400)
    messages.success(request, _("The review is sent to the unit."))
    return redirect("quality:round", round_id=review.round_id)


@review_gate(Capability.ANSWER_REVIEWS)
@require_POST
def answer(request: AuthenticatedRequest, review: CaseReview) -> HttpResponse:
    form = AnswerForm(request.POST)
    return _submit(
        request,
        review,
        "answer",
        form,
        lambda: review_answer(
            actor=request.user, review=review, answer=form.cleaned_data["answer"]
        ),
        _("The answer is sent to the contact point."),
        reverse("quality:mine"),
    )


@requires(Capability.CONDUCT_REVIEWS)
@never_cache
@require_GET
def learning_points(request: AuthenticatedRequest) -> HttpResponse:
    """Learning points across units, by theme."""
    points = learning_points_visible(request.user).select_related("review__unit")
    by_theme = [(theme.label, [p for p in points if p.theme == theme.value]) for theme in Theme]
    return render(request, "quality/learning_points.html", {"themes": by_theme})
