"""Addresses registered with ID-porten. They carry no language prefix, so one registration serves every
language (mounted outside i18n_patterns in config/urls.py)."""

from django.urls import path

from .views import identity

app_name = "idporten"

urlpatterns = [
    path("callback/", identity.callback, name="callback"),
    path("logged-out/", identity.logged_out, name="logged_out"),
]
