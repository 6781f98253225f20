"""The person's notifications, the follow button's endpoint, and the one-click unsubscribe page."""

import re

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..errors import DomainError
from . import selectors, services
from .tokens import read_token

PER_PAGE = 20
MODEL_LABEL = re.compile(r"^[a-z_][a-z0-9_]{0,99}\.[a-z_][a-z0-9_]{0,99}$")


def _crumbs(*more):
    return [(_("Front page"), reverse("core:hub")), (_("My page"), reverse("accounts:min_side")), *more]


@require_GET
@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "core/notifications/list.html",
        {
            "page_obj": page,
            "unread": selectors.unread_count(request.user),
            "crumbs": _crumbs((_("Notifications"), None)),
        },
    )


@require_GET
@login_required
def notification_detail(request, pk):
    """One notification. Opening it is reading it, so it is marked as read."""
    notification = selectors.notification_for(request.user, pk)
    if notification is None:
        raise Http404
    services.mark_read(actor=request.user, notification=notification)
    return render(
        request,
        "core/notifications/detail.html",
        {
            "notification": notification,
            "crumbs": _crumbs((_("Notifications"), reverse("core:notifications")), (notification.title, None)),
        },
    )


@require_POST
@login_required
def notifications_mark_all_read(request):
    count = services.mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_safe_next(request, reverse("core:notifications")))


class FollowForm(forms.Form):
    """What the follow button posts. Malformed input is a 400, not a domain error."""

    model = forms.CharField(max_length=201)
    object_id = forms.CharField(max_length=64)
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
    next = forms.CharField(max_length=2000, required=False)

    def clean_model(self):
        label = self.cleaned_data["model"].lower()
        if not MODEL_LABEL.match(label):
            raise ValidationError(gettext_lazy("Unknown kind of object."))
        try:
            model = apps.get_model(label)
        except LookupError:
            raise ValidationError(gettext_lazy("Unknown kind of object.")) from None
        return model

    def clean(self):
        data = super().clean()
        model = data.get("model")
        if model is not None and "object_id" in data:
            try:
                data["pk"] = model._meta.pk.to_python(data["object_id"])
            except ValidationError:
                self.add_error("object_id", gettext_lazy("Not a valid id."))
        return data


def _bad_request(request, message):
    return render(request, "core/notifications/bad_request.html", {"message": message}, status=400)


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def follow(request):
    """Follow or unfollow one object (the form in core/notifications/follow_button.html). Answers with the
    button again for htmx, else sends the person back to `next` (on this site only)."""
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, _("The follow button sent something we could not understand."))
    model, pk = form.cleaned_data["model"], form.cleaned_data["pk"]
    fallback = reverse("core:hub")
    next_url = _safe_next(request, fallback)
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    target = model._default_manager.filter(pk=pk).first()
    if target is None:
        raise Http404
    try:
        if form.cleaned_data["action"] == "follow":
            services.follow(actor=request.user, target=target)
            message = _("You now follow “%(target)s”.") % {"target": target}
        else:
            services.unfollow(actor=request.user, target=target)
            message = _("You no longer follow “%(target)s”.") % {"target": target}
    except DomainError as error:
        return _bad_request(request, str(error))
    if request.headers.get("HX-Request"):
        return render(request, "core/notifications/follow_button.html", {"target": target, "next": next_url})
    messages.success(request, message)
    return redirect(next_url)


# The RFC 8058 one-click POST comes from a mail client, which has no CSRF token; the signed token in the
# address is what authorises it. Nothing else on the site is exempt.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        unsubscribe_request = read_token(token)
    except signing.BadSignature:
        return render(request, "core/notifications/unsubscribe_invalid.html", status=400)
    user = services.unsubscribe_user(unsubscribe_request)
    if user is None:
        return render(request, "core/notifications/unsubscribe_invalid.html", status=400)
    target = unsubscribe_request.target
    target_label = selectors.target_label(*target) if target is not None else ""
    context = {"all": unsubscribe_request.target is None, "target": target_label, "token": token}
    if request.method == "GET":
        return render(request, "core/notifications/unsubscribe_confirm.html", context)
    try:
        result = services.unsubscribe(request=unsubscribe_request)
    except DomainError:
        return render(request, "core/notifications/unsubscribe_invalid.html", status=400)
    return render(request, "core/notifications/unsubscribe_done.html", {**context, "changed": result["changed"]})
