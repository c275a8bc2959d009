"""What a client syncing with `updated_since` reads from /api/v1/<records>/deleted/ (for tests of
every door that deletes records)."""
from django.test import Client

from accounts.scope import Scope
from api.services import api_token_create
from tests.factories import UserFactory


def deleted_ids(records: str, *, since: str) -> set[int]:
    """The ids in the country-wide deleted feed of `records` ("students", "staff", "schools")."""
    owner = UserFactory(role="ministry")
    secret = api_token_create(user=owner, name="sync", scope=Scope.country())[1]
    response = Client().get(f"/api/v1/{records}/deleted/", {"updated_since": since},
                            headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}
