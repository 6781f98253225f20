"""Fault reports' pages under /meld-feil/. Each views module lists its own routes."""

from .views import developers, handling, public, reporting

app_name = "reports"

urlpatterns = [*public.urlpatterns, *reporting.urlpatterns, *handling.urlpatterns, *developers.urlpatterns]
