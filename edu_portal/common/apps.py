from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "edu_portal.common"
    label = "common"

    def ready(self):
        from . import lookups, period_locks

        lookups.register()
        # Writes refused by a reporting period's lock become AppErrors (issue 19).
        period_locks.register()
