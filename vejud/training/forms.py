"""Forms of the training pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.access.rules import Capability, has_capability
from vejud.access.training import staff_registrable_by
from vejud.accounts.models import User
from vejud.core.forms import DkfdsForm


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


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
