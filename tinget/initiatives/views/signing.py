"""signing"""

urlpatterns = []
