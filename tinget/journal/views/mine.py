"""My access requests (Min side): every request the logged-in person sent, newest first, with each unit's status and
a link to the request's page. A personal page: login required, never cached, only the person's own (requests sent
without logging in are followed by their e-mailed link)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import selectors, services
from .requesting import crumbs, request_url, status_info, url_or_none


@require_GET
@never_cache
@login_required
def mine(request):
    page = Paginator(selectors.requests_of(request.user), settings.TINGET_JOURNAL_PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    today = services.today()
    for access_request in page.object_list:
        sent = access_request.sent_at is not None
        access_request.url = request_url(access_request)
        access_request.part_rows = [
            {
                "part": part,
                "status": status_info(part, today, sent=sent),
                "count": len(part.items.all()),
                "files": len(part.files.all()),
            }
            for part in access_request.parts.all()
        ]
        access_request.entry_count = sum(row["count"] for row in access_request.part_rows)
    trail = crumbs()[:1]
    return render(
        request,
        "journal/mine/index.html",
        {
            "page_obj": page,
            "requests": page.object_list,
            "index_url": url_or_none("journal:index"),
            "basket_url": reverse("journal:basket"),
            "crumbs": [*trail, (_("My page"), reverse("accounts:min_side")), (_("My access requests"), None)],
        },
    )


urlpatterns = [
    path(gettext_lazy("my-requests/"), mine, name="mine"),
]
