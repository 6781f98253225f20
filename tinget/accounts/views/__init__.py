from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinget.core.registry import registry


@require_GET
@login_required
def min_side(request):
    """Min side: what this person has in every module, as each module's provider tells it."""
    sections = []
    for module in registry:
        if module.min_side is not None:
            sections.append((module, module.min_side(request.user)))
    return render(
        request,
        "accounts/min_side.html",
        {"sections": sections, "crumbs": [(_("Front page"), reverse("core:hub")), (_("My page"), None)]},
    )
