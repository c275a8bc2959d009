import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.production")
application = get_wsgi_application()

# Import every view now (the URL configuration pulls in the importers, openpyxl, the growth
# charts...: 1.5 s), while the worker boots, not in its first request: requests queued behind
# that first one on the same worker waited up to 1.6 s (measured under load, bench/api.py).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect, the imports
