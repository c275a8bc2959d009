"""`push`: a file of pupils through the bulk endpoint as a job, idempotent on retry (the contract of issue 20;
the endpoint itself is built on another branch: these tests skip until it is merged)."""
import json

import pytest

from accounts.models import Role
from api.services import api_token_create
from schools.selectors import scope_parse
from students.models import Student
from sync_client.__main__ import main
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_push_a_file_per_record_then_again(portal, worker, tmp_path, school_a, capsys):
    user = UserFactory(role=Role.PROVINCE, province_id="01", may_view_id_numbers=True)  # may enter ID numbers
    token = api_token_create(user=user, name="vendor", scope=scope_parse("province:01"), can_write=True,
                             can_view_id_numbers=True)[1]
    good = {"school_code": school_a.code, "pupil_code": "HSPUSH001", "id_number": "001318000123",
            "full_name": "Phạm Thị Gửi", "date_of_birth": "2018-03-04", "gender": "F", "grade": 3, "class_name": "3A"}
    bad = {**good, "pupil_code": "HSPUSH009", "date_of_birth": "2018-02-30"}
    path = tmp_path / "pupils.ndjson"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    cli = ["--url", portal, "--token", token, "--mirror", str(tmp_path / "m.sqlite3"), "push", "students", str(path)]

    assert main([*cli, "--mode", "per_record"]) == 1  # one line rejected: the exit says so
    out, err = capsys.readouterr()
    job = json.loads(out)["job"]
    assert job["counts"]["created"] == 1 and job["counts"]["rejected"] == 1 and "line 2" in err, (job, err)
    assert Student.objects.filter(pupil_code="HSPUSH001").count() == 1
    # The same file again (a cron job run twice): the same job, nothing written twice.
    assert main([*cli, "--mode", "per_record"]) == 1
    again = json.loads(capsys.readouterr()[0])
    assert again["existing_job"] and again["job"]["job"] == job["job"]
    # All or nothing: a bad line keeps the good one out.
    good["pupil_code"] = "HSPUSH002"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main(cli) == 1
    assert not Student.objects.filter(pupil_code="HSPUSH002").exists()
