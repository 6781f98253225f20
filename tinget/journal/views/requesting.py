"""The resident's side of access requests (innsynskrav): the basket, sending it, asking for the journal of a period
(offentleglova § 28), confirming the e-mail address, following the request, appealing, and fetching the answer's
files.

Nobody has to log in. The basket lives in the session (basket.py). A request is sent at once when it goes to the
logged-in person's verified address; otherwise the service e-mails a link and the request is sent when it is
followed: the link's page shows a button and changes nothing on GET, because mail scanners follow links.

A request's page is found by its key, a random uuid that is the e-mailed link: whoever holds the key is the
requester (see `request_page`). Visiting the page remembers the key in the session, which is what lets the
requester fetch the answer's files without logging in.

Every send form carries a one-time key: a second post of the same form (a double click, a reload) finds the request
the first one made, and a basket that was sent is empty, so a second request is never made by accident. Sending
from an address that is not verified e-mails a stranger, so it has a rate limit of its own (SEND_RATE).
"""

import mimetypes
import uuid

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tinget.accounts.identity import safe_next
from tinget.core import ratelimit
from tinget.core.errors import DomainError, NotAllowed

from .. import basket, rules, selectors, services
from ..models import RequestStatus
from ..request_forms import AppealForm, PeriodRequestForm, RequestForm

# Sending from an address that is not the logged-in person's verified one e-mails whoever the address belongs to.
SEND_RATE = "10/h"
SEND_NETWORK_RATE = "60/h"
# The forms this session has sent, {form key: request key}: a second post of the same form finds the request.
SENT_FORMS_KEY = "journal_sent_forms"
SENT_FORMS_REMEMBERED = 20
# While a form is being sent (and for a day after), its key names it in the cache, so that two posts of it at once
# (a double click answered by two processes) make one request.
SENDING_SECONDS = 60
SENT_SECONDS = 24 * 3600

# Designsystemet tag colours per status; the status is always written out too.
STATUS_COLORS = {
    RequestStatus.SENT: "info",
    RequestStatus.GRANTED: "success",
    RequestStatus.PARTLY_GRANTED: "warning",
    RequestStatus.REFUSED: "danger",
    RequestStatus.APPEALED: "info",
    RequestStatus.FORWARDED: "neutral",
}


# --- Helpers -----------------------------------------------------------------------------------------------------
def url_or_none(name, **kwargs):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def crumbs(*more):
    trail = [(_("Front page"), reverse("core:hub"))]
    index = url_or_none("journal:index")
    if index:
        trail.append((_("Mail journal"), index))
    return [*trail, *more]


def _see_other(url):
    return HttpResponseRedirect(url, status=303)


def request_url(access_request) -> str:
    return reverse("journal:request", kwargs={"key": access_request.key})


def status_info(part, today, *, sent=True) -> dict:
    """What the page says about a unit's part: its status tag, and whether § 32 applies and it can be appealed."""
    overdue = sent and rules.is_overdue(part, today)
    return {
        "label": part.get_status_display(),
        "color": STATUS_COLORS.get(part.status, "neutral"),
        "overdue": overdue,
        "can_appeal": sent and rules.can_appeal(part, today),
    }


def _posted_ids(request):
    """The entry ids posted as `entry` (one or several): (ids, ok). ok is False when a value cannot name an entry."""
    values = request.POST.getlist("entry")
    parsed = [basket.parse_id(value) for value in values]
    return [pk for pk in parsed if pk is not None], None not in parsed


def _back(request, default=None):
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default or reverse("journal:basket"))


# --- The basket --------------------------------------------------------------------------------------------------
@never_cache
@require_POST
def basket_add(request):
    """Put one or several public entries in the basket (`entry`, repeated) and go back to `next`. Anything wrong
    (an entry that does not exist, is not public or was withdrawn; a full basket) adds nothing and says why."""
    back = _back(request)
    pks, ok = _posted_ids(request)
    if not pks and ok:
        messages.error(request, _("Choose the entries you want to put in your basket."))
        return _see_other(back)
    if len(pks) > basket.maximum():
        messages.error(
            request,
            _("Your basket can hold at most %(max)s entries. Ask for fewer at a time.") % {"max": basket.maximum()},
        )
        return _see_other(back)
    if not ok or len(selectors.basket_entries(pks)) != len(set(pks)):
        messages.error(
            request,
            _("That entry does not exist or is not public, so it cannot be asked for. Nothing was added."),
        )
        return _see_other(back)
    try:
        added = basket.add(request, pks)
    except basket.BasketFull:
        messages.error(
            request,
            _(
                "Your basket is full: it can hold %(max)s entries. Send the request for what is in it first, "
                "or take some out."
            )
            % {"max": basket.maximum()},
        )
        return _see_other(back)
    if added:
        messages.success(
            request,
            ngettext("Added to your basket.", "%(count)s entries added to your basket.", len(added))
            % {"count": len(added)},
        )
    else:
        messages.info(request, _("It is already in your basket."))
    return _see_other(back)


