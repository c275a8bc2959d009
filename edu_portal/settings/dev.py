"""Local development: safe defaults so `make run` works with no configuration."""
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
POPULATION_API_CLIENT_SECRET = env("POPULATION_API_CLIENT_SECRET", default="dev-registry-secret")
DEMO_LOGINS_ENABLED = True
DEMO_PASSWORD = env("DEMO_PASSWORD", default="edu-demo-2026")
# Webhooks may also go over plain http to a receiver on this machine or the local network (webhooks/targets.py).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
