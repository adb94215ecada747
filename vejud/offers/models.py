"""The offer catalogue (tilbudskatalog): what an exit course can offer, as reference data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferType(models.Model):
    """One kind of offer, e.g. another residence or therapeutic help."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("offer type")
        verbose_name_plural = _("offer types")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "da").startswith("en") else self.name_da
