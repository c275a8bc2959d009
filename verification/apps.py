from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Xác thực định danh"
    nav_items = [("verification:runs", "Xác thực định danh", None)]
