"""``vejud token``: create, list and revoke a user's personal API tokens.

``vejud token create --user EMAIL --name NAME [--days N]`` prints the raw token
once (on standard output, alone, so a script can capture it); only its hash is
stored. ``vejud token revoke --user EMAIL --hint PREFIX`` revokes the one
usable token whose visible start matches.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vejud.accounts.models import ApiToken, User
from vejud.accounts.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--user", required=True, help="The owner's e-mail address.")
        create.add_argument("--name", default="CLI", help="What the token is for.")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="Expire after N days (default VEJUD_API_TOKEN_DAYS, at most VEJUD_API_TOKEN_MAX_DAYS).",
        )
        listing = sub.add_parser("list", help="List a user's tokens (never the secrets).")
        listing.add_argument("--user", required=True, help="The owner's e-mail address.")
        revoke = sub.add_parser("revoke", help="Revoke a token by the start of its value.")
        revoke.add_argument("--user", required=True, help="The owner's e-mail address.")
        revoke.add_argument("--hint", required=True, help="The token's first characters.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        action = options["action"]
        if action == "create":
            self._create(user, options["name"], options["days"])
        elif action == "list":
            self._list(user)
        else:
            self._revoke(user, options["hint"])

    @staticmethod
    def _user(email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with e-mail {email!r}.")
        return user

    def _create(self, user: User, name: str, days: int | None) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=days) if days else None  # None: the default
        try:
            token, raw = token_create(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(raw)
        expiry = (
            f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "no expiry"
        )
        self.stderr.write(
            f"Token {token.name!r} for {user.email} ({expiry}). It is shown only this once."
        )

    def _list(self, user: User) -> None:
        for token in ApiToken.objects.filter(user=user).order_by("-created_at"):
            if token.revoked_at:
                state = f"revoked {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"
            elif token.expires_at and token.expires_at <= timezone.now():
                state = "expired"
            else:
                state = "usable"
            self.stdout.write(f"{token.hint}\t{token.name}\t{state}")

    def _revoke(self, user: User, hint: str) -> None:
        hint = hint.strip().rstrip("…")
        if len(hint) < len(ApiToken.PREFIX) + 4:
            raise CommandError(f"Give at least the first {len(ApiToken.PREFIX) + 4} characters.")
        unrevoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        exact = unrevoked.filter(token_hash=ApiToken.hash_token(hint)).first()
        # The stored hint is the token's first characters; the whole token matches exactly.
        candidates = [exact] if exact else [t for t in unrevoked if hint[: len(t.hint)] == t.hint]
        if not candidates:
            raise CommandError("No unrevoked token of that user starts like that.")
        if len(candidates) > 1:
            raise CommandError("More than one token starts like that; give more characters.")
        token = token_revoke(actor=user, token=candidates[0])
        self.stdout.write(f"Revoked {token.hint}… ({token.name}).")
