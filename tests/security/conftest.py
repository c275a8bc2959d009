import pytest
from django.core.cache import cache

from security import lockout


@pytest.fixture(autouse=True)
def clear_login_throttle():
    """Lockout counters live in the (real, shared) test Redis: start and leave each test clean."""

    def clear():
        keys = cache._cache.get_client(write=True).keys(cache.make_key(f"{lockout.KEY_PREFIX}:*"))
        if keys:
            cache._cache.get_client(write=True).delete(*keys)

    clear()
    yield
    clear()
