"""Production: everything secret or site-specific must come from the environment."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    IDPORTEN_CLIENT_AUTH_METHOD,
    IDPORTEN_CLIENT_PRIVATE_KEY,
    IDPORTEN_CLIENT_PRIVATE_KEY_FILE,
    IDPORTEN_ISSUER,
    IDPORTEN_PID_KEY_ID,
    IDPORTEN_PID_KEYS,
    STATIC_ROOT,
    STORAGES,
    env,
)

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a promise made for a whole registrable domain (e.g. asker.kommune.no and all below it) and
# is hard to take back, so it is the domain owner's decision, taken by setting SECURE_HSTS_PRELOAD; until
# then the deploy check's reminder (security.W021) is not a fault in this installation.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, *([] if SECURE_HSTS_PRELOAD else ["security.W021"])]  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# ID-porten (issue 3, part A). The local provider hands out logins for invented people: never here.
if env.bool("DEV_IDP_ENABLED", default=False):
    raise ImproperlyConfigured("DEV_IDP_ENABLED must not be set in production: it lets anyone log in as anyone.")
DEV_IDP_ENABLED = False
if IDPORTEN_ISSUER and IDPORTEN_PID_KEY_ID not in IDPORTEN_PID_KEYS:
    raise ImproperlyConfigured("IDPORTEN_PID_KEYS must hold the key named by IDPORTEN_PID_KEY_ID.")
# A missing client key would otherwise surface only when the first person tries to log in.
if (
    IDPORTEN_ISSUER
    and IDPORTEN_CLIENT_AUTH_METHOD == "private_key_jwt"
    and not IDPORTEN_CLIENT_PRIVATE_KEY
    and not (IDPORTEN_CLIENT_PRIVATE_KEY_FILE and Path(IDPORTEN_CLIENT_PRIVATE_KEY_FILE).is_file())
):
    raise ImproperlyConfigured(
        "IDPORTEN_CLIENT_AUTH_METHOD is private_key_jwt: set IDPORTEN_CLIENT_PRIVATE_KEY or point "
        "IDPORTEN_CLIENT_PRIVATE_KEY_FILE at the client's private key."
    )

# collectstatic writes here and WhiteNoise serves from here; the benchmark points it at a temporary folder.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(STATIC_ROOT)))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
