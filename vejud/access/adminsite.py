"""What the Django admin may reach beyond its own pages: no case data (issue 11, hole 7).

The admin's "view on site" redirect (``/admin/r/<content type>/<id>/``, Django's
``contenttypes.views.shortcut``) works for any model with ``get_absolute_url``, registered
in the admin or not: a system administrator could turn a case's database id into its
reference. It is allowed only for the administrative apps (users, units); for every
other content type, and for ids that do not exist, it answers the same 404.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse

ADMIN_DATA_APPS = frozenset({"accounts", "organisations"})


def view_on_site_allowed(model: type[Model] | None) -> bool:
    """Return True if the admin may redirect from an object of ``model`` to its page."""
    return model is not None and model._meta.app_label in ADMIN_DATA_APPS


def admin_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's view-on-site redirect, off for case data (404 like a missing object)."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404 from None
    if not view_on_site_allowed(content_type.model_class()):
        raise Http404
    return shortcut(request, content_type_id, object_id)
