"""Tests: an in-memory-fast setup, a non-UTC zone to flush out naive datetimes, tasks run at once."""

from .base import *  # noqa: F403
from .base import env, tune_database

DEBUG = False
SECRET_KEY = "test-key-not-secret-but-long-enough-for-django-checks-0123456789"
TIME_ZONE = "America/Sao_Paulo"
DATABASES = {"default": tune_database(env.db("DATABASE_URL", default="sqlite:///var/test.sqlite3"))}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
TINGET_HUB_CACHE_SECONDS = 0
