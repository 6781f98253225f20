"""Open311 GeoReport v2 under /open311/v2/ (no language prefix: clients use fixed paths). Each resource takes
a format extension, .xml or .json; any other path answers 404 in the spec's error format."""

from django.urls import path, re_path

from . import open311

app_name = "open311"

_FMT = r"\.(?P<fmt>[^/.]+)"

urlpatterns = [
    path("", open311.index, name="index"),
    re_path(rf"^discovery{_FMT}$", open311.discovery, name="discovery"),
    re_path(rf"^services{_FMT}$", open311.service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){_FMT}$", open311.service_definition, name="service"),
    re_path(rf"^requests{_FMT}$", open311.service_requests, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+?){_FMT}$", open311.service_request, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){_FMT}$", open311.token_lookup, name="token"),
    re_path(rf"^servicerequestupdates{_FMT}$", open311.service_request_updates, name="updates"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
