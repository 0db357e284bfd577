"""The interface in a real browser: headless Chromium against a real server on 127.0.0.1.

Two servers: one over the hand-made fake runtime (every interaction, independent of retrieval
quality), and the real planqa server with a freshly built index of ``corpus/`` (the journeys a
staff member and a journalist take). Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.browser import (
    ARTIFACTS,
    CHROMIUM,
    ROOT,
    ask,
    chromium_page,
    external,
    free_port,
    search,
    server,
    shot,
    text_box,
    uvicorn_factory,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)"),
]


def _grid_rows(page) -> int:
    """Data rows the table grid holds (its aria row count less the header row)."""
    return int(page.get_attribute("#pq-table [role=grid]", "aria-rowcount")) - 1


def _first_row(page) -> str:
    return page.inner_text('#pq-table [role=row][aria-rowindex="2"]')


# ---- the fake runtime: every interaction --------------------------------------------------------
@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    port = free_port()
    log = ARTIFACTS / "server-fake.log"
    with server(uvicorn_factory("tests.ui.fake_app:create", port), port, log=log, timeout=90) as url:
        yield url


def test_chat_streams_cites_and_flags_ungrounded_answers(fake_url):
    with chromium_page(fake_url) as (page, requests):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        ask(page, "到2025年要建设多少个5G基站？")
        # the answer arrives in pieces: the typing cursor shows while it streams
        page.wait_for_function("() => document.querySelector('#pq-chat').innerText.includes('▍')")
        page.wait_for_selector("#pq-citations .pq-card")
        bot = page.locator("#pq-chat [data-testid=bot]").last
        assert "4000" in bot.inner_text() and "▍" not in bot.inner_text()
        assert bot.locator("sup.pq-ref").first.inner_text() == "[1]"
        card = page.locator("#pq-citations .pq-card").first
        assert "示例区“十四五”工业发展规划" in card.inner_text()
        assert "五、重点任务 › （六）强化新型基础设施建设" in card.inner_text()
        assert "4000个5G基站" in card.locator("mark").first.inner_text()
        assert page.locator("#pq-citations .pq-banner").count() == 0
        shot(page, "fake-ask")

        page.get_by_role("button", name="高端装备制造类重大项目一共有多少个？").click()
        page.wait_for_selector("#pq-citations table.pq-row")
        assert page.locator("#pq-citations table.pq-row").count() == 2
        assert "高端装备制造" in page.locator("#pq-citations table.pq-row caption").first.inner_text()

        page.get_by_role("button", name="链长制是什么？").click()
        page.wait_for_selector("#pq-citations .pq-banner")
        assert "文档中未找到依据" in page.inner_text("#pq-citations .pq-banner")
        shot(page, "fake-ask-ungrounded")

        # clicking an earlier answer brings its sources back
        page.locator("#pq-chat [data-testid=bot]").first.click()
        page.wait_for_selector("#pq-citations .pq-card mark")
        assert page.locator("#pq-citations .pq-banner").count() == 0
        assert not dialogs and external(requests) == []


def test_search_highlights_counts_kwic_csv_and_escapes(fake_url):
    with chromium_page(fake_url) as (page, requests):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        search(page, "链长制")
        page.wait_for_selector("#pq-results mark")
        assert page.inner_text("#pq-results mark") == "链长制"
        assert "共 1 处匹配" in page.inner_text("#pq-summary")
        assert "1" in page.inner_text("#pq-summary table.pq-perdoc td.pq-n")
        page.get_by_role("tab", name="关键词上下文").click()
        row = page.locator("#pq-kwic tbody tr").first
        assert row.locator(".pq-match").inner_text() == "链长制"
        assert row.locator(".pq-left").inner_text().endswith("探索实现重点产业链“")
        shot(page, "fake-search-kwic")

        with page.expect_download() as dl:
            page.click("#pq-csv")
        raw = Path(dl.value.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and dl.value.suggested_filename.endswith(".csv")
        lines = raw.decode("utf-8-sig").splitlines()
        assert lines[0] == "id,doc,section,text,span,score" and "链长制" in lines[1]

        page.get_by_role("tab", name="结果列表").click()
        search(page, "特殊字符")
        page.wait_for_function("() => document.querySelector('#pq-results').innerText.includes('特殊字符')")
        text = page.inner_text("#pq-results")
        assert "<script>alert(1)</script>" in text and "{{x}} ${y}" in text
        assert page.locator("#pq-results script").count() == 0

        page.fill(text_box("pq-query"), "   ")
        page.click("#pq-search")
        page.wait_for_selector("text=请输入检索词")
        assert not dialogs and external(requests) == []


def test_documents_outline_sections_and_sortable_filterable_table(fake_url):
    with chromium_page(fake_url) as (page, requests):
        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-outline [data-idx]")
        assert page.locator("#pq-outline [data-idx]").count() == 4
        page.locator("#pq-outline [data-idx]", has_text="（六）强化新型基础设施建设").click()
        page.wait_for_function(
            "() => !document.querySelector('#pq-section').innerText.includes('链长制')")
        section = page.inner_text("#pq-section")
        assert "4000个5G基站" in section and "<script>alert(1)</script>" in section
        assert page.locator("#pq-outline li.pq-sel").inner_text() == "（六）强化新型基础设施建设"

        page.wait_for_function("() => document.querySelector('#pq-table [role=grid]')"
                               "?.getAttribute('aria-rowcount') === '4'")
        assert _grid_rows(page) == 3 and "永磁直驱系统系列产品生产项目" in _first_row(page)
        page.hover("#pq-table [data-testid=header-3]")
        page.click("#pq-table [data-testid=header-3] .cell-menu-button")
        page.get_by_role("menuitem", name="降序排序").click()
        page.wait_for_function(
            "() => document.querySelector('#pq-table [role=row][aria-rowindex=\"2\"]').innerText.includes('钢铁')")
        assert "12" in _first_row(page)  # 12 > 3.5 > 1.2: sorted as numbers, not as text
        page.fill(text_box("pq-table-filter"), "高端装备")
        page.wait_for_function("() => document.querySelector('#pq-table [role=grid]')"
                               ".getAttribute('aria-rowcount') === '3'")
        assert "显示 2 / 3 行" in page.inner_text("#pq-table-note")
        shot(page, "fake-docs")
        assert external(requests) == []


# ---- the real server over the real plan ---------------------------------------------------------
REAL_STAGES = ("index.builder", "index.store", "index.embedder", "service.answer.engine")


def _missing_stages() -> list[str]:
    return [m for m in REAL_STAGES if importlib.util.find_spec(m) is None]


def _has_command(name: str) -> bool:
    try:
        import service.cli as cli
    except ImportError:
        return False
    return callable(getattr(cli, name, None))


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> Iterator[str]:
    missing = _missing_stages()
    if missing:
        pytest.skip(f"the real server needs {', '.join(missing)}, which do not exist yet")
    index_dir = tmp_path_factory.mktemp("index")
    env = {**os.environ, "PLANQA_INDEX_DIR": str(index_dir), "PLANQA_CORPUS_DIR": str(ROOT / "corpus")}
    env.pop("PLANQA_LLM_BASE_URL", None)
    planqa = [sys.executable, "-m", "service.cli"]
    if _has_command("index"):
        build = [*planqa, "index"]
    else:
        build = [sys.executable, "-c", "from service.runtime import Runtime\nfrom service.settings import Settings\n"
                 "Runtime(Settings()).build(force=True)"]
    subprocess.run(build, cwd=ROOT, env=env, check=True, timeout=900)
    port = free_port()
    cmd = ([*planqa, "serve", "--host", "127.0.0.1", "--port", str(port)] if _has_command("serve")
           else uvicorn_factory("service.api:create_app", port))
    with server(cmd, port, env={k: v for k, v in env.items() if k.startswith("PLANQA_")},
                log=ARTIFACTS / "server-real.log", timeout=300) as url:
        yield url


def test_real_plan_answer_search_and_documents(real_url):
    with chromium_page(real_url) as (page, requests):
        ask(page, "到2025年要建设多少个5G基站？")
        page.wait_for_selector("#pq-citations .pq-card", timeout=120_000)
        page.wait_for_function("() => !document.querySelector('#pq-chat').innerText.includes('▍')")
        answer = page.locator("#pq-chat [data-testid=bot]").last.inner_text()
        assert "4000" in answer, answer
        assert page.locator("#pq-chat [data-testid=bot] sup.pq-ref").count() >= 1
        cards = page.locator("#pq-citations .pq-card")
        assert cards.count() >= 1
        assert any("4000" in cards.nth(i).inner_text() for i in range(cards.count()))
        shot(page, "real-ask")

        search(page, "链长制")
        page.wait_for_selector("#pq-results mark")
        assert page.locator("#pq-results mark").first.inner_text() == "链长制"
        assert "处匹配" in page.inner_text("#pq-summary")
        shot(page, "real-search")
        page.get_by_role("tab", name="关键词上下文").click()
        page.wait_for_selector("#pq-kwic .pq-match mark")
        shot(page, "real-search-kwic")

        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-outline [data-idx]")
        outline = page.inner_text("#pq-outline")
        assert "一、“十三五”发展回顾" in outline and "五、重点任务" in outline
        page.wait_for_function("() => (document.querySelector('#pq-table [role=grid]')"
                               "?.getAttribute('aria-rowcount') | 0) > 50")
        assert "永磁直驱系统系列产品生产项目" in _first_row(page)
        page.locator("#pq-outline [data-idx]", has_text="（六）强化新型基础设施建设").click()
        page.wait_for_function("() => document.querySelector('#pq-section').innerText.includes('4000个5G基站')")
        shot(page, "real-docs")
        assert external(requests) == []
