import pytest

from security import lockout


@pytest.fixture
def throttle_subjects():
    """forget(username=..., ip=...): clear a subject's lockout counters now and after the test.

    Counters live in the real test Redis, shared by parallel test processes, so each test
    clears only the usernames and addresses it owns (never the whole store)."""
    subjects = []

    def forget(*, username=None, ip=None):
        subjects.append((username, ip))
        lockout.unlock(username=username, ip=ip)

    yield forget
    for username, ip in subjects:
        lockout.unlock(username=username, ip=ip)
