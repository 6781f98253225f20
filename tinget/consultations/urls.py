"""Consultations' pages under /horinger/. Each views module lists its own routes."""

from .views import authoring, mine, processing, public, submitting

app_name = "consultations"

urlpatterns = [
    *public.urlpatterns,
    *submitting.urlpatterns,
    *authoring.urlpatterns,
    *processing.urlpatterns,
    *mine.urlpatterns,
]
