# The verification fixtures (mock registry, bulk pupils) serve the drills too.
from tests.verification.conftest import registry, registry_server  # noqa: F401
