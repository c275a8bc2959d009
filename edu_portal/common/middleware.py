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
