"""MEDIA_ROOT (uploaded originals and work files, full of ID numbers) is never served by URL,
not even with DEBUG on as under `make run`: files leave it only through views that check rights."""
import importlib
import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches, get_resolver

import edu_portal.urls
from tests.factories import UserFactory


@pytest.fixture
def urls_under_debug():
    """The URL conf as `make run` builds it: imported with DEBUG on."""
    with override_settings(DEBUG=True):
        importlib.reload(edu_portal.urls)
        clear_url_caches()
        yield edu_portal.urls
    importlib.reload(edu_portal.urls)
    clear_url_caches()


@pytest.fixture
def media_file():
    folder = settings.MEDIA_ROOT / "uploads" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"staged-{uuid.uuid4().hex}.csv"
    path.write_text("Số định danh cá nhân\n001316000001\n", encoding="utf-8")
    yield path.relative_to(settings.MEDIA_ROOT).as_posix()
    path.unlink(missing_ok=True)


@pytest.mark.django_db
def test_media_is_not_served_under_debug(client, urls_under_debug, media_file):
    with override_settings(DEBUG=True):
        for path in (f"/media/{media_file}", f"/{settings.MEDIA_URL.strip('/')}/{media_file}"):
            response = client.get(path)
            assert response.status_code == 404
            assert b"001316000001" not in b"".join(getattr(response, "streaming_content", [response.content]))
        client.force_login(UserFactory(may_view_id_numbers=True))  # not even for a user with every right
        assert client.get(f"/media/{media_file}").status_code == 404


def test_no_url_pattern_serves_the_media_root(urls_under_debug):
    def views(patterns):
        for pattern in patterns:
            yield from views(pattern.url_patterns) if hasattr(pattern, "url_patterns") else [pattern]

    served = [p for p in views(get_resolver(urls_under_debug).url_patterns)
              if getattr(p.callback, "__module__", "") == "django.views.static"]
    assert served == []
