"""Session expiry after inactivity, and the second factor that staff need before the admin opens."""

import time
from functools import cache
from urllib.parse import urlencode, urlsplit

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LAST_ACTIVITY_KEY = "tinget_last_activity"
# How often the last-activity time is written back: at most once a minute, so that reading pages does not
# cost a session write each. The expiry is therefore exact to within this many seconds.
TOUCH_INTERVAL = 60


def idle_minutes(user) -> int:
    if user.is_staff:
        return settings.TINGET_STAFF_SESSION_IDLE_MINUTES
    return settings.TINGET_SESSION_IDLE_MINUTES


def start_activity_clock(sender, request, user, **kwargs):
    """Logging in is activity: start the clock in the session the login saves anyway, so that the first
    page after it costs no extra session write."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """Log a person out once their session has seen no request for TINGET_SESSION_IDLE_MINUTES (residents)
    or TINGET_STAFF_SESSION_IDLE_MINUTES (staff), and tell them why on the login page.

    Must come after AuthenticationMiddleware (it needs request.user) and MessageMiddleware (the message).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            minutes = idle_minutes(user)
            if isinstance(last, int) and now - last > minutes * 60:
                return self._expire(request, minutes)
            if not isinstance(last, int) or now - last >= TOUCH_INTERVAL:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expire(self, request, minutes):
        logout(request)
        message = ngettext(
            "You were logged out after %(minutes)d minute without activity.",
            "You were logged out after %(minutes)d minutes without activity.",
            minutes,
        ) % {"minutes": minutes}
        messages.info(request, message)
        # An API client or an htmx request cannot show a login page: it goes on as anonymous, and the view
        # answers as it does to anyone who is not logged in.
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return self.get_response(request)
        # A form sent after the session ended cannot be replayed; after logging in again, the person comes
        # back to the page (for a POST, the page the form was on, when we know it).
        next_url = request.get_full_path()
        if request.method not in ("GET", "HEAD"):
            referer = request.headers.get("Referer", "")
            safe = url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            next_url = urlsplit(referer)._replace(scheme="", netloc="").geturl() if safe and referer else ""
        login_url = reverse("account_login")
        return HttpResponseRedirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)


@cache
def _admin_paths():
    return reverse("admin:index"), reverse("admin:login"), reverse("admin:logout")


def used_second_factor(request) -> bool:
    """Whether this session's login included a TOTP (or recovery) code, at login or confirmed since."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffTwoFactorMiddleware:
    """The admin opens only to staff who logged in with a second factor.

    - /admin/login/ sends everyone to the one login page (allauth's, which asks for the TOTP code), so that
      there is no second login without two-factor.
    - A staff member without an authenticator app is sent to set one up.
    - A staff member with one, whose session has no second factor on record (e.g. they set it up after
      logging in, or came in another way), is asked for a code before going on.
    - A person who is logged in but not staff gets "no access" instead of a login page that would only send
      them back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_index, admin_login, admin_logout = _admin_paths()
        path = request.path_info
        if not path.startswith(admin_index) or path == admin_logout:
            return self.get_response(request)
        user = request.user
        if path == admin_login:
            if user.is_authenticated and not (user.is_active and user.is_staff):
                raise PermissionDenied
            next_url = request.GET.get("next") or admin_index
            return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if not (user.is_authenticated and user.is_active and user.is_staff):
            # Django's admin answers these: a redirect to /admin/login/, which comes back here.
            return self.get_response(request)
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            messages.info(
                request,
                _(
                    "The administration needs two-factor authentication. Set up an authenticator app on your "
                    "phone, then go to the administration again."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not used_second_factor(request):
            return HttpResponseRedirect(
                f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
