"""The site's URLconf plus views that fail on purpose, for the error-page and rate-limit tests."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns
from tinget.core.ratelimit import ratelimit


def explode(request):
    raise RuntimeError("a bug in a view")


def bad_request(request):
    raise BadRequest("nonsense")


def forbidden(request):
    raise PermissionDenied


@ratelimit("test-scope", "2/d", methods={"GET", "POST"})
def limited(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test-errors/explode", explode),
    path("test-errors/bad-request", bad_request),
    path("test-errors/forbidden", forbidden),
    path("test-errors/limited", limited),
    path("api/test-errors/limited", limited),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
