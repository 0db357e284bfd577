"""The browser interface behind a login (``PLANQA_UI_USERS``), Gradio's own."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.ui.fakes import FakeRuntime


def test_the_interface_asks_for_a_login_when_users_are_set() -> None:
    s = Settings(ui_users={"alice": "a long password"})
    with TestClient(create_app(s, runtime=FakeRuntime())) as c:
        r = c.get("/ui/config")
        assert r.status_code == 401 and r.json()["detail"]["error"] == "Not authenticated"
        assert c.post("/ui/login", data={"username": "alice", "password": "wrong"}).status_code == 400
        assert c.post("/ui/login", data={"username": "alice", "password": "a long password"}).json() == {"success": True}
        assert c.get("/ui/config").status_code == 200


def test_without_users_there_is_no_login_and_ui_false_serves_the_api_alone() -> None:
    with TestClient(create_app(Settings(), runtime=FakeRuntime())) as c:
        assert c.get("/ui/config").status_code == 200
    with TestClient(create_app(Settings(ui=False), runtime=FakeRuntime())) as c:
        assert c.get("/ui/config").status_code == 404
        assert c.get("/healthz").status_code == 200
