"""Document identity: title, issuer, date and year, region, number, kind, period."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from ingest.errors import IngestError
from ingest.govdoc import five_year_period, matches_region, plan_period
from ingest.identity import distinct_names, with_distinct_names
from ingest.pipeline import ingest_file, ingest_paths, ingest_text
from service.cli import app

from .conftest import REPO

EXPECTED = json.loads((Path(__file__).parent / "data" / "identities.json").read_text(encoding="utf-8"))
runner = CliRunner()

REPORT = "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n{review}\n{body}\n二、对今年政府工作的建议\n今年要稳中求进。\n"


def test_a_national_report_is_titled_and_dated_by_its_header():
    text = "政府工作报告\n——2019年3月5日在第十三届全国人民代表大会第二次会议上\n国务院总理 李克强\n各位代表：\n一、2018年工作回顾\n过去一年很不平凡。\n"
    doc = ingest_text("r", None, text)
    i = doc.identity
    assert (doc.title, doc.name) == ("2019年政府工作报告", "2019年政府工作报告")
    assert (i.year, i.date, i.region, i.issuer, i.kind) == (2019, "2019-03-05", "全国", "国务院", "政府工作报告")
    assert i.origin["title"] == "text"


def test_a_report_without_header_is_dated_by_the_year_it_reviews():
    doc = ingest_text("r", None, REPORT.format(review="一、2013年工作回顾", body="过去一年经济平稳。"))
    assert (doc.title, doc.identity.year) == ("2014年政府工作报告", 2014)


def test_a_review_heading_without_a_year_dates_by_the_latest_year_reported_not_a_target():
    body = "2022年是极为重要的一年。到2025年基本实现目标，2021年开局良好。"
    doc = ingest_text("r", None, REPORT.format(review="一、过去一年和五年工作回顾", body=body))
    assert doc.identity.year == 2023


def test_a_spaced_title_is_closed_up_and_a_district_report_names_its_district():
    text = ("政 府 工 作 报 告\n——2016年2月19日在海拉尔区第十四届人民代表大会第五次会议上\n"
            "海拉尔区人民政府区长　　杜联合\n各位代表：\n一、工作回顾\n正文。\n")
    doc = ingest_text("hailar", None, text)
    i = doc.identity
    assert doc.title == "2016年海拉尔区政府工作报告"
    assert (i.region, i.issuer, i.date) == ("海拉尔区", "海拉尔区人民政府", "2016-02-19")


def test_a_notice_has_its_number_issuer_signature_date_and_kind():
    text = ("国务院办公厅关于印发某某工作方案的通知\n国办发〔2018〕128号\n各省、自治区、直辖市人民政府：\n"
            "现将方案印发给你们，请认真贯彻执行。\n国务院办公厅\n二〇一八年十二月二十九日\n（此件公开发布）\n")
    i = ingest_text("n", None, text).identity
    assert (i.doc_number, i.issuer, i.date, i.year, i.kind, i.region) == (
        "国办发〔2018〕128号", "国务院办公厅", "2018-12-29", 2018, "通知", "全国")


def test_a_plan_title_gives_region_kind_and_period():
    doc = ingest_text("p", "天津市东丽区“十四五”工业发展规划", "一、发展回顾\n正文。\n")
    i = doc.identity
    assert (i.region, i.kind, i.period, i.year) == ("天津市东丽区", "规划", (2021, 2025), 2021)
    assert plan_period("某市数字经济发展规划（2021—2025年）") == (2021, 2025)
    assert plan_period("中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要") == (2021, 2025)
    assert five_year_period(13) == (2016, 2020)


def test_the_sidecar_overrides_every_field_and_keeps_its_other_fields(tmp_path):
    (tmp_path / "r.txt").write_text("政府工作报告\n——2019年3月5日在第十三届全国人民代表大会第二次会议上\n各位代表：\n正文。\n",
                                   encoding="utf-8")
    (tmp_path / "r.meta.json").write_text(json.dumps({
        "name": "2019年国务院报告", "issuer": "国务院", "region": "全国", "kind": "政府工作报告",
        "doc_number": "无", "date": "2019-03-05", "period": "2019-2020", "source_url": "http://example",
    }), encoding="utf-8")
    doc = ingest_file(tmp_path / "r.txt")
    i = doc.identity
    assert doc.title == "2019年政府工作报告" and doc.name == "2019年国务院报告"
    assert (i.doc_number, i.period, i.year) == ("无", (2019, 2020), 2019)
    assert i.origin["name"] == "sidecar" and i.origin["title"] == "text"
    assert doc.meta["source_url"] == "http://example"


def test_a_sidecar_title_is_used_as_it_is(tmp_path):
    (tmp_path / "r.txt").write_text("政府工作报告\n——2019年3月5日在大会上\n各位代表：\n正文。\n", encoding="utf-8")
    (tmp_path / "r.meta.json").write_text('{"title": "政府工作报告"}', encoding="utf-8")
    assert ingest_file(tmp_path / "r.txt").title == "政府工作报告"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("year", "去年", "'year' must be a year such as 2021, not '去年'"),
    ("year", 12, "'year' must be a year such as 2021, not 12"),
    ("period", "明年", "'period' must be like \"2021-2025\", not '明年'"),
    ("date", "soon", "'date' must be like \"2019-03-05\", not 'soon'"),
    ("region", 5, "'region' must be text, not 5"),
])
def test_a_bad_sidecar_value_is_refused_naming_the_file(tmp_path, field, value, message):
    (tmp_path / "r.txt").write_text("正文。\n", encoding="utf-8")
    (tmp_path / "r.meta.json").write_text(json.dumps({field: value}), encoding="utf-8")
    report = ingest_paths([tmp_path])
    [err] = report.errors
    assert err.path == str(tmp_path / "r.meta.json")
    assert err.reason == f"invalid metadata file ({message})"
    with pytest.raises(IngestError):
        ingest_file(tmp_path / "r.txt")


def test_the_docx_core_title_is_used_without_a_title_line(tmp_path):
    d = docx.Document()
    d.core_properties.title = "Microsoft Word - 某区数字经济发展规划.docx"
    d.add_paragraph("一、发展基础")
    d.add_paragraph("正文。")
    d.save(tmp_path / "plan.docx")
    doc = ingest_file(tmp_path / "plan.docx")
    assert doc.title == "某区数字经济发展规划" and doc.identity.origin["title"] == "properties"


def test_names_are_made_distinct_within_a_collection():
    a = ingest_text("a", "政府工作报告", "——2019年3月5日在大会上\n正文。\n")
    b = ingest_text("b", "政府工作报告", "——2020年5月22日在大会上\n正文。\n")
    c = ingest_text("c", "政府工作报告", "正文。\n")
    assert distinct_names([a, b, c]) == {
        "a": "政府工作报告（2019-03-05）", "b": "政府工作报告（2020-05-22）", "c": "政府工作报告（c）"}
    assert [d.name for d in with_distinct_names([a, b, c])] == list(distinct_names([a, b, c]).values())


def test_a_region_filter_reads_short_and_full_names():
    assert matches_region("安徽", "安徽省") and matches_region("安徽省", "安徽省")
    assert matches_region("广西", "广西壮族自治区") and matches_region("东丽区", "天津市东丽区")
    assert matches_region("全国", "全国") and not matches_region("全国", "安徽省")
    assert not matches_region("安徽", "全国") and not matches_region("安徽", None)


# ---- every shared document -----------------------------------------------------------------------


def _ingest_json(paths: list[Path]) -> dict[str, dict]:
    result = runner.invoke(app, ["ingest", "--json", *map(str, paths)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["errors"] == []
    return {Path(d["source"]).name: d for d in data["documents"]}


def test_every_shared_document_has_a_distinct_correct_title_and_year(shared_dir):
    roots = {"policy_docs": shared_dir / "evaldata" / "policy_docs", "gov_docs": shared_dir / "evaldata" / "gov_docs",
             "corpus": REPO / "corpus"}
    files = {f"{k}/{f.name}": f for k, root in roots.items() for f in sorted(root.iterdir())
             if f.suffix in (".txt", ".docx") and f.name.lower() != "readme.md"}
    texts = [f for key, f in files.items() if f.suffix == ".txt"]
    assert {k for k in files if k.endswith(".txt")} == set(EXPECTED)
    got = _ingest_json(texts)
    for key, want in EXPECTED.items():
        summary = got[files[key].name]
        seen = {k: summary[k] for k in want}
        if seen.get("period") is not None:
            seen["period"] = list(seen["period"])
        assert seen == want, key
    names = [d["name"] for d in got.values()]
    assert len(set(names)) == len(names) == len(EXPECTED)
    # each .docx is the same document as the .txt beside it, and named the same
    docx_files = [f for f in files.values() if f.suffix == ".docx"]
    assert len(docx_files) == 20
    for name, summary in _ingest_json(docx_files).items():
        twin = got[name.replace(".docx", ".txt")]
        assert {k: summary[k] for k in ("title", "year", "date", "region", "issuer", "kind")} == {
            k: twin[k] for k in ("title", "year", "date", "region", "issuer", "kind")}