@never_cache
@require_POST
def basket_remove(request):
    """Take one or several entries (`entry`) out of the basket and go back to `next` (the basket by default)."""
    pks, _ok = _posted_ids(request)
    removed = basket.remove(request, pks)
    if removed:
        messages.success(
            request,
            ngettext("Removed from your basket.", "%(count)s entries removed from your basket.", len(removed))
            % {"count": len(removed)},
        )
    else:
        messages.info(request, _("That entry was not in your basket."))
    return _see_other(_back(request))


def _basket_entries(request):
    """The basket's entries that are still public; any that are not any longer leave the basket, with a message."""
    stored = basket.ids(request)
    entries = selectors.basket_entries(stored) if stored else []
    if len(entries) != len(stored):
        found = {entry.pk for entry in entries}
        basket.remove(request, [pk for pk in stored if pk not in found])
        messages.warning(
            request,
            _(
                "Some entries are no longer public and were taken out of your basket. Check what is left before "
                "you send."
            ),
        )
    return entries


def _by_unit(entries):
    """[{"unit", "entries"}], in the order the units first appear in the basket."""
    groups = {}
    for entry in entries:
        groups.setdefault(entry.unit_id, {"unit": entry.unit, "entries": []})["entries"].append(entry)
    return list(groups.values())


@never_cache
@require_http_methods(["GET", "POST"])
def basket_page(request):
    """The basket with its entries per unit, and the form that sends it. A POST with action=add or action=remove
    works like basket_add / basket_remove; any other POST sends the request."""
    if request.method == "POST":
        action = request.POST.get("action", "send")
        if action == "add":
            return basket_add(request)
        if action == "remove":
            return basket_remove(request)
        return _send_basket(request)
    form = RequestForm(user=request.user, language=get_language())
    return _render_basket(request, _basket_entries(request), form)


def _render_basket(request, entries, form, *, status=200):
    groups = _by_unit(entries)
    return render(
        request,
        "journal/requesting/basket.html",
        {
            "entries": entries,
            "groups": groups,
            "form": form,
            "maximum": basket.maximum(),
            "index_url": url_or_none("journal:index"),
            "period_url": reverse("journal:period_request"),
            "crumbs": crumbs((_("Your basket"), None)),
        },
        status=status,
    )


def _send_basket(request):
    form = RequestForm(request.POST, user=request.user)
    duplicate = _already_sent(request)
    if duplicate is not None:
        return duplicate
    stored = basket.ids(request)
    if not stored:
        messages.error(request, _("Your basket is empty, so nothing was sent. Add the entries you want to see first."))
        return _see_other(reverse("journal:basket"))
    entries = _basket_entries(request)
    valid = form.is_valid()
    if valid and len(entries) != len(stored):
        form.add_error(None, _("Some entries were taken out of your basket. Check the list and send again."))
        valid = False
    if valid:
        response = _create(request, form, entry_ids=[entry.pk for entry in entries])
        if response is not None:
            basket.clear(request)
            return response
    return _render_basket(request, entries, form, status=400)


def _form_key(request):
    try:
        return str(uuid.UUID(str(request.POST.get("key", ""))))
    except ValueError:
        return None


def _already_sent(request):
    """The answer to a second post of a form that was sent (or is being sent), or None for a new one."""
    key = _form_key(request)
    if key is None:
        return None
    request_key = (request.session.get(SENT_FORMS_KEY) or {}).get(key) or cache.get(f"journal:form:{key}")
    if request_key is None:
        return None
    if request_key == "sending":
        messages.info(request, _("Your request is being sent. You find it under your requests in a moment."))
        return _see_other(reverse("journal:basket"))
    messages.info(request, _("This request has already been sent; here it is."))
    basket.remember_request(request, request_key)
    return _see_other(reverse("journal:request", kwargs={"key": request_key}))


