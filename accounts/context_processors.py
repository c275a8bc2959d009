from django.apps import apps
from django.urls import NoReverseMatch, reverse

from .scope import Scope


def scope(request):
    """The user's scope and the navigation entries their role may use.

    Each app declares its entries as `nav_items = [(url_name, label, roles or None)]` on its
    AppConfig, so a new app adds itself to the menu without editing a shared template.
    """
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    nav = []
    for config in apps.get_app_configs():
        for url_name, label, roles in getattr(config, "nav_items", ()):
            if roles and user.role not in roles and not user.is_superuser:
                continue
            try:
                nav.append({"url": reverse(url_name), "label": label})
            except NoReverseMatch:
                continue
    return {"user_scope": Scope.for_user(user), "nav_items": nav}
