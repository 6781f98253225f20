"""handling"""

urlpatterns = []
