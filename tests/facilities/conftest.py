"""The API clients and the uploads' media folder, for the facilities API and upload tests."""
from tests.api.conftest import api, make_token  # noqa: F401 - fixtures
from tests.uploads.conftest import media_root  # noqa: F401 - fixture
