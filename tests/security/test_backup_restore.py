"""`make backup` / `make restore`: a dump of the database restores into an empty database with
every record, row for row, and restoring again over a changed database puts it back."""
import datetime as dt
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.models import current_school_year
from students import services as student_services
from students.assessment import subjects_for
from tests.factories import SchoolFactory, UserFactory, make_staff, make_student

ROOT = Path(__file__).resolve().parents[2]

TABLES_THAT_MUST_HAVE_ROWS = ["geo_province", "geo_commune", "schools_school", "accounts_user", "teachers_staffmember",
                              "students_student", "students_enrollment", "students_academicresult",
                              "students_physicalrecord"]


def url_for(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a digest of all its rows."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cur.fetchall()]
        result = {}
        for table in tables:
            cur.execute(f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\')) '  # noqa: S608 - names from pg_tables
                        f'FROM "{table}" t')
            result[table] = cur.fetchone()
    conn.close()
    return result


def admin_sql(sql: str) -> None:
    conn = psycopg2.connect(url_for("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def run(script: str, *args: str, database_url: str) -> subprocess.CompletedProcess:
    result = subprocess.run(["bash", f"scripts/{script}", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_record_into_an_empty_database(tmp_path):
    scope = Scope.country()
    for province in ("01", "79"):
        school = SchoolFactory(province_id=province, name=f"Trường Sao Lưu {province}")
        UserFactory(role=Role.SCHOOL, school=school)
        make_staff(school, full_name="Nguyễn Thị Ánh")
        for _ in range(3):
            pupil = make_student(school)
            # A grade-3 pupil of this school year: Thông tư 27/2020 ratings, every compulsory subject.
            student_services.academic_result_record(
                scope=scope, student=pupil, school_year=current_school_year(), term=1, conduct_rating="tot",
                subject_scores={s.name: {"rating": "HTT", "test": 9} if s.has_periodic_test(3) else "HTT"
                                for s in subjects_for(3) if s.compulsory})
            student_services.physical_record_add(scope=scope, student=pupil, measured_on=dt.date(2025, 10, 1),
                                                 height_cm=128, weight_kg=27)

    source_name = connection.settings_dict["NAME"]
    scratch_name = f"{source_name}_restore"
    source = snapshot(url_for(source_name))
    for table in TABLES_THAT_MUST_HAVE_ROWS:
        assert source[table][0] > 0, f"{table} is empty: the test would prove nothing"

    dump = tmp_path / "nightly.dump"
    out = run("backup.sh", str(dump), database_url=url_for(source_name))
    assert dump.stat().st_size > 0 and "backup written" in out.stdout
    assert not Path(f"{dump}.partial").exists()

    admin_sql(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{scratch_name}" TEMPLATE template0')
    try:
        run("restore.sh", str(dump), url_for(scratch_name), database_url="postgres://unused@127.0.0.1:1/x")
        restored = snapshot(url_for(scratch_name))
        assert restored == source  # same tables, same counts, identical rows

        # Restoring over a database that has since changed (make restore into DATABASE_URL)
        # replaces its contents with the backup's.
        with psycopg2.connect(url_for(scratch_name)) as conn, conn.cursor() as cur:
            cur.execute("DELETE FROM students_physicalrecord")
            cur.execute("UPDATE schools_school SET name = 'Đã sửa sau sao lưu'")
        conn.close()
        assert snapshot(url_for(scratch_name)) != source
        run("restore.sh", str(dump), database_url=url_for(scratch_name))
        assert snapshot(url_for(scratch_name)) == source
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
