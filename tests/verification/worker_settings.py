"""Settings of the Celery worker processes the fault tests start: the test settings, with the
broker giving a dead worker's messages back within seconds instead of ~15 minutes."""
from edu_portal.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3, "unacked_restore_interval": 1,
                                   "unacked_restore_throttle": 1}
