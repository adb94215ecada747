"""Hole 7: the admin's view-on-site redirect never turns a case id into its reference."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from vejud.access.adminsite import view_on_site_allowed
from vejud.accounts.models import Membership
from vejud.cases.models import Case, JournalEntry
from vejud.cases.services import journal_add
from vejud.people.models import Person
from vejud.testing import make_case, verified_client


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Zelda", last_name="Quixwort")


def _normalised(response) -> str:
    body = response.content.decode().replace(response.wsgi_request.path, "PATH")
    return re.sub(r'(CSRFToken": "|nonce="|csrfmiddlewaretoken" value=")[^"]+', "", body)


def _redirect(client, model, object_id) -> object:
    content_type = ContentType.objects.get_for_model(model)
    return client.get(
        reverse(
            "admin:view_on_site",
            kwargs={"content_type_id": content_type.pk, "object_id": object_id},
        )
    )


def test_case_id_does_not_redirect_to_its_reference(world, case):
    client = verified_client(world.sysadmin)
    response = _redirect(client, Case, case.pk)
    missing = _redirect(client, Case, case.pk + 1000)
    assert response.status_code == missing.status_code == 404
    assert "Location" not in response
    body = _normalised(response)
    assert case.reference not in body
    assert body == _normalised(missing)


@pytest.mark.parametrize("model", [Person, JournalEntry])
def test_other_case_data_is_off_too(world, case, model):
    journal_add(actor=world.coordinator_a, case=case, text="First meeting held.")
    obj = model.objects.first()
    assert _redirect(verified_client(world.sysadmin), model, obj.pk).status_code == 404


def test_unknown_content_type_is_404(world):
    response = verified_client(world.sysadmin).get(
        reverse("admin:view_on_site", kwargs={"content_type_id": 987654, "object_id": "1"})
    )
    assert response.status_code == 404


def test_only_the_admin_apps_are_allowed():
    assert view_on_site_allowed(Membership)
    assert not view_on_site_allowed(Case)
    assert not view_on_site_allowed(Person)
    assert not view_on_site_allowed(None)


def test_other_roles_still_get_403(world, case):
    response = _redirect(verified_client(world.member_a), Case, case.pk)
    assert response.status_code == 403
