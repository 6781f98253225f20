"""The journal's pages under /postliste/ (nb, nn) and /en/mail-journal/. Each views module lists its own routes."""

from .views import importing, mine, processing, public, requesting

app_name = "journal"

urlpatterns = [
    *public.urlpatterns,
    *requesting.urlpatterns,
    *mine.urlpatterns,
    *processing.urlpatterns,
    *importing.urlpatterns,
]
