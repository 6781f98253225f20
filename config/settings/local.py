"""Development and demo: what `make run` uses. SQLite, console e-mail, no other service needed."""

from .base import *  # noqa: F403
from .base import CACHES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-key-not-for-production-use-0123456789")

if DEBUG:
    # Template edits show at once: no cached pieces of the layout.
    CACHES = {**CACHES, "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
