"""Production: refuses to start without its secrets; secure cookies and headers."""
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

for required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
                 "POPULATION_API_URL", "POPULATION_API_CLIENT_SECRET"):
    if not env.str(required, default=""):
        raise ImproperlyConfigured(f"{required} must be set in the environment for production.")
# Pupils' and staff ID numbers travel to the registry and back: never in clear text.
if urlsplit(POPULATION_API_URL).scheme != "https" or not urlsplit(POPULATION_API_URL).hostname:
    raise ImproperlyConfigured("POPULATION_API_URL must be an https:// address in production "
                               "(the population registry receives and returns personal ID numbers).")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or "insecure" in SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak for production: use 50+ random characters "
                               "(python -c 'import secrets; print(secrets.token_urlsafe(64))').")

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
POPULATION_API_CLIENT_SECRET = env("POPULATION_API_CLIENT_SECRET")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # templates pass the token to htmx; no script reads the cookie
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Static files served by the app itself (whitenoise), hashed names, gzip/brotli; run
# `manage.py collectstatic` at build time (the Dockerfile does).
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=STATIC_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "security.storage.StaticFilesStorage"},
}

# Machine-readable logs: one JSON object per line, each with the request id.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
SECURITY_ACCESS_LOG = env.bool("DJANGO_ACCESS_LOG", default=True)  # one line per request
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING too (JSON)
# Celery queues split by kind of work (verification, imports, statistics): docs/scaling.md.
CELERY_TASK_ROUTES = TASK_QUEUES_BY_KIND if env.bool("CELERY_SPLIT_QUEUES", default=True) else {}
