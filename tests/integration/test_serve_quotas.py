"""`modelhost serve`: quotas (per user and the default) and environments through the REST API."""

from __future__ import annotations

import pytest

from test_serve_auth import controller, error_of  # noqa: F401  (controller is a fixture)


@pytest.fixture
def setup(controller):
    c = controller()
    admin = c.admin_token
    assert c.call("POST", "/api/users", admin, {"name": "ann"}).status == 201
    ann = c.call("POST", "/api/users/ann/tokens", admin, {"name": "t"}).json()["token"]
    return c, admin, ann


def test_quotas_default_then_per_user(setup):
    c, admin, ann = setup
    default = c.call("GET", "/api/default-quota", ann).json()
    assert default == {"max_gpus": 4, "max_instances": 8, "max_cpus": 32, "max_memory_gib": 128}
    mine = c.call("GET", "/api/users/ann/quota", ann).json()
    assert mine["default"] is True and mine["max_gpus"] == 4
    upd = c.call("PUT", "/api/default-quota", admin, {"max_gpus": 2, "max_cpus": 8.5})
    assert upd.status == 200 and upd.json()["max_cpus"] == 8.5
    assert c.call("GET", "/api/users/ann/quota", ann).json()["max_gpus"] == 2
    own = c.call("PUT", "/api/users/ann/quota", admin, {"max_gpus": 1, "max_instances": 3})
    assert own.status == 200
    assert own.json() == {"user": "ann", "default": False, "max_gpus": 1, "max_instances": 3,
                          "max_cpus": 8.5, "max_memory_gib": 128}
    assert c.call("DELETE", "/api/users/ann/quota", admin).status == 204
    assert c.call("GET", "/api/users/ann/quota", ann).json()["default"] is True


def test_only_admins_change_quotas_and_users_see_only_their_own(setup):
    c, admin, ann = setup
    assert c.call("POST", "/api/users", admin, {"name": "bob"}).status == 201
    for method, path, body in [("PUT", "/api/users/ann/quota", {"max_gpus": 9}),
                               ("DELETE", "/api/users/ann/quota", None),
                               ("PUT", "/api/default-quota", {"max_gpus": 9})]:
        resp = c.call(method, path, ann, body)
        assert resp.status == 403 and error_of(resp) == "this needs the admin role", path
    other = c.call("GET", "/api/users/bob/quota", ann)
    assert other.status == 403
    assert c.call("GET", "/api/users/bob/quota", admin).status == 200
    assert c.call("GET", "/api/users/nobody/quota", admin).status == 404


@pytest.mark.parametrize("body,message", [
    ({"max_gpus": -1}, "max_gpus must be >= 0"),
    ({"max_gpus": 1.5}, '"max_gpus" must be an integer'),
    ({"max_cpus": "8"}, '"max_cpus" must be a number'),
    ({"max_disks": 1}, 'unknown member "max_disks"'),
    ([], "the body must be a JSON object"),
])
def test_bad_quotas_name_the_problem(setup, body, message):
    c, admin, _ = setup
    resp = c.call("PUT", "/api/users/ann/quota", admin, body)
    assert resp.status == 400 and message in error_of(resp)


def test_environments(setup, tmp_path):
    c, admin, ann = setup
    not_executable = tmp_path / "python"
    not_executable.write_text("#!/bin/sh\n")
    not_executable.chmod(0o644)
    envs = c.call("GET", "/api/environments", ann).json()["environments"]
    assert [(e["name"], e["kind"], e["builtin"]) for e in envs] == [("onnx", "onnx", True)]
    made = c.call("POST", "/api/environments", admin,
                  {"name": "py-sh", "interpreter": "/bin/sh", "description": "stand-in"})
    assert made.status == 201 and made.json()["kind"] == "python"
    assert c.call("GET", "/api/environments/py-sh", ann).json()["interpreter"] == "/bin/sh"
    assert c.call("POST", "/api/environments", ann,
                  {"name": "x", "interpreter": "/bin/sh"}).status == 403
    for body, message in [({"name": "y", "interpreter": "python3"},
                           'interpreter must be the absolute path of an executable file, got "python3"'),
                          ({"name": "y", "interpreter": str(not_executable)}, "must be the absolute path"),
                          ({"name": "y", "kind": "onnx", "interpreter": "/bin/sh"}, 'kind must be "python"'),
                          ({"name": "y"}, '"interpreter" is required'),
                          ({"name": "y", "interpreter": "/bin/sh", "gpu": 1}, 'unknown member "gpu"'),
                          ({"name": "py-sh", "interpreter": "/bin/sh"}, 'environment "py-sh" exists already')]:
        resp = c.call("POST", "/api/environments", admin, body)
        assert resp.status in (400, 409) and message in error_of(resp), body
    builtin = c.call("DELETE", "/api/environments/onnx", admin)
    assert builtin.status == 400 and "built in and cannot be removed" in error_of(builtin)
    assert c.call("DELETE", "/api/environments/py-sh", admin).status == 204
    assert c.call("GET", "/api/environments/py-sh", admin).status == 404
