import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import pagecache
from . import search as site_search
from .forms import SearchForm
from .registry import registry
from .selectors import area_by_slug, areas, current_municipality, emergency_contacts


@require_GET
def hub(request):
    """The front page. Its body is the same for everyone in a language, so that part is cached; the layout
    around it (who is logged in, messages) is rendered per request. A visitor who is not logged in and has
    nothing waiting to be told sees what every such visitor sees, so that whole page is cached too."""
    seconds = settings.TINGET_HUB_CACHE_SECONDS
    language = get_language()
    municipality = current_municipality()
    page_key = _anonymous_hub_key(request, language, municipality) if seconds else None
    if (page := pagecache.cached(page_key)) is not None:
        return page
    body_key = f"core:hub:{language}:{len(registry)}:{_profile_fingerprint(municipality)}"
    body = cache.get(body_key) if seconds else None
    if body is None:
        body = render_to_string("core/hub_body.html", {"sections": registry.sections(), "municipality": municipality})
        if seconds:
            cache.set(body_key, body, seconds)
    response = render(request, "core/hub.html", {"hub_body": body})
    pagecache.keep(page_key, request, response, seconds)
    return response


def _anonymous_hub_key(request, language, municipality):
    """The cache key of the hub as an anonymous visitor sees it, or None when this visitor may see more."""
    if request.user.is_authenticated or request.GET or len(get_messages(request)):
        return None
    return f"core:hub-page:{language}:{len(registry)}:{request.path}:{_profile_fingerprint(municipality)}"


def _profile_fingerprint(municipality):
    """Changes whenever the profile does: the hub shows it (name, phone, contact details), and a change to
    it must show at once rather than when a cached copy expires."""
    if municipality is None:
        return "-"
    fields = [getattr(municipality, field.attname) for field in municipality._meta.concrete_fields]
    return hashlib.blake2b(repr(fields).encode(), digest_size=8).hexdigest()


@require_GET
def trivial(request):
    """A view that does nothing: the yardstick the hub's speed is measured against (bench/pages)."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def on_call(request):
    municipality = current_municipality()
    contacts = list(emergency_contacts(municipality)) if municipality else []
    language = get_language()
    groups = {}
    for contact in contacts:
        groups.setdefault(contact.get_kind_display(), []).append(
            {
                "name": contact.localized("name", language),
                "description": contact.localized("description", language),
                "phone": contact.phone,
                "tel": contact.phone.replace(" ", ""),
            }
        )
    return render(
        request,
        "core/pages/on_call.html",
        {
            "groups": groups,
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Emergency and on-call numbers"), None)],
        },
    )


def content_page(template, title):
    @require_GET
    def view(request):
        return render(request, template, {"crumbs": [(_("Front page"), reverse("core:hub")), (title, None)]})

    view.__name__ = template.rsplit("/", 1)[-1].removesuffix(".html")
    return view


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    hits = []
    page = None
    if form.is_valid():
        hits = site_search.search(form.cleaned_data["q"], request.user)
        page = Paginator(hits, 20).get_page(request.GET.get("side"))
    return render(
        request,
        "core/search.html",
        {
            "form": form,
            "page_obj": page,
            "total": len(hits),
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Search"), None)],
        },
    )


@never_cache
def health(request):
    """200 when the database answers, 503 when it does not. For load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # The database or a template may be what failed, so fall back to plain text rather than fail again.
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return HttpResponse(_("Something went wrong on our side. Please try again later."), status=500)


@require_GET
def area_list(request):
    """The municipality's areas, each of which a resident can follow."""
    municipality = current_municipality()
    return render(
        request,
        "core/areas/list.html",
        {
            "areas": list(areas(municipality)) if municipality else [],
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Areas"), None)],
        },
    )


@require_GET
def area_detail(request, slug):
    municipality = current_municipality()
    area = area_by_slug(municipality, slug) if municipality else None
    if area is None:
        raise Http404
    return render(
        request,
        "core/areas/detail.html",
        {
            "area": area,
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Areas"), reverse("core:areas")), (area.name, None)],
        },
    )
