"""The public pages: the list and one initiative. (Being built: see var/HELPERS.md.)"""

from django.http import HttpResponse
from django.urls import path


def index(request):
    return HttpResponse("initiatives")


def detail(request, pk):
    return HttpResponse("initiative")


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
]
