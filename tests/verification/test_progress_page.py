"""A run's progress before the planner has counted its scope: "đang chuẩn bị", never "0 / 0"."""
import pytest

from schools.selectors import scope_parse
from verification import services
from verification.models import RunStatus, VerificationRun

pytestmark = pytest.mark.django_db


def test_a_run_being_prepared_shows_no_zero_over_zero(client, ministry_user, school_a):
    run = services.run_start(scope=scope_parse(f"school:{school_a.code}"))  # planning is queued after commit
    assert (run.status, run.total) == (RunStatus.PLANNING, 0)
    client.force_login(ministry_user)
    for url in (f"/verification/runs/{run.pk}/", f"/verification/runs/{run.pk}/progress/"):
        html = client.get(url).content.decode()
        assert "Đang chuẩn bị…" in html and "0 / 0" not in html and "0.0%" not in html
    assert "đang chuẩn bị…" in client.get("/verification/").content.decode()

    VerificationRun.objects.filter(pk=run.pk).update(total=40)  # counted: the progress is known
    html = client.get(f"/verification/runs/{run.pk}/progress/").content.decode()
    assert "0 / 40" in html and "Đang chuẩn bị…" not in html
