"""`modelhost serve`: the controller's first start, users, tokens and the authorization rules of
its REST API, on a real process with a real SQLite database in a temp folder."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest

from modelhost_testlib import http_request

ADMIN_LINE = re.compile(r"admin token \(shown once, store it now\): (mh_[0-9a-f]{32})")
LISTEN_LINE = re.compile(r"API on http://127\.0\.0\.1:(\d+)/api/")


class Controller:
    def __init__(self, binary, data_dir, env=None):
        self.binary, self.data_dir, self.env = binary, data_dir, env or {}
        self.proc = None
        self.port = None
        self.extra_args = []
        self.admin_token = None
        self.output = []

    def start(self):
        self.port = None
        env = dict(os.environ, **self.env)
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0",
             *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        deadline = time.monotonic() + 20
        while self.port is None and time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if m := ADMIN_LINE.search(line):
                self.admin_token = m.group(1)
            if m := LISTEN_LINE.search(line):
                self.port = int(m.group(1))
        assert self.port is not None, "controller did not start:\n" + "".join(self.output)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=20)
            assert rc == 0, "".join(self.output)

    def call(self, method, path, token=None, body=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return http_request(self.port, method, path, body=body, headers=h)


def start_with_nodes(binary, tmp_path, nodes: dict, env=None, extra_args=()) -> Controller:
    """A controller on `tmp_path`/data scheduling on the declared `nodes` (a nodes-file dict)."""
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(nodes))
    c = Controller(binary, tmp_path / "data", env)
    c.extra_args = ["--nodes", str(path), *extra_args]
    return c.start()


@pytest.fixture
def controller(modelhost_bin, tmp_path):
    started = []

    def make(env=None, data_dir=None):
        c = Controller(modelhost_bin, data_dir or tmp_path / "data", env)
        started.append(c)
        return c.start()

    yield make
    for c in started:
        c.stop()


def error_of(resp):
    body = resp.json()
    assert set(body) == {"error", "request_id"}, body
    assert resp.header("x-request-id") == body["request_id"]
    return body["error"]


def test_first_start_prints_the_admin_token_once_and_keeps_state(controller, tmp_path):
    c = controller()
    assert c.admin_token, "".join(c.output)
    assert c.call("GET", "/api/me", c.admin_token).json()["role"] == "admin"
    created = c.call("POST", "/api/users", c.admin_token, {"name": "ann"})
    assert created.status == 201 and created.json()["role"] == "user"
    # The database holds only the token's hash.
    db = (tmp_path / "data" / "modelhost.db").read_bytes()
    assert c.admin_token.encode() not in db
    c.stop()

    again = controller()  # a restart: nothing printed, the same token and users still work
    assert again.admin_token is None, "".join(again.output)
    assert "admin token" not in "".join(again.output)
    assert again.call("GET", "/api/me", c.admin_token).status == 200
    names = [u["name"] for u in again.call("GET", "/api/users", c.admin_token).json()["users"]]
    assert names == ["admin", "ann"]


def test_the_admin_token_can_come_from_the_environment(controller):
    preset = "p" * 40
    c = controller(env={"MODELHOST_ADMIN_TOKEN": preset})
    assert c.admin_token is None
    assert c.call("GET", "/api/me", preset).json()["name"] == "admin"


def test_a_short_preset_admin_token_is_refused(modelhost_bin, tmp_path):
    proc = subprocess.run([str(modelhost_bin), "serve", "--data-dir", str(tmp_path / "d"),
                           "--listen", "127.0.0.1:0"],
                          env=dict(os.environ, MODELHOST_ADMIN_TOKEN="short"),
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2
    assert "MODELHOST_ADMIN_TOKEN must be at least 32 characters" in proc.stderr


def test_health_needs_no_token_and_everything_else_does(controller):
    c = controller()
    assert c.call("GET", "/healthz").json() == {"status": "ok"}
    assert c.call("GET", "/readyz").json() == {"status": "ready"}
    for method, path in [("GET", "/api/me"), ("GET", "/api/users"), ("POST", "/api/users"),
                         ("GET", "/api/openapi.json"), ("GET", "/api/users/admin/tokens"),
                         ("DELETE", "/api/tokens/tok-1")]:
        missing = c.call(method, path)
        assert missing.status == 401, (method, path)
        assert error_of(missing) == "missing token: send Authorization: Bearer <token>"
        assert missing.header("www-authenticate") == "Bearer"
        wrong = c.call(method, path, "mh_" + "0" * 32)
        assert wrong.status == 401 and error_of(wrong) == "invalid or revoked token"
    basic = c.call("GET", "/api/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status == 401 and "unsupported Authorization scheme" in error_of(basic)


def test_users_manage_only_their_own_tokens(controller):
    c = controller()
    admin = c.admin_token
    for name in ("ann", "bob"):
        assert c.call("POST", "/api/users", admin, {"name": name}).status == 201
    ann = c.call("POST", "/api/users/ann/tokens", admin, {"name": "laptop"}).json()
    bob = c.call("POST", "/api/users/bob/tokens", admin, {"name": "ci"}).json()
    assert ann["token"].startswith("mh_") and ann["user"] == "ann"

    me = c.call("GET", "/api/me", ann["token"]).json()
    assert (me["name"], me["role"], me["token_id"]) == ("ann", "user", ann["id"])
    # A user is refused on admin routes and on another user's tokens.
    denied = c.call("GET", "/api/users", ann["token"])
    assert denied.status == 403 and error_of(denied) == "this needs the admin role"
    assert c.call("POST", "/api/users", ann["token"], {"name": "eve"}).status == 403
    other = c.call("GET", "/api/users/bob/tokens", ann["token"])
    assert other.status == 403 and 'user "bob"' in error_of(other)
    assert c.call("DELETE", f"/api/tokens/{bob['id']}", ann["token"]).status == 403
    # ...but manages their own: a second token, listed without secrets, revoked.
    second = c.call("POST", "/api/users/ann/tokens", ann["token"], {"name": "desktop"})
    assert second.status == 201
    listed = c.call("GET", "/api/users/ann/tokens", ann["token"]).json()["tokens"]
    assert [t["name"] for t in listed] == ["laptop", "desktop"]
    assert all("token" not in t and t["revoked_at"] is None for t in listed)
    assert c.call("DELETE", f"/api/tokens/{ann['id']}", ann["token"]).status == 204
    revoked = c.call("GET", "/api/me", ann["token"])
    assert revoked.status == 401 and error_of(revoked) == "invalid or revoked token"
    assert c.call("GET", "/api/me", second.json()["token"]).status == 200
    # The admin may revoke anyone's.
    assert c.call("DELETE", f"/api/tokens/{bob['id']}", admin).status == 204
    assert c.call("GET", "/api/me", bob["token"]).status == 401


@pytest.mark.parametrize("body,status,message", [
    ({"name": "../etc"}, 400, 'user name "../etc" is not valid'),
    ({"name": "a" * 65}, 400, "is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -"),
    ({"name": ".."}, 400, 'user name ".." is not valid'),
    ({"name": "ok", "role": "root"}, 400, 'role must be "admin" or "user", got "root"'),
    ({"name": 7}, 400, '"name" must be a string'),
    ({}, 400, '"name" is required'),
    ([1, 2], 400, "the body must be a JSON object"),
    ("{not json", 400, "the body is not valid JSON"),
])
def test_bad_user_requests_name_the_problem(controller, body, status, message):
    c = controller()
    resp = c.call("POST", "/api/users", c.admin_token, body)
    assert resp.status == status
    assert message in error_of(resp)


def test_conflicts_and_unknowns(controller):
    c = controller()
    assert c.call("POST", "/api/users", c.admin_token, {"name": "ann"}).status == 201
    dup = c.call("POST", "/api/users", c.admin_token, {"name": "ann"})
    assert dup.status == 409 and error_of(dup) == 'user "ann" exists already'
    none = c.call("POST", "/api/users/nobody/tokens", c.admin_token, {"name": "t"})
    assert none.status == 404 and error_of(none) == 'no user "nobody"'
    gone = c.call("DELETE", "/api/tokens/tok-0000", c.admin_token)
    assert gone.status == 404 and error_of(gone) == 'no token "tok-0000"'
    bad_token_name = c.call("POST", "/api/users/ann/tokens", c.admin_token, {"name": "a b"})
    assert bad_token_name.status == 400 and 'token name "a b" is not valid' in error_of(bad_token_name)


def test_request_ids_are_echoed_or_made(controller):
    c = controller()
    echoed = c.call("GET", "/api/me", c.admin_token, headers={"X-Request-Id": "abc-123"})
    assert echoed.header("x-request-id") == "abc-123"
    made = c.call("GET", "/api/me", c.admin_token)
    assert made.header("x-request-id", "").startswith("req-")


def test_every_documented_route_exists(controller):
    c = controller()
    doc = c.call("GET", "/api/openapi.json", c.admin_token).json()
    assert doc["openapi"].startswith("3.")
    assert {"/healthz", "/readyz", "/api/me", "/api/users", "/api/tiers", "/api/nodes"} <= set(doc["paths"])
    for path, item in doc["paths"].items():
        for method in ("get", "post", "put", "delete"):
            if method not in item:
                continue
            concrete = re.sub(r"\{[^}]+\}", "zzz", path)
            resp = c.call(method.upper(), concrete, c.admin_token, {} if method in ("post", "put") else None)
            assert resp.status != 405, (method, path)
            if resp.status == 404:  # the handler's own "no such thing", not the router's
                assert not resp.json()["error"].startswith("not found:"), (method, path, resp.body)
