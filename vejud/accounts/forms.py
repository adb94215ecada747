"""Forms for signing in, the second factor, re-authentication and the user's own account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.forms.widgets import Input
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from vejud.access.rules import role_needs_four_eyes
from vejud.accounts.models import Role, User
from vejud.organisations.models import Agency, Unit

CODE_MAX_LENGTH = 20


class ActiveUserField(forms.EmailField):
    """An e-mail address that cleans to the active user who has it (any case)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> User:
        email = str(super().clean(value)).strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this e-mail."), code="unknown_user")
        return user


class DesignSystemForm(forms.Form):
    """Give text inputs the design system's class (labels and errors are in the template)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, Input):
                field.widget.attrs["class"] = "form-input"


class LoginForm(DesignSystemForm):
    """The password step: e-mail and password."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        # Case-insensitive, so axes counts "A@x.dk" and "a@x.dk" as one account.
        return str(self.cleaned_data["email"]).strip().lower()


def normalise_code(raw: str) -> str:
    """Return a code without spaces or dashes, lower-case (recovery codes are base32)."""
    return "".join(raw.split()).replace("-", "").lower()


class CodeForm(DesignSystemForm):
    """A six-digit code from the authenticator app, or a one-time recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Enter the code."), code="required")
        return code


class TotpConfirmForm(CodeForm):
    """The first code from a newly added authenticator app."""

    def clean_code(self) -> str:
        code = super().clean_code()
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits from the app."), code="format")
        return code


class ReauthForm(CodeForm):
    """Password and a code again, before a sensitive action."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    field_order = ["password", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)


class LanguageForm(forms.ModelForm):
    """The user's language for the whole interface."""

    class Meta:
        model = User
        fields = ["language"]
        widgets = {"language": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each language in its own name, so a reader of either finds theirs.
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


class TokenCreateForm(DesignSystemForm):
    """A new personal API token: a name and, optionally, a lifetime in days."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script that uses it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The operator's limits (VEJUD_API_TOKEN_DAYS, VEJUD_API_TOKEN_MAX_DAYS), read per form.
        longest = settings.VEJUD_API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.initial = settings.VEJUD_API_TOKEN_DAYS
        days.max_value = longest  # type: ignore[attr-defined]
        days.validators.append(MaxValueValidator(longest))
        days.widget.attrs["max"] = str(longest)
        days.help_text = _("At most %(days)d days.") % {"days": longest}


class RoleGrantForm(DesignSystemForm):
    """A request for a case-access role (approved by a second person)."""

    user = ActiveUserField(label=_("The user's e-mail address"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in Role if role_needs_four_eyes(r)],
    )
    agency = forms.ChoiceField(label=_("Agency"), choices=Agency.choices)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("unit", "role", "agency"):
            self.fields[name].widget.attrs["class"] = "form-select"
