"""Files for a registration: an iCalendar (.ics) of its days and the completion certificate
(PDF via WeasyPrint, loading nothing: the url_fetcher refuses every resource)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from vejud.core.documents import html_pdf
from vejud.training.models import Completion, Registration


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1)."""
    data = line.encode()
    parts: list[str] = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def registration_ics(registration: Registration, *, host: str = "vejud") -> str:
    """Return an iCalendar file with one event per day of the registration's session."""
    session = registration.session
    course = session.course
    stamp = _utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vejud//training//DA", "METHOD:PUBLISH"]
    for day in session.days.order_by("starts_at"):
        lines += [
            "BEGIN:VEVENT",
            f"UID:training-{registration.pk}-{day.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(day.starts_at)}",
            f"DTEND:{_utc(day.ends_at)}",
            f"SUMMARY:{_escape(course.title)}",
            f"LOCATION:{_escape(session.place)}",
            f"DESCRIPTION:{_escape(course.description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics_filename(registration: Registration) -> str:
    return f"{slugify(registration.session.course.title) or 'uddannelse'}.ics"


def certificate_pdf(completion: Completion) -> bytes:
    """Return the completion certificate as PDF bytes (in the active language)."""
    html = render_to_string(
        "training/certificate.html",
        {
            "completion": completion,
            "course": completion.course,
            "user": completion.user,
            "session": completion.registration.session if completion.registration else None,
            "printed_at": timezone.localtime(),
        },
    )
    return html_pdf(html)


def certificate_filename(completion: Completion) -> str:
    return f"kursusbevis-{slugify(completion.course.title)}-{completion.completed_on:%Y%m%d}.pdf"
