from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vejud.casedocs.models import DocumentKind
from vejud.casedocs.services import TITLE_MAX
from vejud.core.forms import DkfdsForm, TextBox
from vejud.core.uploads import ACCEPT, too_large_error


class DocumentForm(DkfdsForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("What the document is, e.g. “Statement from the job centre, May”."),
        error_messages={"required": _("Give the document a title.")},
    )
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF document or a PNG or JPEG image."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose the file.")},
    )
    for_mentor = forms.BooleanField(
        label=_("The mentor may see the document"),
        required=False,
        help_text=_("Only documents marked so are shown to the case's mentor."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.VEJUD_CASE_DOCUMENT_MAX_BYTES:  # before reading it at all
            raise too_large_error(settings.VEJUD_CASE_DOCUMENT_MAX_BYTES)
        return upload

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data["file"]
        return {
            "kind": data["kind"],
            "title": data["title"],
            "for_mentor": data["for_mentor"],
            "filename": upload.name or "",
            "data": upload.read(),
        }


class DocumentRemoveForm(DkfdsForm):
    reason = forms.CharField(
        label=_("Why is the document removed?"),
        max_length=2000,
        widget=TextBox(2),
        help_text=_("E.g. put on the wrong case. The file is deleted; this reason is kept."),
        error_messages={"required": _("Say why the document is removed.")},
    )
