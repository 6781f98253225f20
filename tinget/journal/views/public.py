"""The public pages of the mail journal: the search page (a GET form whose URL is the search's permanent address),
its RSS feed for a saved search, a case with its entries in order, an entry, a public document file, and the
statistics of how fast access requests are answered.

What the public may see is the selectors' business: withdrawn entries are 404, and a screened correspondent's
name is never stored, so no page can show it. Every entry can go into the basket (a POST to journal:basket_add,
which the requesting views own); these pages only read the basket from the session to show what is in it.
"""

import mimetypes
from dataclasses import replace

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from tinget.core import selectors as core_selectors

from .. import basket, rules, search, selectors
from ..feeds import SearchFeed
from ..forms import SORT_CHOICES, SearchForm, is_empty, query_items

# Far beyond any real result list; keeps a hand-typed ?side=10**30 from reaching the database as a huge offset.
MAX_PAGE = 100_000
# Shown in the browser; everything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def url_or_none(name, **kwargs):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def basket_ids(request) -> set[int]:
    """Entry ids in the visitor's basket (kept in the session by the requesting views, see basket.py)."""
    return set(basket.ids(request)) if hasattr(request, "session") else set()


def _basket_context(request, entries=()):
    """What every public page says about the basket: its link and size, where to post, and which of `entries`
    are already in it (each gets `in_basket`)."""
    ids = basket_ids(request)
    for entry in entries:
        entry.in_basket = entry.pk in ids
    return {
        "basket_url": url_or_none("journal:basket"),
        "basket_count": len(ids),
        "basket_add_url": url_or_none("journal:basket_add"),
        "here": request.get_full_path(),
    }


def _crumbs(*items):
    return [(_("Front page"), reverse("core:hub")), (_("Mail journal"), reverse("journal:index")), *items]


def _units():
    municipality = core_selectors.current_municipality()
    return list(core_selectors.units(municipality)) if municipality else []


def search_url(params) -> str:
    items = query_items(params)
    return reverse("journal:index") + (f"?{urlencode(items)}" if items else "")


def _page_number(value) -> int:
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _page_obj(result):
    """A Django Page for the shared pagination component: the selector counts and slices itself, so the paginator
    only needs the total (a range costs nothing)."""
    paginator = Paginator(range(result.total), result.page_size)
    return paginator.page(min(result.page, paginator.num_pages))


def _facet_links(params, facets):
    """Each facet value with the address that adds it to the search, or takes it away when chosen; the other
    parameters are kept, the page starts again from the first."""
    groups = []
    for name, title in (("type", _("Type of document")), ("unit", _("Unit")), ("year", _("Year"))):
        items = []
        for facet in facets.get(name, []):
            if name == "year":
                changed = replace(params, year=None if facet.selected else int(facet.value))
            else:
                chosen = params.types if name == "type" else params.units
                values = tuple(v for v in chosen if v != facet.value) if facet.selected else (*chosen, facet.value)
                changed = replace(params, **{"types" if name == "type" else "units": values})
            label = f"{facet.label} ({facet.value})" if name == "type" else facet.label
            items.append({"label": label, "count": facet.count, "selected": facet.selected, "url": search_url(changed)})
        if items:
            groups.append({"name": name, "title": title, "items": items})
    return groups


@require_safe
def index(request):
    """Search the journal: words, dates, type, unit, case number and year, with facets, sorting and pages. With no
    words and no filter it lists the newest entries."""
    form = SearchForm(request.GET, units=_units())
    params, result, pages = None, None, None
    context = {}
    if form.is_valid():
        params = form.params()
        result = selectors.search_entries(params, page=_page_number(request.GET.get("side")))
        pages = _page_obj(result)
        query = query_items(params)
        context = {
            "search_url": request.build_absolute_uri(search_url(params)),
            "feed_url": reverse("journal:feed") + (f"?{urlencode(query)}" if query else ""),
            "facet_groups": _facet_links(params, result.facets),
            "sort_links": [
                {"label": label, "url": search_url(replace(params, sort=value)), "current": value == params.sort}
                for value, label in SORT_CHOICES
            ],
            "clear_url": search_url(selectors.SearchParams(text=params.text)),
            "filtered": not is_empty(replace(params, text="")),
            "empty_search": is_empty(params),
        }
    entries = result.entries if result else []
    return render(
        request,
        "journal/public/index.html",
        {
            **context,
            **_basket_context(request, entries),
            "form": form,
            "params": params,
            "result": result,
            "entries": entries,
            "page_obj": pages,
            "max_query_chars": search.MAX_QUERY_CHARS,
            "statistics_url": reverse("journal:statistics"),
            # Staff find their work from the page they know: the request queue, and imports for those who run them.
            "queue_url": reverse("journal:queue") if rules.can_see_queue(request.user) else None,
            "imports_url": reverse("journal:imports") if rules.can_import(request.user) else None,
            "period_request_url": url_or_none("journal:period_request"),
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Mail journal"), None)],
        },
    )


