"""Whole pages kept for a few seconds for visitors who are not logged in: what every such visitor sees is rendered
once per process and interval (the hub, an initiative's or a consultation's page under load).

Kept in the process's own memory like the other pieces of the layout (settings.CACHES["layout"]): with a shared
cache, a round trip for the page would cost about as much as rendering its layout. What changes shows at most
`seconds` later.
"""

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language


def anonymous_key(request, prefix: str, seconds: float) -> str | None:
    """The cache key of the page as every visitor who is not logged in sees it, or None when caching is off, this
    visitor may see more (logged in, a message waiting) or asked for something else (a query string). The host is
    in the key: pages hold absolute addresses (share links)."""
    if not seconds:
        return None
    if request.user.is_authenticated or request.GET or len(get_messages(request)):
        return None
    return f"{prefix}:{get_language()}:{request.get_host()}:{request.path}"


def cached(key: str | None) -> HttpResponse | None:
    if key is None:
        return None
    page = caches["layout"].get(key)
    return HttpResponse(page) if page is not None else None


def same_for_every_visitor(request, response) -> bool:
    # A CSRF token, a cookie or a CSP nonce in the page would belong to this visitor alone.
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
    )


def keep(key: str | None, request, response, seconds: float) -> None:
    """Keep the page under `key` if it is the same for every visitor."""
    if key is not None and seconds and same_for_every_visitor(request, response):
        caches["layout"].set(key, response.content, seconds)
