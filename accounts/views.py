"""The language switch: Django's set_language (the cookie), and the choice kept on a signed-in user's account."""
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .services import user_language_set


@require_POST
def language_set_view(request):
    response = set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
