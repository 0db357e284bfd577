"""The interface in a real browser over the hand-made fake runtime: every interaction, at desktop
and phone sizes, independent of retrieval quality. (``test_browser_real.py`` takes the same
journeys over the real plan, the real model and a real index.)

Headless Chromium is offline (requests beyond 127.0.0.1 are refused and fail the test), and a
console error or a failed request fails it too. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import csv
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.browser import (
    ARTIFACTS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    ask,
    browser_page,
    choose,
    chromium_page,
    free_port,
    in_viewport,
    search,
    server,
    shot,
    text_box,
    uvicorn_factory,
    wait_answer,
    wait_idle,
)
from ui.export import COLUMNS, DOC_COLUMNS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    port = free_port()
    log = ARTIFACTS / "server-fake.log"
    with server(uvicorn_factory("tests.ui.fake_app:create", port), port, log=log, timeout=90) as url:
        yield url


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def size(request) -> tuple[int, int]:
    return request.param


def _name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _grid_rows(page) -> int:
    """Data rows the table grid holds (its aria row count less the header row)."""
    return int(page.get_attribute("#pq-table [role=grid]", "aria-rowcount")) - 1


def _first_row(page) -> str:
    return page.inner_text('#pq-table [role=row][aria-rowindex="2"]')


def test_citations_lead_to_their_card_and_into_the_document(fake_url, size):
    with chromium_page(fake_url, *size) as (page, watch):
        ask(page, "到2025年要建设多少个5G基站？")
        # the answer arrives in pieces: the typing cursor shows while it streams
        page.wait_for_function("() => document.querySelector('#pq-chat').innerText.includes('▍')")
        bot = wait_answer(page, 1)
        assert "4000" in bot.inner_text() and "▍" not in bot.inner_text()
        assert bot.locator(".pq-short strong").inner_text() == "4000个"
        ref = bot.locator("sup.pq-ref").first
        assert ref.inner_text() == "[1]"
        narrow = size == PHONE
        assert bot.locator(".pq-narrow" if narrow else ".pq-wide").is_visible()
        assert not bot.locator(".pq-wide" if narrow else ".pq-narrow").is_visible()
        card = page.locator("#pq-citations .pq-card").first
        assert "示例区“十四五”工业发展规划" in card.inner_text()
        assert "4000个5G基站" in card.locator("mark").first.inner_text()
        if narrow:  # the sources sit right under the chat
            gap = page.evaluate("document.querySelector('#pq-citations').getBoundingClientRect().top"
                                " - document.querySelector('#pq-chat').getBoundingClientRect().bottom")
            assert 0 <= gap < 80

        ref.hover()  # the marker previews the cited sentence
        assert ref.locator(".pq-preview").is_visible()
        assert ref.locator(".pq-preview").inner_text().startswith("到2025年，建设完成4000个5G基站")
        page.mouse.move(0, 0)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        ref.click()
        page.wait_for_function("() => document.querySelector('#pq-cite-1-1').classList.contains('pq-flash')")
        page.wait_for_function("() => { const r = document.querySelector('#pq-cite-1-1').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < window.innerHeight; }")
        shot(page, f"fake-ask-{_name(size)}")

        card.locator("a.pq-open").click()
        page.wait_for_selector("#pq-section mark.pq-target")
        assert page.get_by_role("tab", name="文档").get_attribute("aria-selected") == "true"
        assert page.inner_text("#pq-section mark.pq-target") == "到2025年，建设完成4000个5G基站，实现重点区域的5G深度覆盖。"
        page.wait_for_function("() => { const r = document.querySelector('#pq-section mark.pq-target')"
                               ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }")
        assert page.locator("#pq-outline li.pq-sel").inner_text() == "（六）强化新型基础设施建设"
        shot(page, f"fake-open-{_name(size)}")
        link = page.get_attribute("#pq-section a.pq-link", "href")
        assert link.startswith("/ui/?p=demo-plan%23p1.s0&hl=")
        assert watch.problems() == []

    with chromium_page(fake_url, *size, path=link) as (page, watch):  # the shared link
        page.wait_for_selector("#pq-section mark.pq-target")
        assert page.get_by_role("tab", name="文档").get_attribute("aria-selected") == "true"
        assert in_viewport(page, "#pq-section mark.pq-target")
        assert watch.problems() == []


def test_chat_remembers_the_conversation_until_cleared(fake_url, size):
    with chromium_page(fake_url, *size) as (page, watch):
        ask(page, "5G基站建设多少个？")
        wait_answer(page, 1)
        ask(page, "那到2025年呢？")
        second = wait_answer(page, 2)
        assert "结合上文理解为：5G基站建设多少个，到2025年呢？" in second.inner_text()
        # each answer keeps its own sources: clicking the first one's marker shows them again
        page.locator("#pq-chat [data-testid=bot]").first.locator("sup.pq-ref").click()
        page.wait_for_function("() => !document.querySelector('#pq-citations .pq-turn[data-turn=\"1\"]').hidden")
        assert page.locator('#pq-citations .pq-turn[data-turn="3"]').is_hidden()

        # the button and the chat's own bin icon both forget everything
        page.click('#pq-chat button[aria-label="清空对话"]' if size == PHONE else "#pq-clear")
        page.wait_for_function("() => document.querySelectorAll('#pq-chat [data-testid=bot]').length === 0")
        page.wait_for_function("() => document.querySelector('#pq-citations').innerText.includes('提问后')")
        assert page.locator("#pq-follow button:visible").count() == 0
        ask(page, "那到2025年呢？")
        only = wait_answer(page, 1)
        assert "结合上文理解为" not in only.inner_text()
        assert page.locator("#pq-chat [data-testid=user]").count() == 1
        shot(page, f"fake-cleared-{_name(size)}")

        # many table rows: one compact table with the total; suggested follow-ups ask on click
        ask(page, "所有项目有哪些？")
        wait_answer(page, 2)
        table = page.locator("#pq-citations .pq-turn:not([hidden]) table.pq-compact")
        assert table.locator("tbody tr").count() == 3 and "16.7" in table.locator("tfoot").inner_text()
        follow = page.locator("#pq-follow button", has_text="“传统产业”有哪些项目？")
        follow.click()
        third = wait_answer(page, 3)
        assert page.locator("#pq-chat [data-testid=user]").last.inner_text() == "“传统产业”有哪些项目？"
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=fake_url)
        third.locator(".pq-copy").click()
        third.locator(".pq-copy", has_text="已复制").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()").splitlines()
        assert copied[0] == third.locator(".pq-body").inner_text() and copied[2] == "来源："
        assert copied[3].startswith("[1] 示例区“十四五”工业发展规划 › ")
        shot(page, f"fake-compact-{_name(size)}")
        assert watch.problems() == []


def test_search_groups_matches_exports_every_match_and_shares_the_search(fake_url, size):
    with chromium_page(fake_url, *size) as (page, watch):
        search(page, "5G")
        page.wait_for_selector("#pq-results mark")
        cards = page.locator("#pq-results .pq-card")
        assert cards.count() == 1 and cards.first.locator("mark").count() == 2
        assert "本段 2 处" in cards.first.inner_text()
        assert "共 2 处匹配，分布在 1 个段落" in page.inner_text("#pq-summary")
        page.get_by_role("tab", name="关键词上下文").click()
        rows = page.locator("#pq-kwic tbody tr")
        assert rows.count() == 2 and rows.first.locator(".pq-match").inner_text() == "5G"
        # the match never overlaps its right context (on a phone the line wraps as running text)
        assert page.evaluate("""() => {
          const row = document.querySelector('#pq-kwic tbody tr');
          const m = row.querySelector('.pq-match mark').getBoundingClientRect();
          const r = row.querySelector('.pq-right').getClientRects()[0];
          return r.left >= m.right - 1 || r.top >= m.bottom - 1;
        }""")
        shot(page, f"fake-search-kwic-{_name(size)}")

        with page.expect_download() as dl:
            page.click("#pq-csv")
        raw = Path(dl.value.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and dl.value.suggested_filename.endswith(".csv")
        table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert tuple(table[0]) == COLUMNS and len(table) == 3
        assert {r[5] for r in table[1:]} == {"5G"} and {r[7] for r in table[1:]} == {"5G"}
        assert {r[8] for r in table[1:]} == {"精确"} and table[1][3] != table[2][3]
        with page.expect_download() as dl:
            page.click("#pq-xlsx")
        assert dl.value.suggested_filename.endswith(".xlsx")

        share = page.get_attribute("#pq-summary a.pq-share-link", "href")
        assert share == "/ui/?q=5G&mode=exact"

        page.get_by_role("tab", name="结果列表").click()
        search(page, "特殊字符")
        page.wait_for_function("() => document.querySelector('#pq-results').innerText.includes('特殊字符')")
        text = page.inner_text("#pq-results")
        assert "<script>alert(1)</script>" in text and "{{x}} ${y}" in text
        assert page.locator("#pq-results script").count() == 0

        # a failed search clears the old results
        page.fill(text_box("pq-query"), "   ")
        page.click("#pq-search")
        page.wait_for_selector("#pq-summary .pq-banner")
        assert "请输入检索词" in page.inner_text("#pq-summary")
        assert page.locator("#pq-results .pq-card").count() == 0 and page.locator("#pq-csv").is_hidden()
        toast = page.locator(".toast-body").first
        assert "提示" in toast.inner_text() and "Warning" not in toast.inner_text()

        # ranked modes say whether the whole phrase occurs, and offer exact mode
        search(page, "火星", "关键词")
        page.wait_for_selector("#pq-notice .pq-phrase-none")
        assert "没有出现" in page.inner_text("#pq-notice")
        search(page, "5G", "混合")
        page.wait_for_selector("#pq-notice .pq-phrase:not(.pq-phrase-none)")
        page.click("#pq-to-exact")
        page.wait_for_function("() => document.querySelector('#pq-summary').innerText.includes('处匹配')")
        assert page.get_by_label("精确", exact=True).is_checked()
        assert watch.problems() == []

    with chromium_page(fake_url, *size, path=share) as (page, watch):  # the shared search
        page.wait_for_selector("#pq-results mark")
        assert page.get_by_role("tab", name="检索").get_attribute("aria-selected") == "true"
        assert page.input_value(text_box("pq-query")) == "5G"
        assert page.locator("#pq-results mark").count() == 2
        assert watch.problems() == []


def test_documents_outline_sections_and_sortable_filterable_table(fake_url, size):
    with chromium_page(fake_url, *size) as (page, watch):
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-outline [data-idx]")
        assert page.locator("#pq-outline [data-idx]").count() == 4
        page.locator("#pq-outline [data-idx]", has_text="（六）强化新型基础设施建设").click()
        page.wait_for_function(
            "() => !document.querySelector('#pq-section').innerText.includes('链长制')")
        section = page.inner_text("#pq-section")
        assert "4000个5G基站" in section and "<script>alert(1)</script>" in section
        assert page.locator("#pq-outline li.pq-sel").inner_text() == "（六）强化新型基础设施建设"
        page.wait_for_function("() => { const r = document.querySelector('#pq-section').getBoundingClientRect();"
                               " return r.top >= -5 && r.top < window.innerHeight * 0.6; }")

        if size == PHONE:  # a plain grid that scrolls sideways with its first column pinned
            page.wait_for_selector("#pq-table-phone table.pq-grid tbody tr")
            assert page.locator("#pq-table").is_hidden()
            assert page.locator("#pq-table-phone tbody tr").count() == 3
            wrap = "document.querySelector('#pq-table-phone .pq-grid-wrap')"
            assert page.evaluate(f"{wrap}.scrollWidth > {wrap}.clientWidth")
            page.evaluate(f"{wrap}.scrollLeft = 200")
            first = page.locator("#pq-table-phone tbody tr").first.locator("td").first.bounding_box()
            assert abs(first["x"] - page.locator("#pq-table-phone .pq-grid-wrap").bounding_box()["x"]) < 3
            cell = page.locator("#pq-table-phone thead th").nth(2).bounding_box()
            assert cell["width"] >= 60 and cell["height"] < 60  # readable, not one character a line
            page.fill(text_box("pq-table-filter"), "高端装备")
            page.wait_for_function("() => document.querySelectorAll('#pq-table-phone tbody tr').length === 2")
        else:
            page.wait_for_function("() => document.querySelector('#pq-table [role=grid]')"
                                   "?.getAttribute('aria-rowcount') === '4'")
            assert _grid_rows(page) == 3 and "永磁直驱系统系列产品生产项目" in _first_row(page)
            assert page.locator("#pq-table-phone").is_hidden()
            header = page.locator("#pq-table [data-testid=header-2]").bounding_box()
            assert header["width"] >= 60 and header["height"] < 80  # readable, not one character a line
            page.hover("#pq-table [data-testid=header-3]")
            page.click("#pq-table [data-testid=header-3] .cell-menu-button")
            page.get_by_role("menuitem", name="降序排序").click()
            page.wait_for_function("() => document.querySelector('#pq-table [role=row][aria-rowindex=\"2\"]')"
                                   ".innerText.includes('钢铁')")
            assert "12" in _first_row(page)  # 12 > 3.5 > 1.2: sorted as numbers, not as text
            page.fill(text_box("pq-table-filter"), "高端装备")
            page.wait_for_function("() => document.querySelector('#pq-table [role=grid]')"
                                   ".getAttribute('aria-rowcount') === '3'")
        assert "显示 2 / 3 行" in page.inner_text("#pq-table-note")
        assert "（3 行）" in page.inner_text("#pq-tab-docs")  # the summary counts rows as the note does
        shot(page, f"fake-docs-{_name(size)}")
        assert watch.problems() == []


@pytest.fixture(scope="module")
def many_url() -> Iterator[str]:
    port = free_port()
    log = ARTIFACTS / "server-many.log"
    with server(uvicorn_factory("tests.ui.fake_app:create_many", port), port, log=log, timeout=90) as url:
        yield url


def test_a_collection_of_66_documents_is_found_by_words_and_grouped_by_kind_or_year(many_url, size):
    with chromium_page(many_url, *size) as (page, watch):
        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-doc-list [data-doc]")
        assert "共 66 份文档" in page.inner_text("#pq-doc-list")
        assert page.locator("#pq-doc-list [data-doc]").count() == 66
        groups = page.locator("#pq-doc-list summary").all_inner_texts()
        assert len(groups) == 5 and "政府工作报告" in groups[0] and "17" in groups[0] and "其他" in groups[-1]
        box = page.locator("#pq-doc-list").bounding_box()
        assert box["height"] < 360  # the list scrolls in its own box; the document stays close below
        assert page.locator("#pq-outline [data-idx]").count() >= 1

        page.fill(text_box("pq-doc-find"), "福建省 意见")
        page.wait_for_function("() => document.querySelector('#pq-doc-list').innerText.includes('找到 8 / 66 份文档')")
        names = page.locator("#pq-doc-list [data-doc]").all_inner_texts()
        assert len(names) == 8 and all("福建省" in n and "意见" in n for n in names)

        page.get_by_label("按年份", exact=True).check()
        page.wait_for_function("() => document.querySelector('#pq-doc-list summary')?.innerText.includes('2025年')")
        years = page.locator("#pq-doc-list summary").all_inner_texts()
        assert years[0].startswith("2025年") and years[-1].startswith("年份不详")
        assert page.locator("#pq-doc-list [data-doc]").count() == 8  # the words still apply

        entry = page.locator("#pq-doc-list [data-doc]").first
        name = entry.inner_text().splitlines()[0].strip()
        entry.click()
        page.wait_for_function("(n) => document.querySelector('#pq-doc input').value === n", arg=name)
        wait_idle(page)
        assert page.input_value("#pq-doc input") == name
        assert "福建省第" in page.inner_text("#pq-section")
        assert page.locator("#pq-doc-list li.pq-sel").inner_text().startswith(name)
        shot(page, f"fake-doc-list-{_name(size)}")
        assert watch.problems() == []


def test_a_browser_set_to_english_still_gets_a_chinese_page(fake_url):
    with browser_page(*DESKTOP, locale="en-US") as (page, watch):
        page.goto(fake_url + "/ui/")
        page.wait_for_selector(text_box("pq-question"), state="attached")
        wait_idle(page)
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        page.get_by_role("tab", name="文档").click()
        page.wait_for_selector("#pq-table [data-testid=header-3]")
        page.hover("#pq-table [data-testid=header-3]")
        page.click("#pq-table [data-testid=header-3] .cell-menu-button")
        assert page.get_by_role("menuitem", name="降序排序").is_visible()  # Gradio's own menus too
        page.keyboard.press("Escape")
        search(page, "   ")
        toast = page.locator(".toast-body").first
        toast.wait_for()
        assert "提示" in toast.inner_text() and "Warning" not in toast.inner_text()
        assert watch.problems() == []


@pytest.fixture(scope="module")
def collection_url() -> Iterator[str]:
    port = free_port()
    log = ARTIFACTS / "server-collection.log"
    with server(uvicorn_factory("tests.ui.fake_app:create_collection", port), port, log=log, timeout=90) as url:
        yield url


def test_filters_by_year_region_and_kind_in_search_and_answers(collection_url, fake_url, size):
    with chromium_page(fake_url, *size) as (page, watch):  # one document: nothing to filter between
        search(page, "5G")
        page.wait_for_selector("#pq-results mark")
        assert page.locator("#pq-search-filters").is_hidden()
        assert watch.problems() == []

    with chromium_page(collection_url, *size) as (page, watch):
        search(page, "5G")
        page.wait_for_function("() => document.querySelector('#pq-summary').innerText.includes('共 3 处匹配')")
        assert page.locator("#pq-search-filters").is_visible()
        choose(page, "pq-search-year-from", "2019年")
        choose(page, "pq-search-kind", "政府工作报告")
        page.click("#pq-search")
        page.wait_for_function("() => document.querySelector('#pq-summary').innerText.includes('共 1 处匹配')")
        summary = page.inner_text("#pq-summary")
        assert "限于 2019年起 · 政府工作报告" in summary and "2019年示例市政府工作报告" in summary
        assert page.locator("#pq-results .pq-card").count() == 1
        assert "2019年示例市政府工作报告" in page.inner_text("#pq-results")
        shot(page, f"fake-search-filters-{_name(size)}")
        share = page.get_attribute("#pq-summary a.pq-share-link", "href")
        assert "year_from=2019" in share and "kind=" in share

        ask(page, "5G基站建多少？")
        page.click("#pq-ask-options button")  # the 选项 accordion holds the filters
        choose(page, "pq-ask-region", "示例市")
        page.fill(text_box("pq-question"), "5G基站建多少？")
        page.click("#pq-ask")
        bot = wait_answer(page, 2)
        assert "出自《2019年示例市政府工作报告》" in bot.inner_text()
        assert "2019年示例市政府工作报告" in page.inner_text("#pq-citations")
        shot(page, f"fake-ask-filters-{_name(size)}")
        assert watch.problems() == []

    with chromium_page(collection_url, *size, path=share) as (page, watch):  # the shared, filtered search
        page.wait_for_selector("#pq-results mark")
        assert page.locator("#pq-results mark").count() == 1
        assert page.input_value("#pq-search-year-from input") == "2019年"
        assert watch.problems() == []


@pytest.fixture(scope="module")
def reports_url() -> Iterator[str]:
    """The real runtime over excerpts of dated reports (exact search needs no model)."""
    port = free_port()
    log = ARTIFACTS / "server-reports.log"
    with server(uvicorn_factory("tests.ui.fake_app:create_reports", port), port, log=log, timeout=240) as url:
        yield url


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def test_the_timeline_of_a_phrase_draws_and_a_year_opens_its_matches(reports_url, size):
    api = _post(reports_url + "/api/timeline", {"query": "改革"})
    per_doc = _post(reports_url + "/api/search", {"query": "改革", "mode": "exact"})["per_doc"]
    assert {d["doc_id"]: d["count"] for d in api["documents"] if d["count"]} == per_doc
    y2019 = next(y for y in api["years"] if y["year"] == 2019)
    with chromium_page(reports_url, *size) as (page, watch):
        search(page, "改革")
        page.wait_for_selector("#pq-timeline button.pq-bar")
        wait_idle(page)
        said = page.inner_text("#pq-timeline .pq-tl-said")
        assert said == api["summary"] and said.startswith("“改革”首次出现于《2013年政府工作报告》")
        bars = page.locator("#pq-timeline button.pq-bar")
        assert [(b.get_attribute("data-year"), int(b.locator(".pq-bar-n").inner_text())) for b in bars.all()] == [
            (str(y["year"]), y["count"]) for y in api["years"]]
        # drawn to scale, side by side on one baseline, within the window (no sideways scrolling)
        drawn = page.evaluate("""() => [...document.querySelectorAll('#pq-timeline button.pq-bar')].map((b) => {
          const f = b.querySelector('.pq-bar-fill').getBoundingClientRect();
          const c = b.querySelector('.pq-bar-col').getBoundingClientRect();
          return [f.height / c.height, c.bottom, b.getBoundingClientRect().right]; })""")
        top = max(y["count"] for y in api["years"])
        for (share, bottom, right), y in zip(drawn, api["years"], strict=True):
            assert abs(share - y["count"] / top) < 0.02 and abs(bottom - drawn[0][1]) < 1 and right <= size[0]
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        rows = page.locator("#pq-summary table.pq-perdoc tbody tr td:first-child").all_inner_texts()
        assert rows == [d["name"] for d in api["documents"] if d["count"]]  # per document, in date order
        shot(page, f"reports-timeline-{_name(size)}")

        page.click('#pq-timeline button.pq-bar[data-year="2019"]')
        page.wait_for_selector("#pq-results .pq-year-head")
        wait_idle(page)
        assert page.get_attribute('#pq-timeline button.pq-bar[data-year="2019"]', "aria-pressed") == "true"
        assert page.inner_text("#pq-results .pq-year-head").startswith(f"2019年：共 {y2019['count']} 处")
        names = {d["name"] for d in api["documents"] if d["year"] == 2019 and d["count"]}
        assert set(page.locator("#pq-results .pq-card .pq-doc").all_inner_texts()) == names
        assert page.locator("#pq-results mark").count() == y2019["count"]
        assert in_viewport(page, "#pq-results .pq-year-head")
        shot(page, f"reports-timeline-2019-{_name(size)}")
        page.get_by_role("tab", name="关键词上下文").click()
        assert page.locator("#pq-kwic tbody tr").count() == y2019["count"]

        page.click("#pq-timeline button.pq-tl-all")  # back to every year, in the result list
        page.wait_for_function("() => !document.querySelector('#pq-results .pq-year-head')")
        wait_idle(page)
        assert page.get_by_role("tab", name="结果列表").get_attribute("aria-selected") == "true"
        assert page.locator("#pq-results mark").count() == api["total"]

        with page.expect_download() as dl:
            page.click("#pq-timeline-csv")
        table = list(csv.reader(Path(dl.value.path()).read_bytes().decode("utf-8-sig").splitlines()))
        assert tuple(table[0]) == DOC_COLUMNS
        assert [(r[1], int(r[4])) for r in table[1:]] == [(d["doc_id"], d["count"]) for d in api["documents"]]

        share = page.get_attribute("#pq-summary a.pq-share-link", "href")
        search(page, "改革", "关键词")  # ranked modes have no timeline
        page.wait_for_selector("#pq-notice .pq-phrase")
        assert page.locator("#pq-timeline").is_hidden() and page.locator("#pq-timeline-csv").is_hidden()
        assert watch.problems() == []

    with chromium_page(reports_url, *size, path=share) as (page, watch):  # the shared search has it too
        page.wait_for_selector("#pq-timeline button.pq-bar")
        wait_idle(page)
        page.click('#pq-timeline button.pq-bar[data-year="2013"]')
        page.wait_for_selector("#pq-results .pq-year-head")
        assert set(page.locator("#pq-results .pq-card .pq-doc").all_inner_texts()) == {"2013年政府工作报告"}
        assert watch.problems() == []


@pytest.fixture(scope="module")
def not_ready_url() -> Iterator[str]:
    port = free_port()
    log = ARTIFACTS / "server-not-ready.log"
    with server(uvicorn_factory("tests.ui.fake_app:create_not_ready", port), port, log=log, timeout=90) as url:
        yield url


def test_without_an_index_the_page_says_so_and_every_action_fails_gently(not_ready_url):
    with chromium_page(not_ready_url, path="/ui/?p=demo-plan%23p1.s0") as (page, watch):
        banner = page.locator("#pq-status .pq-banner")
        banner.wait_for()
        assert "索引尚未就绪" in banner.inner_text() and "planqa index" in banner.inner_text()
        ask(page, "5G基站有多少？")
        page.wait_for_function("() => document.querySelector('#pq-chat').innerText.includes('索引尚未就绪')")
        search(page, "5G")
        page.wait_for_selector("#pq-summary .pq-banner")
        assert "索引尚未就绪" in page.inner_text("#pq-summary")
        shot(page, "fake-not-ready")
        assert watch.problems() == []


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .opblock"), ("/redoc", "[role=navigation] li, .menu-content li")])
def test_api_docs_render_offline(fake_url, path, ready):
    with browser_page(*DESKTOP) as (page, watch):
        page.goto(fake_url + path)
        page.wait_for_selector(ready)
        assert "/api/search" in page.inner_text("body") or "search" in page.inner_text("body").lower()
        wait_idle(page)
        shot(page, f"fake-api{path.replace('/', '-')}")
        assert watch.problems() == [] and watch.blocked == []
