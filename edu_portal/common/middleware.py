"""Show user-fixable errors as a message page instead of a 500."""
from django.shortcuts import render

from .exceptions import AppError


class AppErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AppError):
            return render(request, "error.html", {"error": exception}, status=exception.status_code)
        return None


class PortalLocaleMiddleware:
    """Vietnamese unless the user chose English with the language switch (the cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a ministry
    official on an English-language browser would get a half-English page; the portal's
    language is a choice, not a guess.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES) and request.path.startswith("/api/"):
            # An API client has no language switch: its Accept-Language chooses (error messages, titles).
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # For this request only: the thread goes back to its language afterwards, so nothing that
        # runs next in it (another request's code before its middleware, a thread-pool worker, a
        # test) inherits an English user's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
