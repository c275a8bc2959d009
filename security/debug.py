"""Django's error page with DEBUG on (`make run`) without the secrets.

Django's own filter hides settings and environment variables whose names contain KEY, SECRET,
PASS, TOKEN...; but DATABASE_URL, REDIS_URL, CELERY_BROKER_URL or a DSN carry their password
inside the address, and runserver puts the whole process environment into request.META. This
filter hides those names too, masks the password of any URL it shows, and applies the same rule
to the local variables of the traceback's frames."""
import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host -> the password part
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^@/\s]+(?=@)", re.IGNORECASE)


class SecretSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CSRF|CREDENTIAL|PRIVATE|"
        "URL|URI|DSN|DATABASE|REDIS|BROKER|BACKEND|CACHE|LOCATION|CONN",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            return URL_PASSWORD.sub(rf"\g<head>{self.cleansed_substitute}", value)
        return value

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleanse_setting(name, value))
                for name, value in super().get_traceback_frame_variables(request, tb_frame)]
