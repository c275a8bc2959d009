"""Fault drill: the web process loses PostgreSQL, answers 503 with a friendly page (JSON under
/api/), and recovers by itself when the database is back.

The real production stack: gunicorn with gunicorn.conf.py and the production settings, talking
to the test database through a TCP relay that the test cuts and restores (closing the relay's
listening socket refuses new connections, as a stopped PostgreSQL does, and closing the relayed
sockets breaks the connections the web process keeps open)."""
import json
import os
import secrets
import socket
import subprocess
import sys
import threading

import httpx
import pytest
from django.db import connection
from django.test import Client

from accounts.models import Role
from tests.factories import SchoolFactory, UserFactory
from tests.processes import ROOT, free_port, start_gunicorn, stop, wait_until_ready


class TcpRelay:
    """127.0.0.1:<port> -> target, which can be cut and restored."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server: socket.socket | None = None

    def up(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: same port again
        server.settimeout(0.1)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        server, self._server = self._server, None
        server.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, server: socket.socket) -> None:
        while self._server is server:
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def production_env(tmp_path, settings):
    settings.SECRET_KEY = secrets.token_urlsafe(64)  # sessions made here must be valid there
    db = connection.settings_dict
    relay = TcpRelay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "edu_portal.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{relay.port}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "POPULATION_API_URL": "https://127.0.0.1:9",  # production insists on https; not called here
        "POPULATION_API_CLIENT_SECRET": "dummy",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DB_CONN_MAX_AGE": "60",  # keep connections open, so the outage breaks live ones too
    }
    # The pages used here need only the portal's own static files (the admin's and Swagger's
    # are left out to keep the test short).
    collect = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-i", "admin",
                              "-i", "drf_spectacular_sidecar", "-i", "rest_framework"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert collect.returncode == 0, collect.stderr
    return env, relay


@pytest.mark.django_db(transaction=True)
def test_database_outage_answers_503_and_recovers_by_itself(production_env, tmp_path):
    env, relay = production_env
    school = SchoolFactory(name="Trường Tiểu học Hồi Phục")
    user = UserFactory(username="drill_ministry", role=Role.MINISTRY)
    web = Client()
    web.force_login(user)
    cookies = {"sessionid": web.cookies["sessionid"].value}

    relay.up()
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    server = start_gunicorn(port, env=env, args=["--workers", "1", "--threads", "2"], log=log_path)
    try:
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=cookies, timeout=30,
                            headers={"X-Forwarded-Proto": "https"})  # as behind the TLS proxy
        wait_until_ready(f"http://127.0.0.1:{port}/healthz", server, status=None)  # any answer: it is up

        page = http.get("/schools/")
        assert page.status_code == 200 and school.name in page.text

        relay.down()  # PostgreSQL gone: open connections broken, new ones refused
        for _ in range(3):  # every thread, whatever state its connection is in
            outage = http.get("/schools/")
            assert outage.status_code == 503, outage.text[:500]
            assert "Hệ thống tạm thời gián đoạn" in outage.text and outage.headers["Retry-After"] == "30"
            assert school.name not in outage.text
        api = http.get("/api/v1/schools/", headers={"Authorization": "Token not-a-real-token"})
        assert api.status_code == 503 and api.headers["Retry-After"] == "30"
        assert api.json()["error"]["code"] == "service_unavailable"
        health = http.get("/healthz")
        assert health.status_code == 503 and health.json()["database"].startswith("error")

        relay.up()  # back: the very next requests succeed, nobody restarts anything
        for _ in range(3):
            page = http.get("/schools/")
            assert page.status_code == 200 and school.name in page.text
        assert http.get("/healthz").json()["database"] == "ok"
    finally:
        stop(server, timeout=30)
        relay.down() if relay._server else None

    # Structured logs: the outage was logged as JSON, with the request id the client saw.
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    outage_logs = [line for line in lines if line.get("logger") == "security.outage"]
    assert outage.headers["X-Request-ID"] in {line["request_id"] for line in outage_logs}
    access = [line for line in lines if line.get("logger") == "security.access"]
    assert {"method": "GET", "path": "/schools/", "status": 503} in [
        {k: line[k] for k in ("method", "path", "status")} for line in access]
