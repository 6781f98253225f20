"""Citizen initiatives' pages under /innbyggerforslag/. Each views module lists its own routes."""

from .views import handling, mine, proposing, public, signing

app_name = "initiatives"

urlpatterns = [
    *public.urlpatterns,
    *proposing.urlpatterns,
    *signing.urlpatterns,
    *handling.urlpatterns,
    *mine.urlpatterns,
]
