"""The public API root. Each module's router (named in its registry entry) is mounted under its slug."""

from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from tinget.core.errors import DomainError
from tinget.core.ratelimit import RateLimited
from tinget.core.registry import registry
from tinget.core.selectors import areas, current_municipality

from .schemas import ErrorOut

api = NinjaAPI(
    title="Tinget API",
    version="1",
    description="Open data and services from Tinget: the municipality profile and each participation channel.",
    urls_namespace="api-v1",
)


class ModuleOut(Schema):
    slug: str
    name: str
    description: str
    section: str
    url: str | None
    api: str | None


class AreaOut(Schema):
    name: str
    slug: str
    is_demo: bool


class MunicipalityOut(Schema):
    number: str
    name: str
    county: str
    population: int
    phone: str
    email: str
    website: str
    areas: list[AreaOut]


class IndexOut(Schema):
    name: str
    version: str
    openapi: str
    municipality: str | None
    modules: list[ModuleOut]


def _modules(request: HttpRequest):
    return [
        {
            "slug": m.slug,
            "name": str(m.name),
            "description": str(m.description),
            "section": m.section,
            "url": request.build_absolute_uri(m.url) if m.url else None,
            "api": request.build_absolute_uri(f"/api/v1/{m.slug}/") if m.api_router else None,
        }
        for m in registry
    ]


@api.get("/", response=IndexOut, summary="What this API offers", tags=["core"])
def index(request):
    municipality = current_municipality()
    return {
        "name": "Tinget",
        "version": "1",
        "openapi": request.build_absolute_uri("/api/v1/openapi.json"),
        "municipality": municipality.name if municipality else None,
        "modules": _modules(request),
    }


@api.get("/modules", response=list[ModuleOut], summary="The participation channels", tags=["core"])
def modules(request):
    return _modules(request)


@api.get(
    "/municipality",
    response={200: MunicipalityOut, 404: ErrorOut},
    summary="The municipality this installation serves",
    tags=["core"],
)
def municipality(request):
    municipality = current_municipality()
    if municipality is None:
        return Status(404, {"code": "not_configured", "detail": "No municipality profile is loaded."})
    data = {
        field: getattr(municipality, field)
        for field in ("number", "name", "county", "population", "phone", "email", "website")
    }
    data["areas"] = list(areas(municipality))
    return data


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = api.create_response(request, {"code": exc.code, "detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"code": exc.code, "detail": str(exc)}, status=400)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"code": "invalid", "detail": exc.errors}, status=422)


for _module in registry:
    if _module.api_router:
        api.add_router(f"/{_module.slug}/", import_string(_module.api_router))
