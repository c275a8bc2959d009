"""Tests: the real PostgreSQL and Redis, a separate Redis database, fast password hashing.

`make test` runs the tests in parallel processes (pytest-xdist; PYTEST_XDIST_WORKER=gw0, gw1, ...). Each has a
test database of its own (pytest-django names it test_<name>_gw<N>) and here a Redis database, media folder and
population file of its own: a Celery worker of one process must not take the other's tasks, nor a statistics
version bump or a lockout counter of one test reach another's."""
import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and os.environ.get("TEST_REDIS_URL_WORKER") != XDIST_WORKER:
    # Worker gw<N> counts down from TEST_REDIS_URL's database (15, 14, ...: the dev server keeps 0), and hands the
    # result on to the processes it starts (a Celery worker, manage.py), which inherit the environment. A process
    # given a TEST_REDIS_URL of its own (a drill's private Redis) keeps it as it is.
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) - int(XDIST_WORKER.removeprefix("gw"))
    if _db < 0:
        raise ImproperlyConfigured(f"{XDIST_WORKER}: no Redis database below {REDIS_URL}; start from a higher one")
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
    os.environ["TEST_REDIS_URL"], os.environ["TEST_REDIS_URL_WORKER"] = REDIS_URL, XDIST_WORKER
CACHES = {"default": {"BACKEND": "edu_portal.common.cache.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
POPULATION_API_URL = env("POPULATION_API_URL", default="http://127.0.0.1:8199")
POPULATION_API_CLIENT_SECRET = env("POPULATION_API_CLIENT_SECRET", default="test-registry-secret")
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DEMO_LOGINS_ENABLED = True
DEMO_PASSWORD = "edu-demo-2026"
MEDIA_ROOT = BASE_DIR / ".local" / "test-media" / XDIST_WORKER  # noqa: F405
# Seeds in tests write their population here, never over the one `make run` serves.
POPULATION_REGISTRY_POPULATION_FILE = BASE_DIR / ".local" / f"test-population{'-' if XDIST_WORKER else ''}{XDIST_WORKER}.csv.gz"  # noqa: F405
# Webhooks may also go over plain http to a receiver on this machine or the local network (webhooks/targets.py).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
