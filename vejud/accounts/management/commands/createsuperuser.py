"""``vejud createsuperuser``: Django's command, plus the system-administrator role.

The admin site opens only for users with an active system-administrator
membership (and MFA), so the first administrator of a new installation gets that
membership at the National Exit Contact Point here. Django's own command is
shadowed because vejud.accounts comes before ``django.contrib.auth`` in INSTALLED_APPS.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands.createsuperuser import (
    Command as CreateSuperuserCommand,
)
from django.core.management.base import CommandError
from django.utils import timezone

from vejud.accounts.models import Membership, Role, User
from vejud.organisations.models import Agency, Unit, UnitKind


class Command(CreateSuperuserCommand):
    help = (
        "Create a system administrator: a user with the system-administrator role at the "
        "National Exit Contact Point (run 'vejud load-reference' first)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        national = Unit.objects.using(database).filter(kind=UnitKind.NATIONAL).first()
        if national is None:
            raise CommandError("No National Exit Contact Point yet: run 'vejud load-reference'.")
        existing = set(User.objects.using(database).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in User.objects.using(database).exclude(pk__in=existing):
            Membership.objects.using(database).get_or_create(
                user=user,
                unit=national,
                role=Role.SYSTEM_ADMINISTRATOR,
                defaults={"agency": Agency.NATIONAL, "valid_from": timezone.localdate()},
            )
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            if options["verbosity"] >= 1:
                self.stdout.write(
                    f"{user.email} is a system administrator at {national.name}. "
                    "They enrol TOTP at their first login."
                )
