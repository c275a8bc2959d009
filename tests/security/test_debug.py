"""Django's error page with DEBUG on (`make run`) shows no password: not in the settings, not in
the environment runserver copies into request.META, not in the traceback's local variables."""
import secrets
import sys

from django.test import override_settings
from django.views.debug import ExceptionReporter

# Made at run time: the page shows the source lines around each frame, which must not hold them.
DB_PASSWORD = secrets.token_hex(8)
REDIS_PASSWORD = secrets.token_hex(8)
FRAME_PASSWORD = secrets.token_hex(8)


def failing_connect():
    dsn = f"postgres://portal:{FRAME_PASSWORD}@db1.internal:5432/portal"  # noqa: F841 - shown in the traceback
    connection_string = f"redis://:{FRAME_PASSWORD}@redis1.internal:6379/0"  # noqa: F841
    target = f"https://portal:{FRAME_PASSWORD}@gateway.example.vn/v1"  # noqa: F841 - a name that hides nothing
    raise RuntimeError("could not connect")


@override_settings(DEBUG=True, REDIS_URL=f"redis://:{REDIS_PASSWORD}@redis1.internal:6379/0",
                   CELERY_BROKER_URL=f"redis://:{REDIS_PASSWORD}@redis1.internal:6379/0",
                   CELERY_RESULT_BACKEND=f"redis://:{REDIS_PASSWORD}@redis1.internal:6379/0",
                   POPULATION_API_URL=f"https://client:{DB_PASSWORD}@registry.example.vn/")
def test_the_debug_500_page_shows_no_password(rf):
    # runserver's WSGI environ carries the whole process environment.
    request = rf.get("/students/", DATABASE_URL=f"postgres://portal:{DB_PASSWORD}@db1.internal:5432/portal",
                     REDIS_URL=f"redis://:{REDIS_PASSWORD}@redis1.internal:6379/0",
                     SOME_SERVICE_ENDPOINT=f"https://user:{DB_PASSWORD}@api.example.vn/")
    try:
        failing_connect()
    except RuntimeError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert "could not connect" in html and "failing_connect" in html  # still a useful page
    for secret in (DB_PASSWORD, REDIS_PASSWORD, FRAME_PASSWORD):
        assert secret not in html
    # An address under an innocent name is still shown, its password masked.
    assert "https://portal:********************@gateway.example.vn/v1" in html
