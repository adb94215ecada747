"""The user's sessions: listing, ending others, and idle and absolute expiry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from vejud.accounts.models import UserSession
from vejud.accounts.tests.conftest import enrol
from vejud.audit.models import AuditEvent
from vejud.testing import verified_client

PROFILE = "/konto/profil/"
SESSIONS = "/konto/sessioner/"


def _signed_out(client) -> bool:
    response = client.get(PROFILE)
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_sessions_page_lists_active_sessions(world, login):
    user = world.member_a
    device = enrol(user)
    office = login(user, device, ip="198.51.100.1", agent="Office/1")
    login(user, device, ip="198.51.100.2", agent="Laptop/2")
    login(world.member_b, enrol(world.member_b), ip="198.51.100.3", agent="Other/3")

    response = office.get(SESSIONS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "198.51.100.1" in html
    assert "198.51.100.2" in html
    assert "198.51.100.3" not in html  # someone else's
    assert html.count("This session") == 1
    assert html.count(">End session") == 1
    assert 'scope="col"' in html


def test_logged_out_and_expired_sessions_are_not_listed(world, login, clock):
    user = world.member_a
    device = enrol(user)
    gone = login(user, device, ip="198.51.100.1")
    gone.post(reverse("accounts:logout"))
    stale = login(user, device, ip="198.51.100.2")
    clock.shift(settings.SESSION_COOKIE_AGE - 60)
    current = login(user, device, ip="198.51.100.3")
    clock.shift(120)  # the second session has now idled out
    html = current.get(SESSIONS).content.decode()
    assert "198.51.100.1" not in html
    assert "198.51.100.2" not in html
    assert "198.51.100.3" in html
    assert _signed_out(stale)


def test_ending_another_session_logs_it_out(world, login):
    user = world.member_a
    device = enrol(user)
    me = login(user, device, ip="198.51.100.1")  # a fresh login counts as re-authenticated
    other = login(user, device, ip="198.51.100.2")
    other_key = other.session.session_key
    row = UserSession.objects.get(session_key=other_key)

    response = me.post(reverse("accounts:session_end", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sessions")

    assert not Session.objects.filter(session_key=other_key).exists()
    row.refresh_from_db()
    assert row.ended_at is not None
    assert _signed_out(other)
    assert me.get(PROFILE).status_code == 200
    assert AuditEvent.objects.filter(action="account.session_end", object_id=str(row.pk)).exists()


def test_ending_a_session_requires_reauth(world, login):
    user = world.member_a
    device = enrol(user)
    other = login(user, device, ip="198.51.100.2")
    me = verified_client(user)  # signed in, but not recently re-authenticated
    row = UserSession.objects.get(session_key=other.session.session_key)

    response = me.post(
        reverse("accounts:session_end", args=[row.pk]), headers={"Referer": SESSIONS}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:reauth')}?next=%2Fkonto%2Fsessioner%2F"
    assert other.get(PROFILE).status_code == 200


def test_end_all_other_sessions(world, login):
    user = world.member_a
    device = enrol(user)
    me = login(user, device, ip="198.51.100.1")
    others = [login(user, device, ip=f"198.51.100.{n}") for n in (2, 3)]
    bystander = login(world.member_b, enrol(world.member_b), ip="198.51.100.9")

    response = me.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "2 other sessions have been ended." in response.content.decode()
    assert all(_signed_out(client) for client in others)
    assert me.get(PROFILE).status_code == 200
    assert bystander.get(PROFILE).status_code == 200


def test_someone_elses_session_is_404(world, login):
    other = login(world.member_b, enrol(world.member_b), ip="198.51.100.9")
    me = login(world.member_a, enrol(world.member_a))
    row = UserSession.objects.get(session_key=other.session.session_key)
    response = me.post(reverse("accounts:session_end", args=[row.pk]))
    assert response.status_code == 404
    assert other.get(PROFILE).status_code == 200


def test_this_session_cannot_be_ended_from_the_list(world, login):
    me = login(world.member_a, enrol(world.member_a))
    row = UserSession.objects.get(session_key=me.session.session_key)
    response = me.post(reverse("accounts:session_end", args=[row.pk]), follow=True)
    assert "To end this session, sign out." in response.content.decode()
    assert me.get(PROFILE).status_code == 200


def test_ending_a_session_asks_first(world, login):
    """The list's "End session" is a link: its page asks, and only its POST button ends it."""
    user = world.member_a
    device = enrol(user)
    me = login(user, device, ip="198.51.100.1")
    other = login(user, device, ip="198.51.100.2")
    row = UserSession.objects.get(session_key=other.session.session_key)
    url = reverse("accounts:session_end", args=[row.pk])
    listing = me.get(SESSIONS).content.decode()
    assert f'href="{url}"' in listing
    assert f'action="{url}"' not in listing

    page = me.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert "Yes, end the session" in html
    assert f'href="{SESSIONS}"' in html
    assert other.get(PROFILE).status_code == 200  # the first click ended nothing

    assert me.post(url).status_code == 302
    assert _signed_out(other)


