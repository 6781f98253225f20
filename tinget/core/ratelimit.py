"""Cache-backed rate limits, per person and per network.

Every write (POST, PUT, PATCH, DELETE) passes `RateLimitMiddleware`, which applies the general write
limit; a view or service that needs a tighter one calls `check(request, scope, rate)` or uses the
`ratelimit` decorator. Both answer 429 with a readable page through `RateLimited`.
"""

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(DomainError):
    default_message = _("You have done this many times in a short while. Please wait a little and try again.")
    code = "rate_limited"

    def __init__(self, retry_after=60, **kwargs):
        super().__init__(**kwargs)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/10m' -> (60, 600). The period is a number (default 1) and a unit: s, m, h or d."""
    try:
        count_text, period_text = rate.strip().split("/")
        count = int(count_text)
        unit = period_text[-1]
        number = int(period_text[:-1] or 1)
        seconds = number * _UNITS[unit]
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"Not a rate: {rate!r} (write it as '10/m' or '60/10m')") from exc
    if count < 1 or seconds < 1:
        raise ValueError(f"Not a rate: {rate!r}")
    return count, seconds


def network_of(ip: str) -> str:
    """The network a client address belongs to: /24 for IPv4, /64 for IPv6."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    # A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d; without this they would all share ::/64.
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def client_ip(request) -> str:
    # Behind the reverse proxy, the proxy sets REMOTE_ADDR for us (see docs/operations.md); we do not
    # trust X-Forwarded-For here, because anyone can send it.
    return request.META.get("REMOTE_ADDR", "")


def _hit(key: str, limit: int, period: int) -> int | None:
    """Count one hit in the current window; return seconds to wait when over the limit, else None."""
    window = int(time.time() // period)
    cache_key = f"rl:{key}:{period}:{window}"
    if cache.add(cache_key, 1, period + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, period + 5)
            count = 1
    if count > limit:
        return period - int(time.time()) % period or 1
    return None


def check(request, scope: str, rate: str, network_rate: str | None = None) -> None:
    """Count this request against `scope`; raise RateLimited when the person or the network is over.

    A signed-in person is counted by their id; everyone is also counted by their network, with
    `network_rate` (default: five times `rate`) so that a shared office address is not shut out at once.
    """
    limit, period = parse_rate(rate)
    if network_rate:
        net_limit, net_period = parse_rate(network_rate)
    else:
        net_limit, net_period = limit * 5, period
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and user.is_authenticated:
        wait = _hit(f"{scope}:u:{user.pk}", limit, period)
    else:
        wait = _hit(f"{scope}:ip:{ip}", limit, period)
    if wait is None:
        wait = _hit(f"{scope}:net:{network_of(ip)}", net_limit, net_period)
    if wait is not None:
        raise RateLimited(retry_after=wait)


def ratelimit(scope: str, rate: str, methods=WRITE_METHODS, network_rate: str | None = None):
    """View decorator: apply `check` for the given methods."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                check(request, scope, rate, network_rate)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request, exc: RateLimited):
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": exc.code, "detail": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    response = render(request, "429.html", {"message": exc.message, "retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def check_writes(request) -> None:
    """The general limit on writes (TINGET_WRITE_RATE per person, TINGET_WRITE_RATE_NETWORK per network)."""
    check(request, "write", settings.TINGET_WRITE_RATE, settings.TINGET_WRITE_RATE_NETWORK)


def answers_429_itself(view):
    """Mark a view that applies `check_writes` itself and answers 429 in its own format: a machine interface
    with an error format of its own (Open311) must not get the HTML page."""
    view.answers_429_itself = True
    return view


class RateLimitMiddleware:
    """The general limit on writes, and the 429 page for any RateLimited raised below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in WRITE_METHODS and not getattr(view_func, "answers_429_itself", False):
            try:
                check_writes(request)
            except RateLimited as exc:
                return too_many_requests(request, exc)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception)
        return None
