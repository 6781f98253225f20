"""reporting pages of fault reports."""

urlpatterns: list = []
