"""public pages of fault reports."""

urlpatterns: list = []
