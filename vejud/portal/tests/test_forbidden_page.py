"""The 403 page says why, in the user's language, with the menu (issue 14): the reason the
code gives (e.g. the course that access needs), or the role's general answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.testing import verified_client


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        ("da", "Adgang nægtet", "Din rolle giver ikke adgang til dette."),
        ("en", "Access denied", "Your role does not give access to this."),
    ],
)
def test_a_refusal_says_why_in_the_users_language_with_the_menu(world, language, heading, reason):
    world.mentor.language = language
    world.mentor.save(update_fields=["language"])
    response = verified_client(world.mentor).get(reverse("pool:overview"))
    assert response.status_code == 403
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{heading}</h1>" in page
    assert reason in page
    assert 'class="nav" aria-label=' in page  # the main menu, as on every page
