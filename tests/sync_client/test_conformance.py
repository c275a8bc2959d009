"""The conformance kit passes against the portal (a live server on PostgreSQL) and fails a server that breaks
the contract: a proxy in front of the same portal that spoils one thing at a time."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from accounts.models import Role
from accounts.scope import Scope
from api.services import api_token_create
from schools.selectors import scope_parse
from students.duplicates import student_merge
from students.models import Student
from students.services import student_delete, student_transfer
from sync_client.conformance import CHECKS, Kit, main
from teachers.services import staff_delete
from tests.factories import UserFactory, make_staff, make_student
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)
COUNTRY = Scope.country(can_view_id_numbers=True)


@pytest.fixture
def province_data(school_a, school_b, school_other_province):
    """Something in every feed: records, deletions, a merge, a pupil transferred out of the province."""
    user = UserFactory(role=Role.MINISTRY)
    pupils = [make_student(school) for school in (school_a, school_b) for _ in range(3)]
    for school in (school_a, school_b):
        make_staff(school)
    student_delete(scope=COUNTRY, student=pupils[0], reason="Nhập nhầm")
    staff_delete(scope=COUNTRY, staff=make_staff(school_b), reason="Nhập nhầm")
    keep = make_student(school_a, id_number=None)
    twin = make_student(school_b, full_name=keep.full_name, date_of_birth=keep.date_of_birth, gender=keep.gender)
    student_merge(scope=COUNTRY, user=user, keep=keep, remove=twin)
    student_transfer(scope=COUNTRY, student=Student.objects.get(pk=pupils[1].pk), to_school=school_other_province,
                     grade=3, class_name="3B")


def token(*, write=False, id_numbers=False) -> str:
    user = UserFactory(role=Role.PROVINCE, province_id="01", may_view_id_numbers=id_numbers)
    return api_token_create(user=user, name="conformance", scope=scope_parse("province:01"), can_write=write,
                            can_view_id_numbers=id_numbers)[1]


def test_the_kit_passes_against_the_portal(portal, province_data, capsys):
    for id_numbers in (False, True):  # masked and full numbers: each token is checked against its own /me/
        assert main(["--url", portal, "--token", token(id_numbers=id_numbers)]) == 0
        printed = capsys.readouterr().out
        lines = [line for line in printed.splitlines() if line[:4] in ("PASS", "FAIL", "SKIP")]
        assert len(lines) == len(CHECKS), printed
        assert all(line.startswith("PASS") for line in lines), printed
        # The feeds' shapes were checked on real rows, not on empty pages.
        feeds = {line.split()[1]: line for line in lines}
        assert "staff 1, students 2" in feeds["feeds.deleted"], printed
        assert "students 1, transferred-out" in feeds["feeds.key_changes"], printed
        assert "transferred-out 0" not in feeds["feeds.key_changes"], printed
        assert " 0 numbers" not in feeds["id_numbers"], printed


@pytest.mark.integration
def test_the_bulk_checks_pass_for_read_only_and_read_write_tokens(portal, worker, province_data):
    for write in (False, True):
        [outcome] = Kit(portal, token(write=write)).run(only={"bulk"})
        assert outcome.status == "PASS", outcome
        assert ("403" in outcome.detail) is not write


class Spoiler(ThreadingHTTPServer):
    """A proxy to the portal that breaks one rule of the contract: `spoil(method, path, query, status, body)`
    returns what to answer instead."""

    def __init__(self, target: str, spoil):
        self.target, self.spoil = target, spoil
        super().__init__(("127.0.0.1", free_port(8122)), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Forward(BaseHTTPRequestHandler):
    def _forward(self):
        path, _, query = self.path.partition("?")
        query, body = urllib.parse.parse_qs(query), self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        query = self.server.spoil("query", path, query, None, None) or query
        answer = httpx.request(self.command, f"{self.server.target}{path}", params=query, content=body or None,
                               headers=headers, timeout=30)
        status, data = answer.status_code, answer.content
        status, data = self.server.spoil("answer", path, query, status, data) or (status, data)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward  # noqa: N815

    def log_message(self, format, *args):  # noqa: A002
        pass


def drop_partitions(stage, path, query, status, body):
    """Ignores partition/partitions: every partition is the whole."""
    if stage == "query":
        return {k: v for k, v in query.items() if k not in ("partition", "partitions")}
    return None


def bare_401(stage, path, query, status, body):
    """Refuses without the API's error shape, as a web server's default page would."""
    if stage == "answer" and status == 401:
        return 401, json.dumps({"detail": "Authentication credentials were not provided."}).encode()
    return None


def unmask(stage, path, query, status, body):
    """Shows a masked token full numbers (the kit cannot tell real digits from ours: any 12 digits fail)."""
    if stage == "answer" and status == 200 and path.rstrip("/").endswith(("/students", "/staff")):
        page = json.loads(body)
        for row in page.get("results", []):
            if row.get("id_number"):
                row["id_number"] = "001234567891"
        return 200, json.dumps(page).encode()
    return None


def test_a_server_that_breaks_the_contract_fails_the_kit(portal, province_data):
    for spoil, broken, intact in ((drop_partitions, "partitions", "snapshot"), (bare_401, "auth.no_token", "paging"),
                                  (unmask, "id_numbers", "feeds.deleted")):
        proxy = Spoiler(portal, spoil)
        threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True).start()
        try:
            outcomes = {o.name: o for o in Kit(proxy.url, token()).run(only={broken, intact})}
        finally:
            proxy.shutdown()
            proxy.server_close()
        assert outcomes[broken].status == "FAIL", (spoil.__name__, outcomes[broken])
        assert outcomes[intact].status == "PASS", (spoil.__name__, outcomes[intact])  # the proxy itself is faithful
