"""Tests: the real PostgreSQL and Redis, a separate Redis database, fast password hashing."""
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {"default": {"BACKEND": "edu_portal.common.cache.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
POPULATION_API_URL = env("POPULATION_API_URL", default="http://127.0.0.1:8199")
POPULATION_API_CLIENT_SECRET = env("POPULATION_API_CLIENT_SECRET", default="test-registry-secret")
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DEMO_LOGINS_ENABLED = True
DEMO_PASSWORD = "edu-demo-2026"
MEDIA_ROOT = BASE_DIR / ".local" / "test-media"  # noqa: F405
# Seeds in tests write their population here, never over the one `make run` serves.
POPULATION_REGISTRY_POPULATION_FILE = BASE_DIR / ".local" / "test-population.csv.gz"  # noqa: F405
# Webhooks may also go over plain http to a receiver on this machine or the local network (webhooks/targets.py).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
