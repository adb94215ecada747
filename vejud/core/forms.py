"""Form helpers shared by the apps: DKFDS widget classes, date and text inputs, service errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from vejud.core.errors import ConflictError, conflict_shown
from vejud.core.limits import FIRST_DAY, LAST_DAY, check_date

WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Select: "form-select",
    forms.CheckboxInput: "form-checkbox",
    forms.Textarea: "form-input",
    Input: "form-input",
}


def _within_limits(day: date) -> None:
    check_date(day)


def _attrs(attrs: Mapping[str, Any]) -> SafeString:
    """An element's attributes as Django's ``attrs.html`` writes them (False left out, True
    bare)."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class Select(forms.Select):
    """``forms.Select`` with the same markup, written in Python: Django renders each
    ``<option>`` through a template include, which made a select of a hundred units and
    periods cost more than the rest of the page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    _attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every part escaped by format_html)


def _fast_select(widget: forms.Select) -> Select:
    fast = Select(attrs=widget.attrs)
    fast.choices = widget.choices
    fast.is_required = widget.is_required
    fast.is_localized = widget.is_localized
    return fast


class DkfdsFormMixin:
    """Give every widget the design system's class (fields render with components/field.html),
    and every date field the limits' dates (vejud.core.limits: 1900-2199, also as the input's
    min and max)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and _within_limits not in field.validators:
                field.validators.append(_within_limits)
                field.widget.attrs.setdefault("min", FIRST_DAY.isoformat())
                field.widget.attrs.setdefault("max", LAST_DAY.isoformat())
            widget = field.widget
            if type(widget) is forms.Select:  # the same select, rendered without templates
                field.widget = widget = _fast_select(widget)
            if isinstance(
                widget, forms.HiddenInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                continue
            for widget_type, css in WIDGET_CLASSES.items():
                if isinstance(widget, widget_type):
                    existing = widget.attrs.get("class", "")
                    widget.attrs["class"] = f"{existing} {css}".strip()
                    break

    def add_error(self, field: str | None, error: Any) -> None:
        if isinstance(error, ConflictError):
            conflict_shown.set(True)  # the page answers 409 (ConflictMiddleware)
        super().add_error(field, error)  # type: ignore[misc]


class DkfdsForm(DkfdsFormMixin, forms.Form):
    """A plain form with DKFDS widget classes."""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TextBox(forms.Textarea):
    """A multi-line text input (a textarea) of ``rows`` lines."""

    def __init__(self, rows: int, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": rows, **(attrs or {})})


# The design system's radio buttons; a field copies the widget (Field.__init__ deep-copies it).
RADIO = forms.RadioSelect(attrs={"class": "form-radio"})


class RadioChoiceField(forms.ChoiceField):
    """A choice shown as the design system's radio buttons."""

    widget = RADIO


class RadioTypedChoiceField(forms.TypedChoiceField):
    """A typed choice (``coerce``) shown as the design system's radio buttons."""

    widget = RADIO


class VersionForm(DkfdsForm):
    """Carries the case version the user saw, so a concurrent change is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def service_error(
    form: forms.Form, exc: ValidationError, aliases: Mapping[str, tuple[str, ...]] | None = None
) -> None:
    """Show a service's ValidationError on the field it concerns, or above the form.

    The error's code names the field; ``aliases`` maps a code to the form fields it may
    concern (the first the form has wins). An error by field (a model's ``full_clean``) goes
    on the form's field of that name, else above the form.
    """
    if hasattr(exc, "error_dict"):
        errors = [(key, e) for key, found in exc.error_dict.items() for e in found]
    else:
        errors = [("", e) for e in exc.error_list]
    for key, error in errors:
        code = error.code or ""
        names = (*(aliases or {}).get(code, (code,)), key)
        form.add_error(next((n for n in names if n in form.fields), None), error)
