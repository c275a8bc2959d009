"""API test helpers: tokens made through the service, requests with `Authorization: Token`."""
import pytest
from django.test import Client

from api.services import api_token_create
from schools.selectors import scope_parse


@pytest.fixture
def make_token(db):
    """make_token(user, "province:01", write=False) -> the secret, as a client would hold it."""

    def _make(user, scope: str, *, write: bool = False, name: str = "test client") -> str:
        return api_token_create(user=user, name=name, scope=scope_parse(scope), can_write=write)[1]

    return _make


class ApiClient:
    """A Django test client that sends a token and returns (status, json)."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def _json(self, response):
        self.last = response
        return response.status_code, (response.json() if response.content else None)

    def get(self, url, params=None):
        return self._json(self.client.get(f"/api/v1{url}", params or {}, headers=self.headers))

    def post(self, url, data):
        return self._json(self.client.post(f"/api/v1{url}", data, content_type="application/json",
                                           headers=self.headers))

    def patch(self, url, data):
        return self._json(self.client.patch(f"/api/v1{url}", data, content_type="application/json",
                                            headers=self.headers))

    def delete(self, url, data=None):
        if data is None:  # no body at all, as many HTTP clients send a DELETE
            return self._json(self.client.delete(f"/api/v1{url}", headers=self.headers))
        return self._json(self.client.delete(f"/api/v1{url}", data, content_type="application/json",
                                             headers=self.headers))


@pytest.fixture
def api(make_token):
    """api(user, scope, write=False) -> ApiClient holding a fresh token."""

    def _api(user, scope: str, *, write: bool = False) -> ApiClient:
        return ApiClient(make_token(user, scope, write=write))

    return _api
