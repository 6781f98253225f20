"""Development and demo: what `make run` uses. SQLite, console e-mail, no other service needed."""

from .base import *  # noqa: F403
from .base import CACHES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-key-not-for-production-use-0123456789")

if DEBUG:
    # Template edits show at once: no cached pieces of the layout.
    CACHES = {**CACHES, "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# --- ID-porten (issue 3, part A): the local provider (tinget/devidp) answers on the dev server itself, so
# "Log in with ID-porten" works offline. `make run` passes its HOST and PORT; the client fetches discovery,
# keys and tokens over HTTP from the same (threaded) runserver.
_DEV_HOST = env("TINGET_DEV_HOST", default="127.0.0.1")
_DEV_PORT = env("TINGET_DEV_PORT", default="8000")
DEV_IDP_ENABLED = env.bool("DEV_IDP_ENABLED", default=True)
IDPORTEN_ISSUER = env("IDPORTEN_ISSUER", default=f"http://{_DEV_HOST}:{_DEV_PORT}/dev-idp")
IDPORTEN_CLIENT_ID = env("IDPORTEN_CLIENT_ID", default="tinget-local")
IDPORTEN_CLIENT_SECRET = env("IDPORTEN_CLIENT_SECRET", default="local-client-secret-not-for-production")
IDPORTEN_PID_KEYS = env.json("IDPORTEN_PID_KEYS", default={"local-1": "local-pid-key-not-for-production"})
IDPORTEN_PID_KEY_ID = env("IDPORTEN_PID_KEY_ID", default="local-1")
_DEV_ORIGINS = [f"http://{host}:{_DEV_PORT}" for host in dict.fromkeys([_DEV_HOST, "127.0.0.1", "localhost"])]
DEV_IDP_CLIENTS = {
    IDPORTEN_CLIENT_ID: {
        "secret": IDPORTEN_CLIENT_SECRET,
        "redirect_uris": [f"{origin}/idporten/callback/" for origin in _DEV_ORIGINS],
        "post_logout_redirect_uris": [f"{origin}/idporten/logged-out/" for origin in _DEV_ORIGINS],
    }
}
