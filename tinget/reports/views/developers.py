"""The page for developers: how to use the Open311 GeoReport v2 endpoint and the REST API."""

import contextlib

from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinget.core.selectors import current_municipality

from .. import open311
from ..models import OPEN_STATES, State
from ..selectors import categories


@require_GET
def open311_docs(request):
    municipality = current_municipality()
    base = request.build_absolute_uri(reverse("open311:index"))
    example = categories().filter(is_urgent=False, not_ours=False).values_list("slug", flat=True).first()
    states = [
        {
            "label": state.label,
            "status": open311.open311_status(state),
            "fms": open311.FMS_STATUS[state],
        }
        for state in State
        if state != State.UNCONFIRMED
    ]
    return render(
        request,
        "reports/developers/open311.html",
        {
            "base": base,
            "jurisdiction": municipality.number if municipality else "",
            "example_code": example or "hull-i-veien",
            "states": states,
            "open_count": len(OPEN_STATES),
            "max_days": open311.MAX_DAYS,
            "max_requests": open311.MAX_REQUESTS,
            "api_docs": reverse("api-v1:openapi-view"),
            "openapi": reverse("api-v1:openapi-json"),
            "crumbs": _crumbs(),
        },
    )


def _crumbs():
    crumbs = [(_("Front page"), reverse("core:hub"))]
    with contextlib.suppress(NoReverseMatch):  # the public pages may not be mounted
        crumbs.append((_("Report a fault"), reverse("reports:index")))
    crumbs.append((_("For developers"), None))
    return crumbs


urlpatterns = [path(gettext_lazy("developers/"), open311_docs, name="open311_docs")]