@require_safe
def feed(request):
    """RSS of the newest entries matching the search in the URL: a saved search. A search the form refuses is a
    400 with the reasons, never a feed of something else."""
    form = SearchForm(request.GET, units=_units())
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        text = _("This search cannot be made into a feed:") + "\n" + "\n".join(f"- {r}" for r in reasons)
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    return SearchFeed()(request, params=form.params())


@require_safe
def case(request, year, sequence):
    """A case and its public entries in the order they were registered, each with the way to ask for it, and one
    button that puts all of them in the basket."""
    found, entries = selectors.public_case(year, sequence)
    basket_context = _basket_context(request, entries)
    not_in_basket = [e for e in entries if not e.in_basket]
    return render(
        request,
        "journal/public/case.html",
        {
            **basket_context,
            "case": found,
            "entries": entries,
            "not_in_basket": not_in_basket,
            # A case with more entries than a basket holds is asked for entry by entry.
            "can_add_all": len(not_in_basket) + len(basket_ids(request)) <= basket.maximum(),
            "basket_max": basket.maximum(),
            "case_search_url": search_url(selectors.SearchParams(case=found.case_number)),
            "crumbs": _crumbs((_("Case %(number)s") % {"number": found.case_number}, None)),
        },
    )


@require_safe
def entry(request, pk):
    """One entry with every public field: correspondents, screening, documents, its case."""
    found = selectors.public_entry(pk)
    case_file = found.case
    return render(
        request,
        "journal/public/entry.html",
        {
            **_basket_context(request, [found]),
            "entry": found,
            "case": case_file,
            "correspondents": list(found.correspondents.all()),
            "documents": list(found.documents.all()),
            "crumbs": _crumbs(
                (_("Case %(number)s") % {"number": case_file.case_number}, case_file.get_absolute_url()),
                (_("Entry %(number)s") % {"number": found.entry_number}, None),
            ),
        },
    )


@require_safe
def document(request, pk):
    """A public document file of a public entry, from protected storage."""
    found = selectors.public_document(pk)
    name = found.file.name or ""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    stem = slugify(found.title, allow_unicode=True)[:80] or "dokument"
    filename = f"{stem}.{extension}" if extension.isalnum() else stem
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=content_type not in INLINE_TYPES, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    if content_type != "application/pdf":
        # A file is shown on its own, never as a page of the site: no scripts, no forms. Not for a PDF: Chromium's
        # and Safari's viewers refuse to run in a sandbox (and Chromium drops a PDF's CSP for its viewer anyway).
        response["Content-Security-Policy"] = "sandbox"
    # An entry can be withdrawn later: shared caches keep it only briefly.
    patch_cache_control(response, public=True, max_age=300)
    return response


def _percent(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


@require_safe
def statistics(request):
    """Access requests per month, and how many were answered within 1, 3 and 5 working days, per unit and in all.
    Counts only: nothing about who asked."""
    data = selectors.statistics()
    months_total = sum(row["count"] for row in data["months"])
    month_rows = [
        {
            "label": date_format(row["month"], "YEAR_MONTH_FORMAT"),
            "count": row["count"],
            "percent": _percent(row["count"], months_total),
        }
        for row in data["months"]
    ]
    overall = data["overall"]
    days = ((1, "within_1"), (3, "within_3"), (5, "within_5"))
    speed_rows = [
        {
            "label": _("Within %(days)s working days") % {"days": n} if n > 1 else _("Within 1 working day"),
            "count": overall[key],
            "percent": _percent(overall[key], overall["total"]),
        }
        for n, key in days
    ]
    units = [
        {
            "unit": row["unit"],
            "total": row["total"],
            "shares": [{"count": row[key], "percent": _percent(row[key], row["total"])} for _n, key in days],
        }
        for row in data["units"]
    ]
    unit_rows = [
        {"label": row["unit"], "count": row["within_5"], "percent": _percent(row["within_5"], row["total"])}
        for row in data["units"]
    ]
    return render(
        request,
        "journal/public/statistics.html",
        {
            "since": data["since"],
            "month_rows": month_rows,
            "months_total": months_total,
            # The charts' nouns, agreeing with their totals ("1 request", "4 requests").
            "requests_noun": ngettext("request", "requests", months_total),
            "parts_noun": ngettext("request to a unit", "requests to a unit", overall["total"]),
            "speed_rows": speed_rows,
            "overall": overall,
            "overall_shares": [
                {"count": overall[key], "percent": _percent(overall[key], overall["total"])} for _n, key in days
            ],
            "units": units,
            "unit_rows": unit_rows,
            "crumbs": _crumbs((_("Statistics"), None)),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path(gettext_lazy("feed.rss"), feed, name="feed"),
    path(gettext_lazy("case/<int:year>-<int:sequence>/"), case, name="case"),
    path(gettext_lazy("entry/<int:pk>/"), entry, name="entry"),
    path(gettext_lazy("document/<int:pk>/"), document, name="document"),
    path(gettext_lazy("statistics/"), statistics, name="statistics"),
]
