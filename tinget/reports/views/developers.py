"""developers pages of fault reports."""

urlpatterns: list = []
