"""Tests: an in-memory-fast setup, a non-UTC zone to flush out naive datetimes, tasks run at once."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env, tune_database

DEBUG = False
SECRET_KEY = "test-key-not-secret-but-long-enough-for-django-checks-0123456789"
TIME_ZONE = "America/Sao_Paulo"
DATABASES = {"default": tune_database(env.db("DATABASE_URL", default="sqlite:///var/test.sqlite3"))}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tinget-jobs"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
TINGET_HUB_CACHE_SECONDS = 0

# ID-porten (issue 3, part A): the local provider is mounted; tests point the client at it on their live
# server (tinget/accounts/tests/conftest.py sets the issuer and the redirect addresses).
DEV_IDP_ENABLED = True
DEV_IDP_KEY_FILE = VAR_DIR / "devidp-test-key.pem"
IDPORTEN_CLIENT_ID = "tinget-test"
IDPORTEN_CLIENT_SECRET = "test-client-secret"
IDPORTEN_PID_KEYS = {"test-2": "second-test-pid-key", "test-1": "first-test-pid-key"}
IDPORTEN_PID_KEY_ID = "test-2"
IDPORTEN_TIMEOUT = 3.0

# Fault reports: maps draw without tiles (no network in tests); photos land in a scratch folder per run.
TINGET_MAP_TILES_URL = ""
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    **STORAGES,  # noqa: F405
    "report_photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media" / "protected"},
    },
    "initiative_files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media" / "protected" / "initiatives"},
    },
    "journal_files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media" / "protected" / "journal"},
    },
    "consultation_files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media" / "protected" / "consultations"},
    },
}
