"""The benchmark's Django admin over the cases table is never mounted by default."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from vejud.testing import make_case, verified_client


def test_the_bench_admin_is_not_mounted_by_default():
    assert settings.VEJUD_BENCH_ADMIN is False
    with pytest.raises(Resolver404):
        resolve("/bench-admin/cases/case/")


@pytest.fixture
def bench_admin_mounted(settings):
    import vejud.urls

    settings.VEJUD_BENCH_ADMIN = True
    clear_url_caches()
    importlib.reload(vejud.urls)
    yield
    settings.VEJUD_BENCH_ADMIN = False
    importlib.reload(vejud.urls)
    clear_url_caches()


def test_mounted_it_shows_only_non_personal_columns_to_the_sysadmin(world, bench_admin_mounted):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Ulrik", last_name="Vest")
    url = reverse("bench_admin:cases_case_changelist") + "?status__exact=inquiry"

    page = verified_client(world.sysadmin).get(url)

    assert page.status_code == 200
    body = page.content.decode()
    assert case.reference in body
    assert "Ulrik" not in body and "Vest" not in body
    assert verified_client(world.member_a).get(url).status_code == 403
