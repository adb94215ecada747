"""The public pages' texts: the contact point's edited version where there is one, otherwise
the text shipped here (translated like every other text of the interface)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vejud.frontdoor.models import PublicText, TextKey

DEFAULTS: dict[str, tuple[Promise, Promise]] = {
    TextKey.INTRODUCTION: (
        _("Do you want to leave a gang?"),
        _(
            "It is hard to leave a gang when it has been your whole social life. You do not "
            "have to do it alone. The police, the municipalities and the Prison and Probation "
            "Service work together in the national exit programme to help people who want a "
            "life outside the gang and crime.\n\n"
            "You can ask for help yourself, and a relative, a friend or someone who works with "
            "you can ask on your behalf. Asking commits you to nothing."
        ),
    ),
    TextKey.WHAT_EXIT_IS: (
        _("What an exit course is, and what it is not"),
        _(
            "An exit course is voluntary. It is for people who are motivated to change their "
            "lives: to stop crime, leave the environment and build a life with new people "
            "around them.\n\n"
            "It is not a way out of a punishment or a case with the police. Before a course "
            "starts, the local exit unit talks with you and assesses your motivation and whether "
            "a course suits you. The course usually lasts a year or more, with a plan you make "
            "together with the unit and a mentor."
        ),
    ),
    TextKey.HELP: (
        _("The help that can be offered"),
        _(
            "Depending on your situation the help can include: another place to live, financial "
            "help, a mentor, contact with people outside the environment, treatment for abuse, "
            "therapy, support for work or education, and help to re-establish contact with your "
            "family."
        ),
    ),
    TextKey.DECISIONS: (
        _("Who decides"),
        _(
            "The local exit unit in your police district decides whether you are admitted to an "
            "exit course. If the unit says no, you can ask to have the refusal put before the "
            "National Exit Contact Point, which makes the final decision."
        ),
    ),
    TextKey.PROTECTION: (
        _("How your information is protected"),
        _(
            "What you tell us is kept in a closed case system that only the staff working with "
            "your case can open, and every look at it is logged. Information is shared with "
            "other authorities only with your consent, unless the law requires it. If you move "
            "for your safety, your new address is known only to the few who must know it.\n\n"
            "The form below asks for as little as possible. It does not ask for your CPR number: "
            "the unit asks you for what it needs when it talks with you."
        ),
    ),
    TextKey.CUSTODY: (
        _("If you are in prison or custody"),
        _(
            "Talk to the staff of your institution: the Prison and Probation Service has its own "
            "exit programme with mentors, and helps plan a good release. You can also use the "
            "form below and choose that you are in prison or custody."
        ),
    ),
    TextKey.CONTACT: (
        _("Contact the National Exit Contact Point"),
        _(
            "Phone 4515 3630, weekdays 9-14.\n"
            "E-mail: KP-Exit@politi.dk\n\n"
            "Do not write anything in an ordinary e-mail that could put you or others at risk. "
            "The form below is sent encrypted to the exit unit that covers where you live."
        ),
    ),
    TextKey.FORM: (
        _("Ask to be contacted"),
        _(
            "Tell us what to call you and how we can reach you safely. The exit unit answers "
            "within a few working days. After you send the form you get a short code; nothing "
            "else about what you wrote is shown again, here or anywhere else."
        ),
    ),
}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: str
    edited: bool  # the contact point's own text (else the one shipped)


def sections(language: str | None = None) -> list[Section]:
    """Every part of the public pages in ``language`` (the current one): one query."""
    language = (language or get_language() or "da")[:2]
    edited = {t.key: t for t in PublicText.objects.filter(language=language)}
    result = []
    for key in TextKey:
        text = edited.get(key.value)
        if text is not None:
            result.append(Section(key.value, text.title, text.body, True))
        else:
            title, body = DEFAULTS[key]
            result.append(Section(key.value, str(title), str(body), False))
    return result
