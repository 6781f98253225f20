"""proposing"""

urlpatterns = []
