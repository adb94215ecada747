"""vejud's user table, read as Django's own user model (the bare server writes none of it)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password
from django.db import models


class UserManager(BaseUserManager["User"]):
    pass


class User(AbstractBaseUser):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        managed = False
        db_table = "accounts_user"

    def check_password(self, raw_password: str | None) -> bool:
        """Check without re-hashing: vejud's sessions depend on the stored hash staying as is."""
        return check_password(raw_password, self.password)
