"""Production settings: `check --deploy` is clean, and the settings refuse to start without
their secrets. Run in subprocesses with a clean environment (the test process has its own
DJANGO_SECRET_KEY and settings module)."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "edu_portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "csdl.moet.example.vn",
        # Nothing listens on port 9: `check` must not need the services.
        "DATABASE_URL": "postgres://portal:dummy@127.0.0.1:9/portal",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "POPULATION_API_URL": "https://registry-gateway.example.vn",
        "POPULATION_API_CLIENT_SECRET": "dummy-registry-secret",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def start_settings(env) -> subprocess.CompletedProcess:
    """What every process (gunicorn, celery, manage.py) does first: load the settings."""
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr and "?:" not in result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
                                     "POPULATION_API_URL", "POPULATION_API_CLIENT_SECRET"])
def test_production_refuses_to_start_without_its_secrets(missing):
    result = start_settings(production_env(**{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


@pytest.mark.parametrize("weak", ["dev-only-insecure-key-do-not-use-in-production", "short-key", "a" * 60])
def test_production_refuses_a_weak_secret_key(weak):
    result = start_settings(production_env(DJANGO_SECRET_KEY=weak))
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is too weak" in result.stderr


@pytest.mark.parametrize("url", ["http://registry-gateway.example.vn", "HTTP://registry:8100/", "registry:8100",
                                 "https://", "ftp://registry.example.vn"])
def test_production_refuses_a_registry_url_that_is_not_https(url):
    """ID numbers go to the registry and come back: never over plain HTTP."""
    result = start_settings(production_env(POPULATION_API_URL=url))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "POPULATION_API_URL must be an https://" in result.stderr


def test_production_settings_start_with_all_secrets():
    """The refusals above are not the settings failing for some other reason."""
    result = start_settings(production_env())
    assert result.returncode == 0, result.stderr
