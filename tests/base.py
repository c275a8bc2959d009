"""Shared checks for every kind of record, as NetBox's ViewTestCases: a kind's test module declares its
pages, endpoints and how to make one record, and inherits the checks every kind must pass.

    class TestStudentViews(IdNumberTests, KindViewTests):
        kind = Kind(name="students", list_page="students:list", ...)

The checks: signed out (or without a token) nobody reads anything; the list page and API list answer 200 to
every role and hold exactly the records of its scope; a detail page or endpoint answers 200 in scope and 404
out of it (a guessed id tells nothing); a filter cannot widen the scope; lists run a fixed number of queries
however many rows they show (no N+1); ID numbers are masked for users without the right to see them.

The world: one record in school A and one in school B (both province 01) and one in a school of province 79,
and conftest's users: school A's and school B's administrators, a province-01 and a province-79 officer, and the
ministry. Only school A's administrator may see full ID numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.scope import Scope
from api.services import api_token_create
from edu_portal.common.identity import mask_id_number


@dataclass(frozen=True)
class Kind:
    name: str
    list_page: str  # URL names
    detail_page: str
    list_endpoint: str
    detail_endpoint: str
    make_in: Callable  # school -> a new record of this kind in that school
    label: Callable = lambda record: record.full_name  # what the pages show of a record
    # school -> one more record near that school, for longer lists (default: make_in; a school is its own record)
    make_more: Callable | None = None
    # Query budgets of a list, whatever its length: the page (session, user, count, rows with their school...)
    # and the endpoint (token, rows, the rows' schools in one query, audit).
    page_queries: int = 8
    endpoint_queries: int = 4


# Which of the world's records ("a", "b": schools A and B of province 01; "other": province 79) each role sees.
SCOPES = {
    "school_user": {"a"},
    "school_user_b": {"b"},
    "province_user": {"a", "b"},
    "province_user_y": {"other"},
    "ministry_user": {"a", "b", "other"},
}
ROLES = sorted(SCOPES)


def token_client(user) -> Client:
    """A client holding a fresh read-only token with the user's own scope (and so the user's rights)."""
    secret = api_token_create(user=user, name="base", scope=Scope.for_user(user))[1]
    return Client(headers={"Authorization": f"Token {secret}"})


def row_ids(response) -> set[int]:
    if response.get("Content-Type", "").startswith("application/json"):
        return {row["id"] for row in response.json()["results"]}
    return {record.pk for record in response.context["page"]}


class KindViewTests:
    """Subclass as Test<Kind>Views and set `kind`."""

    pytestmark = [pytest.mark.django_db]
    kind: Kind

    @pytest.fixture
    def world(self, school_a, school_b, school_other_province):
        return {"a": self.kind.make_in(school_a), "b": self.kind.make_in(school_b),
                "other": self.kind.make_in(school_other_province)}

    @pytest.fixture
    def as_role(self, request, world):
        """as_role(name) -> the conftest user of that name (made after the world, so its schools exist)."""
        return request.getfixturevalue

    def detail_urls(self, record) -> tuple[str, str]:
        return (reverse(self.kind.detail_page, kwargs={"pk": record.pk}),
                reverse(self.kind.detail_endpoint, kwargs={"pk": record.pk}))

    # --- who may read at all ---------------------------------------------------------------

    def test_signed_out_pages_send_to_login_and_endpoints_answer_401(self, client, world):
        page, endpoint = self.detail_urls(world["a"])
        for url in (reverse(self.kind.list_page), page):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url
        for url in (reverse(self.kind.list_endpoint), endpoint):
            response = client.get(url)
            assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated", url

    # --- lists: exactly the role's scope -------------------------------------------------------

    @pytest.mark.parametrize("role", ROLES)
    def test_list_page_shows_exactly_the_roles_scope(self, client, world, as_role, role):
        client.force_login(as_role(role))
        response = client.get(reverse(self.kind.list_page), {"per_page": 100})
        assert response.status_code == 200
        assert row_ids(response) == {world[k].pk for k in SCOPES[role]}
        assert self.kind.label(world[min(SCOPES[role])]) in response.content.decode()

    @pytest.mark.parametrize("role", ROLES)
    def test_list_endpoint_shows_exactly_the_tokens_scope(self, world, as_role, role):
        response = token_client(as_role(role)).get(reverse(self.kind.list_endpoint))
        assert response.status_code == 200
        assert row_ids(response) == {world[k].pk for k in SCOPES[role]}

    def test_a_filter_cannot_widen_the_scope(self, client, world, province_user):
        client.force_login(province_user)
        assert row_ids(client.get(reverse(self.kind.list_page), {"province": "79"})) == set()
        assert row_ids(token_client(province_user).get(reverse(self.kind.list_endpoint), {"province": "79"})) == set()

    # --- details: 200 in scope, 404 outside ------------------------------------------------------

    @pytest.mark.parametrize("role", ROLES)
    def test_detail_page_and_endpoint_answer_in_scope_and_404_outside(self, client, world, as_role, role):
        user = as_role(role)
        client.force_login(user)
        api = token_client(user)
        for key, record in world.items():
            page, endpoint = self.detail_urls(record)
            response, answer = client.get(page), api.get(endpoint)
            if key in SCOPES[role]:
                assert response.status_code == 200 and self.kind.label(record) in response.content.decode(), key
                assert answer.status_code == 200 and answer.json()["id"] == record.pk, key
            else:
                assert response.status_code == 404, (key, response.status_code)
                assert self.kind.label(record) not in response.content.decode()
                assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", key

    # --- no N+1: a longer list costs no more queries -------------------------------------------

    def _list_queries_do_not_grow(self, get, ceiling, school_a, school_b, django_assert_max_num_queries):
        make_more = self.kind.make_more or self.kind.make_in
        for _ in range(2):
            make_more(school_a)
        get()  # warm: a token's last use is written once a minute, caches fill
        with django_assert_max_num_queries(ceiling) as few:
            get()
        for _ in range(12):
            make_more(school_b)
        with django_assert_max_num_queries(len(few)):
            response = get()
        assert response.status_code == 200
        return response

    def test_list_page_queries_do_not_grow_with_the_rows(self, client, world, school_a, school_b, ministry_user,
                                                        django_assert_max_num_queries):
        client.force_login(ministry_user)
        response = self._list_queries_do_not_grow(
            lambda: client.get(reverse(self.kind.list_page), {"per_page": 100}), self.kind.page_queries,
            school_a, school_b, django_assert_max_num_queries)
        assert len(row_ids(response)) >= 17  # the world's 3, then 2, then 12 more: every row was drawn

    def test_list_endpoint_queries_do_not_grow_with_the_rows(self, world, school_a, school_b, ministry_user,
                                                            django_assert_max_num_queries):
        api = token_client(ministry_user)
        response = self._list_queries_do_not_grow(
            lambda: api.get(reverse(self.kind.list_endpoint), {"page_size": 100}), self.kind.endpoint_queries,
            school_a, school_b, django_assert_max_num_queries)
        assert len(row_ids(response)) >= 17


class IdNumberTests:
    """For kinds of people (who carry a 12-digit personal ID number): mix in after KindViewTests."""

    def test_id_numbers_are_masked_without_the_right(self, client, world, province_user, school_user):
        record = world["a"]
        full, masked = record.id_number, mask_id_number(record.id_number)
        assert full and masked != full
        page, endpoint = self.detail_urls(record)
        client.force_login(province_user)  # may_view_id_numbers is False
        api = token_client(province_user)
        for url in (reverse(self.kind.list_page), page):
            text = client.get(url).content.decode()
            assert masked in text and full not in text, url
        rows = api.get(reverse(self.kind.list_endpoint), {"school": record.school_id}).json()["results"]
        assert [row["id_number"] for row in rows] == [masked]
        assert api.get(endpoint).json()["id_number"] == masked
        # School A's administrator has the right, and so has a token of theirs.
        client.force_login(school_user)
        assert full in client.get(page).content.decode()
        assert token_client(school_user).get(endpoint).json()["id_number"] == full
