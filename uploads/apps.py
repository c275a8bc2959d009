from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = "Tải lên dữ liệu"
    nav_items = [("uploads:list", "Tải lên", None)]
