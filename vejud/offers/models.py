"""The offer catalogue (tilbudskatalog): what an exit course can offer, as reference data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vejud.core.catalogue import CatalogueEntry


class OfferType(CatalogueEntry):
    """One kind of offer, e.g. another residence or therapeutic help."""

    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("offer type")
        verbose_name_plural = _("offer types")