def _create(request, form, **what):
    """Call services.request_create with the form's data: the redirect to the new request, or None with the
    service's error on the form."""
    if not form.sent_at_once():
        ratelimit.check(request, "journal.request", SEND_RATE, network_rate=SEND_NETWORK_RATE)
    form_key = str(form.cleaned_data["key"])
    lock = f"journal:form:{form_key}"
    if not cache.add(lock, "sending", SENDING_SECONDS):
        return _already_sent(request) or _see_other(reverse("journal:basket"))
    try:
        access_request = services.request_create(user=request.user, **form.service_kwargs(), **what)
    except DomainError as error:
        cache.delete(lock)
        form.add_error(None, str(error))
        return None
    except BaseException:
        cache.delete(lock)
        raise
    cache.set(lock, str(access_request.key), SENT_SECONDS)
    sent_forms = dict(list((request.session.get(SENT_FORMS_KEY) or {}).items())[-(SENT_FORMS_REMEMBERED - 1) :])
    sent_forms[form_key] = str(access_request.key)
    request.session[SENT_FORMS_KEY] = sent_forms
    basket.remember_request(request, access_request.key)
    if access_request.sent_at is not None:
        messages.success(request, _("Your request has been sent."))
    return _see_other(request_url(access_request))


# --- The journal of a period (§ 28) ------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def period_request(request):
    """Ask for the whole mail journal from one day to another (offentleglova § 28 lets a request name the journal
    itself instead of cases)."""
    if request.method == "POST":
        duplicate = _already_sent(request)
        if duplicate is not None:
            return duplicate
        form = PeriodRequestForm(request.POST, user=request.user)
        if form.is_valid():
            response = _create(request, form)
            if response is not None:
                return response
        status = 400
    else:
        form = PeriodRequestForm(user=request.user, language=get_language())
        status = 200
    return render(
        request,
        "journal/requesting/period.html",
        {
            "form": form,
            "index_url": url_or_none("journal:index"),
            "basket_url": reverse("journal:basket"),
            "crumbs": crumbs((_("Ask for the journal of a period"), None)),
        },
        status=status,
    )


