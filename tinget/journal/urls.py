"""The journal's pages under /postliste/."""

app_name = "journal"

urlpatterns = []
