"""Issue 20's "done when", as a vendor would try it: the reference client, given a province token, loads the
province, then the server moves on (transfers within and out of the province, a merge, deletions, an edit,
creations) and one `delta` brings the mirror back to exactly the server's data: equal to a fresh full pull and
to the database. A real HTTP server (live_server) on PostgreSQL; the client talks to it over loopback."""
import json

import pytest

from accounts.models import Role
from accounts.scope import Scope
from schools.models import School
from students.duplicates import student_merge
from students.models import Student
from students.services import student_delete, student_update, transfer_release, transfer_request_create
from sync_client.__main__ import main
from sync_client.store import KINDS, Mirror
from teachers.models import StaffMember
from teachers.services import staff_delete, staff_update
from tests.factories import UserFactory, make_staff, make_student

from .conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)
COUNTRY = Scope.country(can_view_id_numbers=True)


def transfer(pupil: Student, to_school: School, user) -> None:
    """A transfer as schools do it: the receiving school asks, the sending school releases."""
    request = transfer_request_create(scope=COUNTRY, user=user, to_school=to_school, pupil_code=pupil.pupil_code,
                                      date_of_birth=pupil.date_of_birth, grade=3, class_name="3B")
    transfer_release(scope=COUNTRY, user=user, transfer_id=request.pk)


def server_view(url: str, token: str) -> dict[str, dict[int, dict]]:
    """What the token sees now, pulled afresh without a snapshot."""
    client = client_for(url, token)
    return {kind: {row["id"]: row for row in client.all(f"{kind}/", {"page_size": 1000})} for kind in KINDS}


def test_full_load_then_delta_ends_with_exactly_the_servers_data(
        portal, province_token, tmp_path, capsys, school_a, school_b, school_other_province):
    user = UserFactory(role=Role.MINISTRY)
    pupils = [make_student(school) for school in (school_a, school_b) for _ in range(4)]
    staff = [make_staff(school) for school in (school_a, school_b) for _ in range(2)]
    make_student(school_other_province), make_staff(school_other_province)  # never in a Hà Nội mirror
    keep = make_student(school_a, id_number=None)  # the same child entered twice, in two schools
    twin = make_student(school_b, full_name=keep.full_name, date_of_birth=keep.date_of_birth, gender=keep.gender)
    cli = ["--url", portal, "--token", province_token, "--mirror", str(tmp_path / "mirror.sqlite3")]
    # What a vendor meets first: clear errors.
    assert main([*cli, "delta"]) == 2
    assert "run `full-load` first" in capsys.readouterr().err
    assert main([*cli, "--token", "wrong", "full-load"]) == 2
    assert "HTTP 401 authentication_failed: Mã truy cập không hợp lệ" in capsys.readouterr().err

    assert main([*cli, "full-load", "--partitions", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["loaded"] == {"schools": 2, "staff": 4, "students": 10}
    mirror = Mirror(tmp_path / "mirror.sqlite3")
    assert {kind: mirror.records(kind) for kind in KINDS} == server_view(portal, province_token)
    assert mirror.counts() == {"schools": 2, "staff": 4, "students": 10}
    # A vendor that keeps its own ids and only the natural key of ours (school code, pupil code): deletes
    # still reach it. (Here one pupil, about to be deleted, is held under a local id.)
    held = mirror.records("students")[pupils[4].pk]
    mirror.remove("students", record_id=held["id"])
    mirror.upsert("students", [{**held, "id": -1}])
    mirror.close()

    # The server moves on.
    within, away, gone, renamed = pupils[0], pupils[1], pupils[4], pupils[5]
    transfer(within, school_b, user)  # A -> B: stays in the province
    transfer(away, school_other_province, user)  # A -> Hồ Chí Minh City: leaves the Hà Nội mirror
    student_merge(scope=COUNTRY, user=user, keep=keep, remove=Student.objects.get(pk=twin.pk))
    gone_id, twin_id, staff_gone_id = gone.pk, twin.pk, staff[0].pk
    student_delete(scope=COUNTRY, student=Student.objects.get(pk=gone.pk), reason="Nhập nhầm")
    staff_delete(scope=COUNTRY, staff=StaffMember.objects.get(pk=staff[0].pk), reason="Nhập nhầm")
    student_update(scope=COUNTRY, student=Student.objects.get(pk=renamed.pk), full_name="Trần Thị Đổi Tên")
    staff_update(scope=COUNTRY, staff=StaffMember.objects.get(pk=staff[1].pk), full_name="Lê Văn Sửa")
    born = make_student(school_b)
    hired = make_staff(school_a)

    assert main([*cli, "delta"]) == 0
    applied = json.loads(capsys.readouterr().out)["applied"]
    assert applied["students"]["deleted"] == 2 and applied["students"]["key_changes"] == 1  # deletion, merge
    assert applied["students"]["transferred_out"] >= 2 and applied["staff"]["deleted"] == 1
    mirror = Mirror(tmp_path / "mirror.sqlite3")
    local = {kind: mirror.records(kind) for kind in KINDS}

    # Exactly what a fresh full pull serves ...
    assert local == server_view(portal, province_token)
    # ... and what the database holds for the province.
    assert {(p.pk, p.pupil_code, p.full_name, p.school.code) for p in
            Student.objects.filter(school__province_id="01").select_related("school")} == {
        (row["id"], row["pupil_code"], row["full_name"], row["school_code"]) for row in local["students"].values()}
    assert set(StaffMember.objects.filter(school__province_id="01").values_list("pk", flat=True)) == set(local["staff"])
    assert set(School.objects.filter(province_id="01").values_list("pk", flat=True)) == set(local["schools"])
    # Each change seen as a vendor would look for it.
    students = local["students"]
    assert students[within.pk]["school_code"] == school_b.code
    assert away.pk not in students and gone_id not in students and twin_id not in students
    assert students[renamed.pk]["full_name"] == "Trần Thị Đổi Tên" and born.pk in students
    assert staff_gone_id not in local["staff"] and hired.pk in local["staff"]
    assert local["staff"][staff[1].pk]["full_name"] == "Lê Văn Sửa"
    [change] = mirror.key_changes("students")  # the merge, kept for re-pointing local references
    assert (change["reason"], change["old"]["id"], change["new"]["id"]) == ("merge", twin_id, keep.pk)
    assert change["old"]["pupil_code"] == twin.pupil_code
    mirror.close()

    # Nothing happened since: the next delta changes nothing.
    assert main([*cli, "delta"]) == 0
    assert all(not any(counts.values()) for counts in json.loads(capsys.readouterr().out)["applied"].values())
    mirror = Mirror(tmp_path / "mirror.sqlite3")
    assert {kind: mirror.records(kind) for kind in KINDS} == local
    assert main([*cli, "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["records"] == mirror.counts() and status["key_changes"] == 1 and status["delta_at"]
    mirror.close()
