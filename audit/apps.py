from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who wrote or saw what, through which door: an append-only trail kept by the database."""

    name = "audit"
    verbose_name = _("Nhật ký thay đổi")
    nav_group = "admin"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("audit:events", _("Nhật ký thay đổi"), ("ministry",))]

    def ready(self):
        from django.db.backends.signals import connection_created

        from edu_portal.common.signals import id_numbers_shown, record_deleted

        from . import celery_signals  # noqa: F401 - connects the Celery signal handlers
        from .context import install_wrapper
        from .receivers import on_id_numbers_shown, on_record_deleted

        connection_created.connect(install_wrapper, dispatch_uid="audit.install_wrapper")
        # The API base (edu_portal/common/api/) announces full ID numbers shown; the trail records them.
        id_numbers_shown.connect(on_id_numbers_shown, dispatch_uid="audit.id_numbers_shown")
        # A deletion (the records apps' delete services, through the tombstone) says why; the trail keeps it.
        record_deleted.connect(on_record_deleted, dispatch_uid="audit.record_deleted")
