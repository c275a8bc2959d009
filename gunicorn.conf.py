"""Gunicorn settings for the portal's web process (`gunicorn -c gunicorn.conf.py`).

Every knob can be changed from the environment (GUNICORN_*), so the same file serves a small
province server and a large ministry machine. See docs/deploy.md.
"""
import multiprocessing
import os

wsgi_app = "edu_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Threads cover waiting on PostgreSQL; processes cover CPU. 2 x cores + 1 processes, capped,
# each with a few threads. Keep workers x threads below PostgreSQL's max_connections divided by
# the number of web machines (each thread may hold one connection, CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 12)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# Slow exports must finish, a stuck request must not hold a worker forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then, so that a slow memory leak never takes a machine down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))

# Only these addresses may tell us the original scheme/address (X-Forwarded-*): the reverse
# proxy in front. Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django writes one JSON access line per request, with the request id (security middleware),
# so gunicorn's own access log is off unless asked for.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
capture_output = False

# Heartbeat files in memory rather than on a possibly slow disk (Docker's overlay fs); gunicorn
# creates them itself with mkstemp, so a shared directory is safe here.
SHARED_MEMORY = "/dev/shm"  # noqa: S108  # nosec B108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# Gunicorn's own messages (start, worker restarts, timeouts) as JSON lines too, like the app's.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "timestamp": "time",
                                "format": "%(levelname)s %(name)s %(message)s",
                                "rename_fields": {"levelname": "level", "name": "logger"}}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
                     "error_console": {"class": "logging.StreamHandler", "formatter": "json",
                                       "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
                    # Silent unless GUNICORN_ACCESSLOG asks for it (Django writes the access lines).
                    "gunicorn.access": {"level": "INFO" if accesslog else "CRITICAL", "handlers": ["console"],
                                        "propagate": False}},
    }
