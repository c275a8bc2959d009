# The portal's image: one image for the web process (gunicorn), the Celery worker and beat,
# and the mock population registry. See docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=edu_portal.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# postgresql-client: pg_dump/pg_restore for scripts/backup.sh and scripts/restore.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while only the code changes); the test and lint tools are left out.
COPY requirements.txt .
RUN grep -v -E '^(pytest|pytest-django|pytest-xdist|factory_boy|hypothesis|playwright|schemathesis|ruff|bandit)==' \
        requirements.txt > /tmp/requirements-runtime.txt \
    && pip install -r /tmp/requirements-runtime.txt \
    && rm /tmp/requirements-runtime.txt

RUN useradd --system --uid 10001 --gid 0 --home-dir /app --shell /usr/sbin/nologin portal
COPY --chown=portal:0 . .

# Static files are collected at build time (production refuses to start without its secrets,
# so build-only placeholders are given here; none of them reaches the running containers).
RUN DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@127.0.0.1:9/build REDIS_URL=redis://127.0.0.1:9/0 \
    POPULATION_API_URL=https://build.invalid POPULATION_API_CLIENT_SECRET=build \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R portal:0 /app/media /app/staticfiles

USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
