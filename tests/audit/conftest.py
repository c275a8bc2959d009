import pytest

from audit import context


@pytest.fixture(autouse=True)
def shell_actor():
    """Each test starts (and ends) as the shell, with nothing pushed to the session."""
    context.clear()
    yield
    context.clear()
