from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tinget.api"
    label = "api"
    verbose_name = "API"
