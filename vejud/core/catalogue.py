"""Reference lists shipped with the system and kept in both languages (offers, motivation factors)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CatalogueEntry(models.Model):
    """One entry of a reference list: a stable code, a Danish and an English name, a place in the list.

    Abstract; the subclass sets its own ``Meta`` (ordering, names).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Danish unless English is active)."""
        return self.name_en if (get_language() or "da").startswith("en") else self.name_da
