"""Search forms for the auditor's pages and the break-glass review form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.auditor.selectors import Subject, subject_resolve, user_id_for_email
from vejud.core.forms import TextBox


class AccessibleForm(forms.Form):
    """A form whose inputs carry DKFDS classes and point at their hint and error texts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if f.widget.is_hidden:
                continue
            css = "form-checkbox" if isinstance(f.widget, forms.CheckboxInput) else "form-input"
            f.widget.attrs.setdefault("class", css)
            if f.help_text:
                f.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            ids = [f"{self[name].auto_id}-hint"] if self.fields[name].help_text else []
            ids.append(f"{self[name].auto_id}-error")
            attrs["aria-describedby"] = " ".join(ids)
            attrs["aria-invalid"] = "true"


class _SearchForm(AccessibleForm):
    subject = forms.CharField(
        label=_("Person or case"),
        required=False,
        max_length=64,
        help_text=_("Person ID (UUID) or case reference (EX-YYYY-NNNNN)."),
    )
    user = forms.EmailField(label=_("User (e-mail)"), required=False)
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_subject(self) -> Subject | None:
        text = self.cleaned_data["subject"].strip()
        if not text:
            return None
        subject = subject_resolve(text)
        if subject is None:
            raise forms.ValidationError(_("No person or case has this ID or reference."))
        return subject

    def clean_user(self) -> int | None:
        email = self.cleaned_data["user"]
        if not email:
            return None
        user_id = user_id_for_email(email)
        if user_id is None:
            raise forms.ValidationError(_("No user has this e-mail address."))
        return user_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class EventSearchForm(_SearchForm):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_("For example case.open, or case. for all case actions."),
    )

    field_order = ["subject", "user", "action", "date_from", "date_to"]


class AccessSearchForm(_SearchForm):
    break_glass_only = forms.BooleanField(label=_("Break the glass only"), required=False)


class BreakGlassReviewForm(AccessibleForm):
    grant = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Review note"),
        max_length=2000,
        widget=TextBox(rows=3),
        help_text=_("Was the access justified? What did you check?"),
    )

    def __init__(self, *args: Any, grant_id: int, **kwargs: Any) -> None:
        # One form per queued grant on the page: the ids must differ, the names need not.
        kwargs.setdefault("auto_id", f"grant-{grant_id}-%s")
        kwargs.setdefault("initial", {"grant": grant_id})
        super().__init__(*args, **kwargs)
