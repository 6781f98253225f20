from django.utils import translation
from django.utils.cache import patch_vary_headers


class ApiLanguageMiddleware:
    """The API has no language prefix in its paths, so LocaleMiddleware would always answer in bokmål;
    here a client chooses with Accept-Language (nb, nn or en; bokmål when it asks for none of them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        return response