# --- Confirming the e-mail address -------------------------------------------------------------------------------
def _token_state(token):
    """("ok" | "expired" | "invalid", the request's key or None): checked without changing anything."""
    try:
        return "ok", signing.loads(token, salt=services.VERIFY_SALT, max_age=services.VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        return "expired", None
    except signing.BadSignature:
        return "invalid", None


def _bad_link(request, state):
    return render(
        request,
        "journal/requesting/bad_link.html",
        {
            "expired": state == "expired",
            "days": services.VERIFY_MAX_AGE.days,
            "basket_url": reverse("journal:basket"),
            "index_url": url_or_none("journal:index"),
        },
        status=410 if state == "expired" else 400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    """The e-mailed link. GET shows what will be sent and a button; POST sends it (services.request_verify) and
    goes to the request's page. A second POST finds it sent and says so."""
    state, key = _token_state(token)
    if state != "ok":
        return _bad_link(request, state)
    if request.method == "GET":
        try:
            access_request = selectors.request_by_key(key)
        except Http404:
            # The request was deleted (its retention ran out): the link leads nowhere.
            return _bad_link(request, "invalid")
        return render(
            request,
            "journal/requesting/verify.html",
            {
                "access_request": access_request,
                "token": token,
                "request_url": request_url(access_request),
                "crumbs": crumbs((_("Confirm your request"), None)),
            },
        )
    now = timezone.now()
    try:
        access_request = services.request_verify(token=token, now=now)
    except services.BadToken:
        return _bad_link(request, "invalid")
    basket.remember_request(request, access_request.key)
    if access_request.sent_at == now:
        messages.success(request, _("Your request has been sent."))
    else:
        messages.info(request, _("Your request was already sent."))
    return _see_other(request_url(access_request))


# --- The requester's page ----------------------------------------------------------------------------------------
@never_cache
@require_safe
def request_page(request, key):
    """The requester's page for one request: when it was sent, and per unit the status, the deadline, the entries
    with their decisions, the answer with its legal basis and how to appeal, the files, the § 32 notice when the
    unit has not answered in time, and the one-click appeal.

    Who may see it: whoever has the key. The key is a random uuid that only the e-mailed link (and the requester's
    own session and Min side) carries, so holding it is what being the requester means here, as in eInnsyn; a key
    that names no request answers 404 like any other. The page remembers the key in the session, which lets the
    requester fetch the answer's files (rules.owns_request)."""
    access_request = selectors.request_by_key(key)
    basket.remember_request(request, access_request.key)
    return render_request(request, access_request)


def render_request(request, access_request, *, appeal_forms=None, status=200):
    today = services.today()
    sent = access_request.sent_at is not None
    parts = []
    for part in access_request.parts.all():
        info = status_info(part, today, sent=sent)
        form = (appeal_forms or {}).get(part.pk)
        if form is None and info["can_appeal"]:
            form = AppealForm(auto_id=f"appeal-{part.pk}-%s")
        parts.append(
            {
                "part": part,
                "status": info,
                "items": list(part.items.all()),
                "files": list(part.files.all()),
                "appeal_form": form,
                "appeal_url": reverse("journal:request_appeal", kwargs={"key": access_request.key, "part_pk": part.pk}),
            }
        )
    context = {
        "access_request": access_request,
        "parts": parts,
        "sent": sent,
        "units": len(parts),
        "crumbs": crumbs((_("Your access request"), None)),
        "mine_url": reverse("journal:mine") if request.user.is_authenticated else None,
        "basket_url": reverse("journal:basket"),
    }
    if sent:
        template = "journal/requesting/request.html"
    else:
        expires = access_request.created_at + services.VERIFY_MAX_AGE
        context.update(
            {
                "expires": expires,
                "expired": timezone.now() >= expires,
                "entry_ids": [item.entry_id for row in parts for item in row["items"]],
            }
        )
        template = "journal/requesting/check_email.html"
    response = render(request, template, context, status=status)
    # The address is the requester's secret: it must not leave with a link to another site, nor be indexed.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_POST
def request_appeal(request, key, part_pk):
    """Appeal one unit's answer (a refusal, a partial grant) or its silence after the deadline (§ 32), with an
    optional text. Errors come back on the request's page."""
    access_request = selectors.request_by_key(key)
    part = next((p for p in access_request.parts.all() if p.pk == part_pk), None)
    if part is None:
        raise Http404
    basket.remember_request(request, access_request.key)
    anchor = f"{request_url(access_request)}#part-{part.pk}"
    form = AppealForm(request.POST, auto_id=f"appeal-{part.pk}-%s")
    if not form.is_valid():
        return render_request(request, access_request, appeal_forms={part.pk: form}, status=400)
    if access_request.sent_at is None:
        messages.error(request, _("This request has not been sent yet, so there is nothing to appeal."))
        return _see_other(anchor)
    try:
        services.part_appeal(access_request=access_request, part=part, message=form.cleaned_data["message"])
    except NotAllowed:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your appeal has been sent to %(unit)s.") % {"unit": part.unit.name})
    return _see_other(anchor)


# --- The answer's files ------------------------------------------------------------------------------------------
@require_safe
def answer_file(request, pk):
    """A file sent with an answer, for the requester (the key in this session, or the logged-in person who sent
    it) and for the case workers who can answer the part; 404 for anyone else. Always a download."""
    found = selectors.answer_file_for(request.user, pk, session_keys=basket.request_keys(request))
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    name = found.name or "dokument"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    filename = (slugify(stem, allow_unicode=True)[:80] or "dokument") + (f".{extension.lower()}" if extension else "")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


urlpatterns = [
    path(gettext_lazy("basket/"), basket_page, name="basket"),
    path(gettext_lazy("basket/add/"), basket_add, name="basket_add"),
    path(gettext_lazy("basket/remove/"), basket_remove, name="basket_remove"),
    path(gettext_lazy("request-journal/"), period_request, name="period_request"),
    path(gettext_lazy("request/confirm/<str:token>/"), verify, name="verify"),
    path(gettext_lazy("request/<uuid:key>/"), request_page, name="request"),
    path(gettext_lazy("request/<uuid:key>/appeal/<int:part_pk>/"), request_appeal, name="request_appeal"),
    path(gettext_lazy("request/file/<int:pk>/"), answer_file, name="answer_file"),
]
