"""handling pages of fault reports."""

urlpatterns: list = []
