"""Settings shared by every environment. Secrets and addresses come from the environment."""
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Our apps, one per part of the domain.
    "edu_portal.common",
    "accounts",
    "geo",
    "schools",
    "teachers",
    "students",
    "facilities",
    "verification",
    "uploads",
    "dashboards",
    "reporting",
    "api",
    "security",
    "audit",
    "webhooks",
    "demo_population",
]

MIDDLEWARE = [
    "security.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.SecurityHeadersMiddleware",
    "security.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edu_portal.common.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "security.middleware.IdNumberNoStoreMiddleware",  # no-store where full ID numbers may be
    "audit.middleware.AuditContextMiddleware",  # who writes, for the audit triggers
    "edu_portal.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "edu_portal.common.middleware.AppErrorMiddleware",
]

ROOT_URLCONF = "edu_portal.urls"
WSGI_APPLICATION = "edu_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.scope",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The dashboards' reads as prepared statements (edu_portal/common/prepared.py); off behind a transaction-mode
# pooler (PgBouncer's), where a session's prepared statements do not follow its next transaction.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# Optional streaming replica for the dashboards' and the API's reads (edu_portal/db_router.py,
# docs/scaling.md). Tests mirror it onto `default`.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True,
                                TEST={"MIRROR": "default"})
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)  # then reads go to the primary
DATABASE_ROUTERS = ["edu_portal.db_router.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)  # read-your-writes
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Every login (portal, admin, API session) is throttled: security/lockout.py.
AUTHENTICATION_BACKENDS = ["security.backends.ThrottledModelBackend"]
# Django's database sessions, read by one statement instead of the ORM (security/sessions.py).
SESSION_ENGINE = "security.sessions"
LOGIN_FAILURES_PER_USERNAME = env.int("LOGIN_FAILURES_PER_USERNAME", default=5)
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
SECURITY_TRUSTED_PROXY_COUNT = env.int("SECURITY_TRUSTED_PROXY_COUNT", default=0)  # proxies adding X-Forwarded-For
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English switchable; the ministry works on Vietnam time.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen is remembered (Django's default cookie ends with the browser session); signed-in users'
# choice is also kept on their account (accounts.User.language) and follows them to other devices.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Vietnamese numbers with their thousands grouped (edu_portal/formats/vi/formats.py says why).
FORMAT_MODULE_PATH = ["edu_portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "edu_portal.common.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
    }
}

# Celery: Redis broker, JSON only, late acks so that a crashed worker's task is redelivered.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
# A task unacknowledged this long is handed to another worker (Redis visibility timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}
CELERY_BEAT_SCHEDULE: dict = {}
# One queue per kind of work, so each scales on machines of its own (docs/scaling.md). Routing is
# off by default in dev and tests (tests point the default queue at private queues); on in
# production. A worker started without -Q consumes every declared queue; -Q picks some.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "verification", "imports", "statistics")]
TASK_QUEUES_BY_KIND = {"verification.*": {"queue": "verification"}, "uploads.*": {"queue": "imports"},
                       "dashboards.*": {"queue": "statistics"}}
CELERY_TASK_ROUTES = TASK_QUEUES_BY_KIND if env.bool("CELERY_SPLIT_QUEUES", default=False) else {}

# The national population registry (our mock of it in dev and tests).
POPULATION_API_URL = env("POPULATION_API_URL", default="http://127.0.0.1:8100")
POPULATION_API_CLIENT_ID = env("POPULATION_API_CLIENT_ID", default="edu-portal")
POPULATION_API_CLIENT_SECRET = env("POPULATION_API_CLIENT_SECRET", default="")
POPULATION_API_TIMEOUT = env.float("POPULATION_API_TIMEOUT", default=10.0)  # seconds per HTTP call
# The demo population (children by commune, year of birth and gender) that seed_demo writes and the mock
# registry's statistics endpoint serves: one path both read from the environment (population_registry/config.py).
POPULATION_REGISTRY_POPULATION_FILE = env.path("POPULATION_REGISTRY_POPULATION_FILE",
                                               default=BASE_DIR / ".local" / "population.csv.gz")
# The population statistics (denominators of GER, NER and intake): fetched daily, and after seed_demo.
CELERY_BEAT_SCHEDULE["verification-population-fetch"] = {"task": "verification.population_fetch",
                                                         "schedule": crontab(hour=2, minute=15)}

# Transfers between schools: a request the sending school has not answered in this many days is
# listed for its province ("chờ xử lý quá hạn"), which may release the pupil on the school's behalf.
TRANSFER_ESCALATE_DAYS = env.int("TRANSFER_ESCALATE_DAYS", default=7)
# A merge of duplicate pupils (students.duplicates.student_merge) can be undone for this many hours.
MERGE_UNDO_HOURS = env.int("MERGE_UNDO_HOURS", default=72)
# Daily: requests unanswered that long are escalated to the sending school's province (students.tasks).
# The turn of the school year: nightly; does something only in the days after 1 August, once a year.
CELERY_BEAT_SCHEDULE["students-year-rollover"] = {"task": "students.year_rollover",
                                                  "schedule": crontab(hour=0, minute=20)}
# Reporting periods: reminders of the deadline to schools that have not submitted (reporting.notifications).
CELERY_BEAT_SCHEDULE["reporting-reminders"] = {"task": "reporting.reminders_send", "schedule": crontab(hour=7, minute=0)}
# The record of writes that made schools' statistics stale (reporting.changes), pruned of what the statistics count.
CELERY_BEAT_SCHEDULE["reporting-changes-prune"] = {"task": "reporting.changes_prune",
                                                   "schedule": crontab(hour=3, minute=10)}
CELERY_BEAT_SCHEDULE["students-transfers-escalate"] = {"task": "students.transfers_escalate", "schedule": 86400.0}
# The national duplicate-pupil scan, at night (local time), in DUPLICATES_SCAN_JOBS tasks of birth years
# (as many as the worker's processes can run at once): it catches what the scan of each pupil written
# (students.duplicates_scan_pupils) cannot, pairs whose other record changed.
DUPLICATES_SCAN_JOBS = env.int("DUPLICATES_SCAN_JOBS", default=2)
CELERY_BEAT_SCHEDULE["students-duplicates-scan"] = {
    "task": "students.duplicates_scan_country",
    "schedule": crontab(hour=env.int("DUPLICATES_SCAN_HOUR", default=1), minute=30)}

# Identity verification workers (verification app): batches, a rate limit shared by all workers
# through Redis, retries with exponential backoff, and a circuit breaker (see verification/).
VERIFICATION_BATCH_SIZE = env.int("VERIFICATION_BATCH_SIZE", default=1000)
VERIFICATION_RATE_LIMIT = env.float("VERIFICATION_RATE_LIMIT", default=40.0)  # registry calls/s, all workers
VERIFICATION_MAX_FAILURES = env.int("VERIFICATION_MAX_FAILURES", default=6)  # then records go to `error`
VERIFICATION_BACKOFF_BASE = env.float("VERIFICATION_BACKOFF_BASE", default=2.0)  # seconds
VERIFICATION_BACKOFF_MAX = env.float("VERIFICATION_BACKOFF_MAX", default=300.0)
VERIFICATION_BREAKER_THRESHOLD = env.int("VERIFICATION_BREAKER_THRESHOLD", default=5)  # failures in a row
VERIFICATION_BREAKER_COOLDOWN = env.float("VERIFICATION_BREAKER_COOLDOWN", default=30.0)  # seconds open
VERIFICATION_STUCK_AFTER = env.int("VERIFICATION_STUCK_AFTER", default=1800)  # seconds before re-queueing
VERIFICATION_ERROR_RETRY_AFTER = env.int("VERIFICATION_ERROR_RETRY_AFTER", default=600)  # seconds
CELERY_BEAT_SCHEDULE.update({
    "verification-sweep": {"task": "verification.tasks.verification_sweep",
                           "schedule": env.float("VERIFICATION_SWEEP_SECONDS", default=300.0)},
    "verification-enrichment-push": {"task": "verification.tasks.enrichment_push", "schedule": 3600.0},
})
# Uploads: work files of uploads left uncommitted are deleted after UPLOADS_WORK_FILE_DAYS.
UPLOADS_WORK_FILE_DAYS = env.int("UPLOADS_WORK_FILE_DAYS", default=7)
# Webhooks (issue 20): what is due again (retries, a crashed worker's), and the log kept WEBHOOKS_RETENTION_DAYS.
CELERY_BEAT_SCHEDULE["webhooks-deliveries-resend"] = {
    "task": "webhooks.deliveries_resend", "schedule": env.float("WEBHOOKS_SWEEP_SECONDS", default=30.0)}
CELERY_BEAT_SCHEDULE["webhooks-events-prune"] = {"task": "webhooks.events_prune", "schedule": crontab(hour=3, minute=40)}
CELERY_BEAT_SCHEDULE["uploads-expire-work-files"] = {"task": "uploads.expire_work_files", "schedule": 86400.0}
# Dashboards: a full recompute of the statistics of the current school year (and of the next once a
# year-end has opened it), with their rollup; incremental refreshes follow uploads and verification.
# Past years and the flows between years move only with the rollover ("dashboards.tasks.refresh_all_stats",
# every year, which it enqueues) and at night (the flows).
CELERY_BEAT_SCHEDULE["dashboards-refresh-all"] = {
    "task": "dashboards.refresh_current_year", "schedule": env.float("STATS_REFRESH_SECONDS", default=900.0)}
CELERY_BEAT_SCHEDULE["dashboards-refresh-flows"] = {
    "task": "dashboards.refresh_flows", "schedule": crontab(hour=1, minute=30)}
# Leavers recorded ahead of their day leave the counts on that day: just after midnight (local time),
# the schools whose pupils' left_on / started_on is today are refreshed (the full recompute above may
# be slowed down or switched off at national scale; this one is a few schools).
CELERY_BEAT_SCHEDULE["dashboards-refresh-leavers-due"] = {
    "task": "dashboards.refresh_leavers_due", "schedule": crontab(hour=0, minute=5)}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["edu_portal.common.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["edu_portal.common.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "edu_portal.common.api.negotiation.StrictContentNegotiation",
    "EXCEPTION_HANDLER": "edu_portal.common.api.exceptions.api_exception_handler",
}
# The scope of an API request (tokens belong to the api app, above the API base that asks for it).
API_SCOPE_RESOLVER = "api.scope.request_scope"
# The fields of the records a request's client may read and write (issue 20: the token's ApiProfile).
API_PROFILE_RESOLVER = "api.profiles.request_rule"
# Per API token (per user for browser sessions); the bench raises it through the environment.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/minute")
# How long a worker process trusts a token it has read (revocation reaches other processes within it).
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=5)
# The change feed's snapshots (edu_portal/common/api/feed.py): how long a token serves a pull, and how far
# before the oldest open transaction its as_of is set (stamps taken in Python, clock skew).
API_SNAPSHOT_MAX_AGE_SECONDS = env.int("API_SNAPSHOT_MAX_AGE_SECONDS", default=2 * 24 * 3600)
API_SNAPSHOT_MARGIN_SECONDS = env.float("API_SNAPSHOT_MARGIN_SECONDS", default=5.0)
SPECTACULAR_SETTINGS = {
    "TITLE": "edu_portal API",
    "DESCRIPTION": "Statistics and records of the national education database.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {"SchoolStatusEnum": "schools.models.SchoolStatus",
                            "EnrollmentStatusEnum": "students.models.EnrollmentStatus",
                            "EmploymentStatusEnum": "teachers.models.EmploymentStatus",
                            # Two fields named `kind`: a school site's and a reporting period's.
                            "SiteKindEnum": "facilities.models.SiteKind",
                            "ReportingPeriodKindEnum": "reporting.models.PeriodKind",
                            "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
                            # A grade's rating scale (`scale` in the dashboards and the subjects API).
                            "RatingScaleEnum": ["primary", "secondary"]},
}

# Django's error page (DEBUG, `make run`) hides every address and credential, not only keys.
DEFAULT_EXCEPTION_REPORTER_FILTER = "security.debug.SecretSafeExceptionReporterFilter"

# Demo data: the seed that the demo population and the mock registry's truth share.
DEMO_SEED = env.int("DEMO_SEED", default=2026)
DEMO_LOGINS_ENABLED = False

# Every line carries the request id (edu_portal/common/request_id.py); LOG_FORMAT=json for machines
# (the default in production), "plain" for people.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "edu_portal.common.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                    "formatter": env("LOG_FORMAT", default="plain")},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Webhooks (webhooks/, README "Webhooks"). The portal's public address, for the links in events.
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")
# Production: https to public addresses only (webhooks/targets.py); dev and test also allow http to loopback/private.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)  # each phase of an attempt
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=10)
WEBHOOKS_BACKOFF_BASE = env.float("WEBHOOKS_BACKOFF_BASE", default=10.0)  # seconds; doubles each attempt
WEBHOOKS_BACKOFF_MAX = env.float("WEBHOOKS_BACKOFF_MAX", default=3600.0)
WEBHOOKS_RETENTION_DAYS = env.int("WEBHOOKS_RETENTION_DAYS", default=30)
