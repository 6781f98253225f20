"""My citizen initiatives: what I proposed (every state) and what I signed, the full pages behind the Min side
section. Personal pages: login required, never cached."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import rules, selectors
from ..models import State

PAGE_SIZE = 20
# Designsystemet tag colours; the state is always written out too.
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.IN_REVIEW: "info",
    State.CHANGES_REQUESTED: "warning",
    State.REFUSED: "danger",
    State.COLLECTING: "info",
    State.THRESHOLD_REACHED: "success",
    State.HANDED_OVER: "success",
    State.UNDER_TREATMENT: "success",
    State.DECIDED: "success",
    State.EXPIRED: "neutral",
    State.WITHDRAWN: "neutral",
}


def _url_or_none(name, *args):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _crumbs(title):
    return [(_("Front page"), reverse("core:hub")), (_("My page"), reverse("accounts:min_side")), (title, None)]


@require_GET
@never_cache
@login_required
def mine(request):
    """Every initiative I proposed, whatever its state, with what staff wrote when they asked for changes or
    refused, and what I can do next."""
    page = Paginator(selectors.initiatives_of(request.user), PAGE_SIZE).get_page(request.GET.get("side"))
    for initiative in page.object_list:
        initiative.state_color = STATE_COLORS.get(initiative.state, "neutral")
        initiative.is_public = initiative.state in rules.PUBLIC_STATES
        initiative.edit_url = (
            _url_or_none("initiatives:edit", initiative.pk) if initiative.state in rules.EDITABLE_STATES else None
        )
        initiative.days_left = selectors.days_left(initiative)
    return render(
        request,
        "initiatives/mine/proposals.html",
        {
            "page_obj": page,
            "initiatives": page.object_list,
            "new_url": _url_or_none("initiatives:new"),
            "signatures_url": reverse("initiatives:my_signatures"),
            "crumbs": _crumbs(_("My citizen initiatives")),
        },
    )


@require_GET
@never_cache
@login_required
def my_signatures(request):
    """Every initiative I signed, with where it stands now; a signature can be withdrawn until the initiative
    is handed over (the form posts to initiatives:withdraw_signature)."""
    page = Paginator(selectors.signatures_of(request.user), PAGE_SIZE).get_page(request.GET.get("side"))
    for signature in page.object_list:
        initiative = signature.initiative
        initiative.state_color = STATE_COLORS.get(initiative.state, "neutral")
        signature.withdraw_url = (
            _url_or_none("initiatives:withdraw_signature", initiative.pk)
            if initiative.state in rules.WITHDRAWABLE_STATES
            else None
        )
    return render(
        request,
        "initiatives/mine/signatures.html",
        {
            "page_obj": page,
            "signatures": page.object_list,
            "proposals_url": reverse("initiatives:mine"),
            "index_url": _url_or_none("initiatives:index"),
            "crumbs": _crumbs(_("Initiatives I have signed")),
        },
    )


urlpatterns = [
    path(gettext_lazy("my-initiatives/"), mine, name="mine"),
    path(gettext_lazy("my-signatures/"), my_signatures, name="my_signatures"),
]
