"""View decorators for staff pages outside the admin.

Staff pages show people's personal data and change cases, so like the admin (tinget/accounts/middleware.py)
they open only when this session's login included a second factor. Each module says who may enter (a
predicate on the user) and what to tell staff who have not set up an authenticator app yet.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .middleware import used_second_factor

DEFAULT_SETUP_MESSAGE = _(
    "These pages need two-factor authentication. Set up an authenticator app on your phone, then go to the pages again."
)


def is_active_staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and user.is_staff


def has_any_perm(*perms: str) -> Callable:
    """A predicate for `staff_only`: an active staff member with at least one of `perms`."""

    def predicate(user) -> bool:
        return is_active_staff(user) and any(user.has_perm(perm) for perm in perms)

    return predicate


def second_factor_redirect(request, next_url, setup_message=DEFAULT_SETUP_MESSAGE):
    """Where to send staff whose session has no second factor yet, or None when they have used one."""
    if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        messages.info(request, str(setup_message))
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    if not used_second_factor(request):
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
    return None


def staff_only(may_enter: Callable, *, come_back: Callable, setup_message=DEFAULT_SETUP_MESSAGE):
    """A decorator: login, `may_enter(user)` (403 otherwise), and a second factor this session.

    `come_back(kwargs)` is the address to return to after logging in or giving a code when the request was a
    form (a POST cannot be replayed after a login, so the person comes back to the page the form was on)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            next_url = request.get_full_path() if request.method in ("GET", "HEAD") else come_back(kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(next_url)
            if not may_enter(request.user):
                raise PermissionDenied
            response = second_factor_redirect(request, next_url, setup_message)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
