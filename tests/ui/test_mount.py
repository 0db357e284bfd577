"""The interface mounted in the API app: served at /ui, offline, and sharing the API's runtime."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ingest.errors import IndexError_
from service.app import create_app
from service.settings import Settings
from tests.ui.fakes import DOC_ID, TITLE, FakeRuntime
from ui.app import initial_view


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(), runtime=FakeRuntime(), ui=True)) as c:
        yield c


def test_ui_is_served_beside_the_api(client):
    page = client.get("/ui/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get("/healthz").json()["status"] == "ok"


def test_nothing_is_loaded_from_outside_and_analytics_are_off(client):
    page = client.get("/ui/").text
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
    config = client.get("/ui/config").json()
    assert config["analytics_enabled"] is False
    assert config["stylesheets"] == [] and config["footer_links"] == []
    assert config["title"].startswith("planqa")
    theme = client.get("/ui/theme.css").text
    assert "@import" not in theme and "@font-face" not in theme and "googleapis" not in theme
    assert "PingFang SC" in theme and "Noto Sans CJK SC" in theme


def test_initial_view_lists_documents_and_reports_a_missing_index():
    rt = FakeRuntime()
    view = initial_view(lambda: rt)
    assert view.error is None
    assert view.choices[-1] == (TITLE, DOC_ID) and view.first_doc == DOC_ID

    def broken():
        raise IndexError_("no index at .planqa/index")

    view = initial_view(broken)
    assert view.choices == [] and view.first_doc is None
    assert "索引尚未就绪" in view.error and "planqa index" in view.error


def test_page_is_chinese_and_links_no_missing_manifest(client):
    page = client.get("/ui/").text
    assert re.search(r'<html\s+lang="zh-CN"', page) and 'lang="en"' not in page[:200]
    assert page.index("Navigator.prototype, 'language'") < page.index('<script type="module"')
    assert 'rel="manifest"' not in page
    assert client.get("/ui/?p=x").text.count('lang="zh-CN"') == 1  # a deep link gets the same page


def test_favicon_is_served(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.parametrize(("path", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.offline.js")])
def test_api_docs_load_their_assets_from_this_server(client, path, script):
    page = client.get(path)
    assert page.status_code == 200
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text) == []
    assert "fonts.googleapis" not in page.text and "cdn.jsdelivr" not in page.text
    asset = re.search(r'src="([^"]*' + re.escape(script) + ')"', page.text).group(1)
    r = client.get(asset)
    assert r.status_code == 200 and len(r.content) > 100_000
    assert "cdn.redoc.ly" not in r.text
