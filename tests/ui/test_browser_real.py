"""The reader's journeys in headless Chromium against the real planqa server: the real model, a
freshly built index of ``corpus/``, real answers — at desktop (1440×900) and phone (390×844) sizes.

The index is built once for the module. The browser is offline (anything beyond 127.0.0.1 is
refused and fails the test), and console errors or failed requests fail it too. Screenshots go
to ``tests/artifacts/``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.browser import (
    ARTIFACTS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    ROOT,
    ask,
    browser_page,
    chromium_page,
    free_port,
    in_viewport,
    search,
    server,
    shot,
    text_box,
    wait_answer,
    wait_idle,
)
from ui.export import COLUMNS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)"),
]

REAL_STAGES = ("index.builder", "index.store", "index.embedder", "service.answer.engine")


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> Iterator[str]:
    missing = [m for m in REAL_STAGES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the real server needs {', '.join(missing)}, which do not exist yet")
    index_dir = tmp_path_factory.mktemp("index")
    env = {**os.environ, "PLANQA_INDEX_DIR": str(index_dir), "PLANQA_CORPUS_DIR": str(ROOT / "corpus")}
    env.pop("PLANQA_LLM_BASE_URL", None)
    planqa = [sys.executable, "-m", "service.cli"]
    subprocess.run([*planqa, "index"], cwd=ROOT, env=env, check=True, timeout=900)
    port = free_port()
    cmd = [*planqa, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with server(cmd, port, env={k: v for k, v in env.items() if k.startswith("PLANQA_")},
                log=ARTIFACTS / "server-real.log", timeout=300) as url:
        yield url


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def size(request) -> tuple[int, int]:
    return request.param


def _name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def test_a_citation_leads_to_its_card_and_opens_the_sentence_in_the_document(real_url, size):
    with chromium_page(real_url, *size) as (page, watch):
        ask(page, "到2025年要建设多少个5G基站？")
        bot = wait_answer(page, 1)
        assert "4000" in bot.inner_text()
        ref = bot.locator("sup.pq-ref").first
        n = int(ref.evaluate("e => [...e.classList].find((c) => /^pq-n\\d+$/.test(c)).slice(4)"))
        card = f"#pq-cite-1-{n}"
        assert "4000" in page.inner_text(card)
        ref.hover()
        assert ref.locator(".pq-preview").is_visible() and "4000" in ref.locator(".pq-preview").inner_text()
        page.mouse.move(0, 0)

        page.evaluate("window.scrollTo(0, 0)")
        ref.click()
        page.wait_for_function(f"() => document.querySelector('{card}').classList.contains('pq-flash')")
        page.wait_for_function(f"() => {{ const r = document.querySelector('{card}').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < window.innerHeight; }")
        if size == PHONE:  # sources directly under the answer
            gap = page.evaluate("document.querySelector('#pq-citations').getBoundingClientRect().top"
                                " - document.querySelector('#pq-chat').getBoundingClientRect().bottom")
            assert 0 <= gap < 80
        shot(page, f"real-ask-{_name(size)}")

        cited = page.locator(f"{card} .pq-text mark").first.inner_text()
        page.locator(f"{card} a.pq-open").click()
        page.wait_for_selector("#pq-section mark.pq-target")
        assert page.get_by_role("tab", name="文档").get_attribute("aria-selected") == "true"
        assert page.locator("#pq-section mark.pq-target").first.inner_text() == cited
        page.wait_for_function("() => { const r = document.querySelector('#pq-section mark.pq-target')"
                               ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }")
        shot(page, f"real-open-{_name(size)}")
        link = page.get_attribute("#pq-section a.pq-link", "href")
        assert watch.problems() == []

    with chromium_page(real_url, *size, path=link) as (page, watch):  # the shared address
        page.wait_for_selector("#pq-section mark.pq-target")
        assert page.locator("#pq-section mark.pq-target").first.inner_text() == cited
        assert in_viewport(page, "#pq-section mark.pq-target")
        assert watch.problems() == []


def test_a_follow_up_is_read_against_the_previous_question_until_the_chat_is_cleared(real_url, size):
    with chromium_page(real_url, *size) as (page, watch):
        first = "天钢集团有哪些项目，总投资多少？"
        follow = "那其中2021年开工的有哪些？"
        ask(page, first)
        wait_answer(page, 1)
        # the rows the answer adds up are one compact table with their total, not a card per row
        compact = page.locator("#pq-citations .pq-turn:not([hidden]) table.pq-compact")
        assert compact.count() == 1 and compact.locator("tbody tr").count() >= 3
        assert page.locator("#pq-citations .pq-turn:not([hidden]) table.pq-row").count() == 0
        assert "合计" in compact.locator("tfoot").inner_text()
        ask(page, follow)
        second = wait_answer(page, 2)
        # the engine received the earlier question: it says how it read the follow-up
        resolved = second.locator(".pq-resolved")
        assert resolved.count() == 1, second.inner_text()
        assert "2021" in resolved.inner_text() and resolved.inner_text() != f"结合上文理解为：{follow}"
        shot(page, f"real-follow-up-{_name(size)}")

        page.click("#pq-clear")
        page.wait_for_function("() => document.querySelectorAll('#pq-chat [data-testid=bot]').length === 0")
        assert "提问后" in page.inner_text("#pq-citations")
        ask(page, follow)
        again = wait_answer(page, 1)
        assert again.locator(".pq-resolved").count() == 0  # nothing of the old conversation came back
        assert page.locator("#pq-chat [data-testid=user]").count() == 1
        assert page.locator("#pq-citations .pq-turn").count() == 1
        assert watch.problems() == []


def test_exact_search_groups_matches_and_exports_every_one_with_its_context(real_url, size):
    with chromium_page(real_url, *size) as (page, watch):
        search(page, "5G")
        page.wait_for_selector("#pq-results mark")
        summary = page.inner_text("#pq-summary")
        total, passages = (int(x) for x in re.search(r"共 (\d+) 处匹配，分布在 (\d+) 个段落", summary).groups())
        cards = page.locator("#pq-results .pq-card")
        ids = [cards.nth(i).get_attribute("data-id") for i in range(cards.count())]
        marks = [cards.nth(i).locator("mark").count() for i in range(cards.count())]
        assert len(ids) == len(set(ids)) == passages  # one card per passage
        assert sum(marks) == total and max(marks) >= 2  # a passage with two matches: one card, two marks
        double = cards.nth(marks.index(max(marks)))
        assert f"本段 {max(marks)} 处" in double.inner_text()
        shot(page, f"real-search-{_name(size)}")
        page.get_by_role("tab", name="关键词上下文").click()
        assert page.locator("#pq-kwic tbody tr").count() == total
        shot(page, f"real-search-kwic-{_name(size)}")

        with page.expect_download() as dl:
            page.click("#pq-csv")
        rows = list(csv.reader(Path(dl.value.path()).read_text(encoding="utf-8-sig").splitlines()))
        assert tuple(rows[0]) == COLUMNS and len(rows) == total + 1
        col = {name: i for i, name in enumerate(COLUMNS)}
        assert {r[col["匹配"]] for r in rows[1:]} == {"5G"}
        assert {(r[col["检索词"]], r[col["检索方式"]]) for r in rows[1:]} == {("5G", "精确")}
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", r[col["检索时间"]]) for r in rows[1:])
        offsets = [int(r[col["字符位置"]]) for r in rows[1:]]
        assert len(set(offsets)) == total
        for r in rows[1:4]:  # the offset is where the match stands in the document's text
            p = _get(f"{real_url}/api/passages/{urllib.parse.quote(r[col['段落编号']], safe='')}")
            assert p["doc_title"] == r[col["文档"]]
            if p["kind"] == "paragraph":
                at = int(r[col["字符位置"]]) - p["span"][0]
                k = min(at, len(r[col["左侧上下文"]]))
                assert p["text"][at:at + 2] == "5G" and p["text"][at - k:at] == r[col["左侧上下文"]][len(r[col["左侧上下文"]]) - k:]

        share = page.get_attribute("#pq-summary a.pq-share-link", "href")
        assert watch.problems() == []

    with chromium_page(real_url, *size, path=share) as (page, watch):  # the shared search
        page.wait_for_selector("#pq-results mark")
        assert f"共 {total} 处匹配" in page.inner_text("#pq-summary")
        assert watch.problems() == []


def test_keyword_search_says_when_the_phrase_never_occurs_and_failures_clear_results(real_url, size):
    with chromium_page(real_url, *size) as (page, watch):
        search(page, "人才引进", "关键词")
        page.wait_for_selector("#pq-notice .pq-phrase")
        says_absent = "没有出现" in page.inner_text("#pq-notice")
        exact = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"{real_url}/api/search", data=json.dumps({"query": "人才引进", "mode": "exact"}).encode(),
            headers={"Content-Type": "application/json"}), timeout=30).read())["total"]
        assert says_absent == (exact == 0)  # the notice tells the truth about the verbatim phrase
        assert page.locator("#pq-results .pq-card").count() > 0
        page.fill(text_box("pq-query"), "x" * 3000)
        page.click("#pq-search")
        page.wait_for_selector("#pq-summary .pq-banner")
        assert page.locator("#pq-results .pq-card").count() == 0 and page.locator("#pq-csv").is_hidden()
        assert page.locator("#pq-notice").is_hidden()
        assert watch.problems() == []


def test_documents_tab_outline_table_and_short_name_filter(real_url, size):
    with chromium_page(real_url, *size) as (page, watch):
        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-outline [data-idx]")
        outline = page.inner_text("#pq-outline")
        assert "一、“十三五”发展回顾" in outline and "五、重点任务" in outline
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("#pq-outline [data-idx]", has_text="（六）强化新型基础设施建设").click()
        page.wait_for_function("() => document.querySelector('#pq-section').innerText.includes('4000个5G基站')")
        page.wait_for_function("() => { const r = document.querySelector('#pq-section').getBoundingClientRect();"
                               " return r.top >= -5 && r.top < window.innerHeight * 0.6; }")  # the text is in view
        note = page.locator("#pq-table-note")
        page.wait_for_function("() => /共 \\d+ 行/.test(document.querySelector('#pq-table-note').innerText)")
        rows = int(re.search(r"共 (\d+) 行", note.inner_text()).group(1))
        assert f"（{rows} 行）" in page.inner_text("#pq-tab-docs")  # the summary counts the same rows
        page.fill(text_box("pq-table-filter"), "天钢")  # a short name of a company in the table
        page.wait_for_function("() => /显示 [1-9]\\d* \\//.test(document.querySelector('#pq-table-note').innerText)")
        shown = int(re.search(r"显示 (\d+) /", note.inner_text()).group(1))
        assert 0 < shown < rows
        if size == PHONE:
            assert page.locator("#pq-table-phone tbody tr").count() == shown
        else:
            page.wait_for_function(f"() => document.querySelector('#pq-table [role=grid]')"
                                   f".getAttribute('aria-rowcount') === '{shown + 1}'")
        shot(page, f"real-docs-{_name(size)}")
        assert watch.problems() == []


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .opblock"), ("/redoc", "[data-section-id] h2")])
def test_api_docs_render_with_the_network_blocked(real_url, size, path, ready):
    with browser_page(*size) as (page, watch):
        page.goto(real_url + path)
        page.wait_for_selector(ready)
        assert "/api/ask" in page.inner_text("body") or "Ask" in page.inner_text("body")
        wait_idle(page)
        shot(page, f"real-api{path.replace('/', '-')}-{_name(size)}")
        assert watch.problems() == [] and watch.blocked == []
