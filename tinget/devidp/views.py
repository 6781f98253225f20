"""The local OpenID Connect provider's endpoints (mounted at /dev-idp/ only when settings.DEV_IDP_ENABLED).

Each view answers 404 when the setting is off as well, so a URL configuration loaded with it on never
serves logins after it is turned off.
"""

import base64
import binascii
import hmac
import time
from functools import wraps
from urllib.parse import unquote_plus, urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import provider
from .forms import LoginForm

AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "ui_locales",
)


def enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEV_IDP_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def issuer(request) -> str:
    # The issuer is the address the provider is reached at, so discovery, tokens and the client's
    # IDPORTEN_ISSUER agree whether the dev server runs on 127.0.0.1:8000 or a test's live server.
    discovery_url = request.build_absolute_uri(reverse("devidp:discovery"))
    return discovery_url.removesuffix("/.well-known/openid-configuration")


@require_GET
@enabled
def discovery(request):
    base = issuer(request)
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/endsession",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["iss", "aud", "sub", "pid", "acr", "amr", "nonce", "auth_time", "iat", "exp"],
            "acr_values_supported": list(provider.LEVELS),
            "ui_locales_supported": ["nb", "nn", "en", "se"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "frontchannel_logout_supported": False,
        }
    )


@require_GET
@enabled
def jwks(request):
    return JsonResponse(provider.jwks())


def _check_authorize(params) -> tuple[dict | None, str | None, str | None]:
    """(client, fatal problem, redirectable error). A bad client or redirect_uri is shown on the page and
    never redirected to (an open redirect otherwise); other mistakes go back to the client as errors."""
    client = provider.client(params.get("client_id", ""))
    if client is None:
        return None, _("The client_id is not registered with this provider."), None
    if params.get("redirect_uri") not in client.get("redirect_uris", []):
        return None, _("The redirect_uri is not registered for this client."), None
    if params.get("response_type") != "code":
        return client, None, "unsupported_response_type"
    if "openid" not in params.get("scope", "").split():
        return client, None, "invalid_scope"
    if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) < 43:
        return client, None, "invalid_request"
    if not params.get("state") or not params.get("nonce"):
        return client, None, "invalid_request"
    return client, None, None


def _back_to_client(params, **answer):
    answer["state"] = params.get("state", "")
    answer["iss"] = params["__issuer"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return HttpResponseRedirect(params["redirect_uri"] + separator + urlencode(answer))


@never_cache
@require_http_methods(["GET", "POST"])
@enabled
def authorize(request):
    source = request.GET if request.method == "GET" else request.POST
    params = {name: source.get(name, "") for name in AUTHORIZE_PARAMS}
    params["__issuer"] = issuer(request)
    language = params["ui_locales"].split(" ")[0] if params["ui_locales"] else ""
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    _client, fatal, error = _check_authorize(params)
    if fatal:
        return render(request, "devidp/invalid_request.html", {"problem": fatal}, status=400)
    if error:
        return _back_to_client(params, error=error)
    if request.method == "POST" and "cancel" in request.POST:
        return _back_to_client(params, error="access_denied", error_description="The person cancelled.")
    requested = [level for level in params["acr_values"].split() if level in provider.LEVELS]
    form = LoginForm(
        request.POST if request.method == "POST" else None,
        initial={"acr": (requested or ["idporten-loa-substantial"])[0]},
    )
    if request.method == "POST" and form.is_valid():
        code = provider.issue_code(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params["nonce"],
            scope=params["scope"],
            pid=form.cleaned_data["pid"],
            acr=form.cleaned_data["acr"],
            ui_locales=language or "nb",
            auth_time=int(time.time()),
        )
        return _back_to_client(params, code=code)
    hidden = [(name, value) for name, value in params.items() if not name.startswith("__")]
    return render(
        request,
        "devidp/authorize.html",
        {"form": form, "hidden": hidden, "client_id": params["client_id"]},
        status=400 if form.is_bound else 200,
    )


def _client_credentials(request):
    """client_secret_basic (Authorization header) or client_secret_post (form fields)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _oauth_error(error, description="", status=400):
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _authenticate_client(request) -> str:
    """The authenticated client's id, by the one method it is registered for; ProviderError otherwise."""
    if "client_assertion" in request.POST or "client_assertion_type" in request.POST:
        base = issuer(request)
        return provider.authenticate_client_assertion(
            assertion_type=request.POST.get("client_assertion_type", ""),
            assertion=request.POST.get("client_assertion", ""),
            client_id=request.POST.get("client_id", ""),
            audiences={base, f"{base}/token"},
        )
    client_id, secret = _client_credentials(request)
    client = provider.client(client_id) or {}
    # A client registered for private_key_jwt must sign: a secret is never enough to act as it.
    expected = client.get("secret") if client.get("token_endpoint_auth_method") != "private_key_jwt" else None
    if not expected or not hmac.compare_digest(expected.encode(), secret.encode()):
        raise provider.ProviderError("invalid_client", "Unknown client or wrong secret.")
    return client_id


@csrf_exempt
@require_POST
@enabled
def token(request):
    try:
        client_id = _authenticate_client(request)
    except provider.ProviderError as exc:
        return _oauth_error(exc.error, exc.description, status=401)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type")
    try:
        tokens = provider.redeem_code(
            issuer=issuer(request),
            code=request.POST.get("code", ""),
            client_id=client_id,
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
    except provider.ProviderError as exc:
        return _oauth_error(exc.error, exc.description)
    response = JsonResponse(tokens)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
@enabled
def userinfo(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    claims = provider.userinfo(header[7:] if header.startswith("Bearer ") else "")
    if claims is None:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return JsonResponse(claims)


@never_cache
@require_GET
@enabled
def end_session(request):
    """Log out at the provider, then go back to the client if the hint and the address check out."""
    claims = provider.verify_own_id_token(request.GET.get("id_token_hint", ""), issuer(request))
    target = request.GET.get("post_logout_redirect_uri", "")
    client = provider.client(claims["aud"]) if claims else None
    if client is not None and target in client.get("post_logout_redirect_uris", []):
        state = request.GET.get("state")
        separator = "&" if "?" in target else "?"
        return HttpResponseRedirect(target + (separator + urlencode({"state": state}) if state else ""))
    return render(request, "devidp/logged_out.html")
