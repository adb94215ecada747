"""The forms' select: the same markup as Django's template-rendered one, written in Python."""

from __future__ import annotations

import re

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from vejud.core.forms import DkfdsForm, Select

ATTRS = {
    "class": "form-select",
    "aria-describedby": "f_helptext",
    "required": True,
    "hidden": False,
}


def _django_and_ours(choices: list, value: object) -> tuple[str, str]:
    django_select = forms.Select(choices=choices, attrs=ATTRS)
    ours = Select(choices=choices, attrs=ATTRS)
    return (
        django_select.render("f", value, {"id": "id_f"}),
        ours.render("f", value, {"id": "id_f"}),
    )


def _tags(html: str) -> str:
    """The markup without the blank lines Django's option template leaves between options."""
    return re.sub(r"\n\s*", "", html)


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([("", "---"), ("a", "A & b"), ("b", 'B "quoted" <b>')], "b"),
        (
            [("", "All"), ("Units", [("u1", "Unit <1>"), ("u2", "Unit 2")]), ("D", [("d1", "D")])],
            "u2",
        ),
        ([(1, "one"), (2, "two")], 2),
        ([("", "none"), (True, "yes")], None),
        ([("x", "x")], ["x"]),
    ],
)
def test_the_select_writes_what_django_s_templates_write(choices, value):
    theirs, ours = _django_and_ours(choices, value)
    assert _tags(ours) == _tags(theirs)
    assert "<option" in ours


@given(
    labels=st.lists(st.text(max_size=12), min_size=1, max_size=6),
    chosen=st.integers(min_value=0, max_value=5),
)
def test_any_labels_are_escaped_as_django_escapes_them(labels, chosen):
    choices = [(f"v{i}", label) for i, label in enumerate(labels)]
    theirs, ours = _django_and_ours(choices, f"v{chosen}")
    assert _tags(ours) == _tags(theirs)


class _Form(DkfdsForm):
    plain = forms.ChoiceField(choices=[("a", "A")])
    typed = forms.TypedChoiceField(choices=[("1", "One")], coerce=int)
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    maybe = forms.NullBooleanField()


def test_design_system_forms_use_it_for_plain_selects_only():
    form = _Form()
    assert type(form.fields["plain"].widget) is Select
    assert type(form.fields["typed"].widget) is Select
    assert form.fields["plain"].widget.attrs["class"] == "form-select"
    assert type(form.fields["radio"].widget) is forms.RadioSelect
    assert type(form.fields["maybe"].widget) is forms.NullBooleanSelect
    # Choices set after the form is made reach the select that renders.
    form.fields["plain"].choices = [("b", "B")]
    assert 'value="b"' in str(form["plain"])