def test_ending_all_other_sessions_asks_first(world, login):
    user = world.member_a
    device = enrol(user)
    me = login(user, device, ip="198.51.100.1")
    other = login(user, device, ip="198.51.100.2")
    url = reverse("accounts:sessions_end_others")
    assert f'href="{url}"' in me.get(SESSIONS).content.decode()

    page = me.get(url)
    assert page.status_code == 200
    assert "Yes, end all other sessions" in page.content.decode()
    assert other.get(PROFILE).status_code == 200

    me.post(url)
    assert _signed_out(other)


def test_session_end_wrong_method_is_405(world, login):
    me = login(world.member_a, enrol(world.member_a))
    row = UserSession.objects.get(session_key=me.session.session_key)
    assert me.put(reverse("accounts:session_end", args=[row.pk])).status_code == 405
    assert me.put(reverse("accounts:sessions_end_others")).status_code == 405


def test_idle_session_expires(world, login, clock):
    client = login(world.member_a, enrol(world.member_a))
    for _ in range(3):  # activity keeps the session alive
        clock.shift(settings.SESSION_COOKIE_AGE - 60)
        assert client.get(PROFILE).status_code == 200
    clock.shift(settings.SESSION_COOKIE_AGE + 1)
    assert _signed_out(client)


def test_session_ends_at_the_absolute_limit_despite_activity(world, login, clock):
    client = login(world.member_a, enrol(world.member_a))
    step = 25 * 60
    elapsed = 0
    while elapsed + step < settings.VEJUD_SESSION_ABSOLUTE_SECONDS:
        clock.shift(step)
        elapsed += step
        assert client.get(PROFILE).status_code == 200, elapsed
    clock.shift(settings.VEJUD_SESSION_ABSOLUTE_SECONDS - elapsed + 1)
    assert _signed_out(client)


def _expiry(client) -> object:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_activity_renews_the_idle_expiry_at_most_once_a_minute(world, login, clock):
    client = login(world.member_a, enrol(world.member_a))
    assert client.get(PROFILE).status_code == 200  # the first page marks the user as seen
    first = _expiry(client)
    clock.shift(20)
    assert client.get(PROFILE).status_code == 200
    assert _expiry(client) == first  # no session write within the minute
    clock.shift(50)
    assert client.get(PROFILE).status_code == 200
    assert _expiry(client) > first  # renewed once the minute has passed


def test_activity_keeps_a_session_alive_past_the_idle_limit(world, login, clock):
    client = login(world.member_a, enrol(world.member_a))
    for _ in range(3):
        clock.shift(settings.SESSION_COOKIE_AGE - 120)
        assert client.get(PROFILE).status_code == 200
    assert not _signed_out(client)
