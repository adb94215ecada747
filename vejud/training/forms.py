"""Forms of the training pages."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.access.rules import Capability, has_capability
from vejud.access.training import staff_registrable_by
from vejud.accounts.models import Role, User
from vejud.core.forms import DateInput, DkfdsForm, TextBox
from vejud.organisations.models import Agency, PoliceDistrict
from vejud.training.models import Course, CourseKind, SessionStatus
from vejud.training.services import QuotaSpec


class _StaffLabels:
    """Show a user as name and e-mail address."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class StaffChoice(_StaffLabels, forms.ModelChoiceField):
    pass


class RegisterForm(DkfdsForm):
    """Register oneself, or (a coordinator, the national contact point) one of one's staff."""

    participant = StaffChoice(
        label=_("Participant"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_capability(actor, Capability.REGISTER_STAFF):
            self.fields["participant"].queryset = staff_registrable_by(actor)  # type: ignore[attr-defined]
        else:
            del self.fields["participant"]


class CheckInForm(DkfdsForm):
    registration = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    day = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)


# --- The catalogue and sessions, run by the national contact point ---------------------------

DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})$")
QUOTA_LINE = re.compile(r"^([\w-]+)\s*:\s*(\d{1,5})$")
OPENING_STATUSES = [SessionStatus.PLANNED, SessionStatus.OPEN]


def _checkboxes(label: Any, choices: Any, **options: Any) -> forms.MultipleChoiceField:
    """An optional choice of any of ``choices``, shown as checkboxes."""
    return forms.MultipleChoiceField(
        label=label,
        choices=[(value, text) for value, text in choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **options,
    )


class CourseForm(DkfdsForm):
    """A course or theme day for the catalogue."""

    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("Letters, digits and -."))
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=TextBox(4))
    target_agencies = _checkboxes(
        _("Target agencies"), Agency.choices, help_text=_("None: every agency.")
    )
    target_roles = _checkboxes(_("Target roles"), Role.choices, help_text=_("None: every role."))
    duration_days = forms.IntegerField(
        label=_("Duration (days)"), min_value=1, max_value=30, initial=1
    )
    prerequisite = forms.ModelChoiceField(
        label=_("Prerequisite"), queryset=Course.objects.filter(is_active=True), required=False
    )
    required_for_roles = _checkboxes(_("Required for roles"), Role.choices)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=240,
        required=False,
        help_text=_("Empty: a completion never expires."),
    )


class TeacherChoice(_StaffLabels, forms.ModelMultipleChoiceField):
    pass


class SessionForm(DkfdsForm):
    """A session of a course: days, place, capacity, quotas, deadline and teachers."""

    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.filter(is_active=True)
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    online = forms.BooleanField(label=_("Online"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)
    registration_deadline = forms.DateField(label=_("Last day of registration"), widget=DateInput())
    days = forms.CharField(
        label=_("Days"),
        widget=TextBox(3),
        help_text=_("One day a line, date and times: 2027-03-01 09:00-15:00"),
    )
    quotas = forms.CharField(
        label=_("Quotas"),
        widget=TextBox(3),
        required=False,
        help_text=_(
            "Optional, one a line: an agency (police, municipality, kriminalforsorgen, national) "
            "or a police district's code, a colon and the seats, e.g. police: 5"
        ),
    )
    teachers = TeacherChoice(
        label=_("Teachers"),
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in OPENING_STATUSES],
        initial=SessionStatus.OPEN,
    )

    def clean_days(self) -> list[tuple[datetime, datetime]]:
        days = []
        for line in _lines(self.cleaned_data["days"]):
            match = DAY_LINE.match(line)
            try:
                assert match is not None
                on = date.fromisoformat(match[1])
                starts, ends = (
                    time.fromisoformat(t.replace(".", ":").zfill(5)) for t in match.groups()[1:]
                )
            except (AssertionError, ValueError):
                raise forms.ValidationError(
                    _("Write a day as 2027-03-01 09:00-15:00: %(line)s") % {"line": line}
                ) from None
            days.append((_moment(on, starts), _moment(on, ends)))
        if not days or len(days) > 30:
            raise forms.ValidationError(_("A session has between 1 and 30 days."))
        return days

    def clean_registration_deadline(self) -> datetime:
        return _moment(self.cleaned_data["registration_deadline"], time(23, 59))

    def clean_quotas(self) -> list[QuotaSpec]:
        quotas: list[QuotaSpec] = []
        for line in _lines(self.cleaned_data["quotas"]):
            match = QUOTA_LINE.match(line)
            name = match[1].lower() if match else ""
            district = (
                None if name in Agency.values else PoliceDistrict.objects.filter(code=name).first()
            )
            if match is None or (name not in Agency.values and district is None):
                raise forms.ValidationError(
                    _("Write a quota as police: 5 (an agency or a district code): %(line)s")
                    % {"line": line}
                )
            quotas.append(("" if district else name, district, int(match[2])))
        return quotas


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _moment(on: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(on, clock))


class SessionStatusForm(DkfdsForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (s.value, s.label)
            for s in (
                SessionStatus.PLANNED,
                SessionStatus.OPEN,
                SessionStatus.HELD,
                SessionStatus.CANCELLED,
            )
        ],
        help_text=_("Cancelling the session cancels every registration."),
    )
