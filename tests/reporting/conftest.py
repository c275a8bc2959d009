"""The reporting tests' shared period: the start of the current school year, open since five days, due in five."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.models import current_school_year
from reporting import services


@pytest.fixture
def period(ministry_user):
    today = timezone.localdate()
    return services.period_create(scope=Scope.for_user(ministry_user), school_year=current_school_year(), kind="start",
                                  opens_on=today - dt.timedelta(days=5), closes_on=today + dt.timedelta(days=5),
                                  expires_on=today + dt.timedelta(days=30))
