"""The public inquiry form (with its honeypot and fill-time check), and the staff's forms."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DkfdsForm, RadioChoiceField, RadioTypedChoiceField, TextBox
from vejud.frontdoor.models import Sender, Whereabouts
from vejud.organisations.models import Municipality, Unit, UnitKind

STARTED_SALT = "vejud.frontdoor.started"
STALE_SECONDS = 6 * 60 * 60  # a form left open longer is sent again (a new start time)


class TooFast(Exception):
    """Sent faster than a person fills in the form (or with a start time not ours)."""


class PublicInquiryForm(DkfdsForm):
    sender = RadioChoiceField(label=_("Who are you?"), choices=Sender.choices)
    called = forms.CharField(
        label=_("What should we call you (or the person you write about)?"),
        help_text=_("A first name or a nickname is enough."),
        max_length=60,
    )
    phone = forms.CharField(
        label=_("A phone number where it is safe to call"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_times = forms.CharField(
        label=_("When is it safe to call?"),
        help_text=_("For example: weekdays after 16."),
        max_length=200,
        required=False,
    )
    may_leave_message = RadioTypedChoiceField(
        label=_("May we leave a message or send a text if nobody answers?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        initial="no",
    )
    whereabouts = RadioChoiceField(label=_("Where is the person now?"), choices=Whereabouts.choices)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        help_text=_("If the person lives at liberty: the municipality where they live."),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )
    institution = forms.ModelChoiceField(
        label=_("Prison or custody"),
        help_text=_("If the person is in prison or custody, and you want to say where."),
        queryset=Unit.objects.filter(kind=UnitKind.INSTITUTION, is_active=True).order_by("name"),
        required=False,
    )
    message = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        help_text=_("Do not write names of others or details that could put anyone at risk."),
        max_length=2000,
        required=False,
        widget=TextBox(rows=5),
    )
    # Left empty by people (it is hidden from them and from screen readers); filled by robots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=STARTED_SALT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        where = data.get("whereabouts")
        if where == Whereabouts.MUNICIPALITY and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality, or choose “I do not know”."))
        if where != Whereabouts.MUNICIPALITY:
            data["municipality"] = None
        if where != Whereabouts.CUSTODY:
            data["institution"] = None
        return data

    @property
    def is_robot(self) -> bool:
        """The hidden field was filled in: a robot (answered as if sent, and nothing kept)."""
        return bool(self.data.get("website"))

    def check_fill_time(self) -> None:
        """Raise TooFast when the form came back sooner than a person fills it in."""
        try:
            started = float(
                signing.loads(
                    self.data.get("started", ""), salt=STARTED_SALT, max_age=STALE_SECONDS
                )
            )
        except (signing.BadSignature, TypeError, ValueError) as exc:
            raise TooFast from exc
        if time.time() - started < settings.VEJUD_PUBLIC_FORM_MIN_SECONDS:
            raise TooFast

    def restart(self) -> None:
        """A new start time for the form shown again."""
        data = dict(self.data.items())
        data["started"] = signing.dumps(time.time(), salt=STARTED_SALT)
        self.data = data


class CloseForm(DkfdsForm):
    reason = forms.CharField(
        label=_("Why is the inquiry closed without being registered?"),
        help_text=_("For example: the person could not be reached, or it was not an inquiry."),
        max_length=1000,
        widget=TextBox(rows=2),
    )


class PublicTextForm(DkfdsForm):
    title = forms.CharField(label=_("Heading"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        max_length=4000,
        widget=TextBox(rows=10),
        help_text=_("Plain text. An empty line starts a new paragraph."),
    )
