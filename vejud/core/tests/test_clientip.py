"""The client's address comes from X-Forwarded-For only behind a configured proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from vejud.core.clientip import client_ip


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("192.0.2.1", "", "192.0.2.1"),
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),  # not a proxy of ours: header ignored
        ("10.9.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.9.0.2", "203.0.113.5, 198.51.100.7", "198.51.100.7"),  # the client forged the first
        ("10.9.0.2", "198.51.100.7, 10.9.0.3", "198.51.100.7"),  # two proxies of ours
        ("10.9.0.2", "", "10.9.0.2"),
        ("10.9.0.2", "not-an-address", "10.9.0.2"),
        ("10.9.0.2", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip(settings, remote, forwarded, expected):
    settings.VEJUD_TRUSTED_PROXIES = ["10.9.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.VEJUD_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert client_ip(request) == "10.9.0.2"
