from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "edu_portal.common"
    label = "common"

    def ready(self):
        from . import lookups

        lookups.register()
