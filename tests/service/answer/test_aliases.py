"""Short names resolve to the organisation they abbreviate, read from the documents themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest.model import Cell, Document, Table, TableRow
from service.answer.aliases import AliasIndex, abbreviates


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("首钢", "首都钢铁集团有限公司"),  # initials of the leading words
        ("中石化", "中国石油化工集团有限公司"),
        ("北大", "北京大学"),
        ("飞鸽", "上海飞鸽自行车工业有限公司"),  # the name without region and legal form
        ("经开区", "滨海经开区"),  # a tail after a place prefix
        ("钢铁集团", "首都钢铁集团有限公司"),
    ],
)
def test_abbreviations(short: str, full: str) -> None:
    assert abbreviates(short, full)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("公司", "首都钢铁集团有限公司"),  # a legal form is no name
        ("有限", "首都钢铁集团有限公司"),
        ("上海", "上海飞鸽自行车工业有限公司"),  # a place alone is no name
        ("项目", "自动化电动机设备研发组装项目"),  # a generic head is no tail alias
        ("钢首", "首都钢铁集团有限公司"),  # initials out of order
    ],
)
def test_not_abbreviations(short: str, full: str) -> None:
    assert not abbreviates(short, full)


def _doc(companies: list[str]) -> Document:
    rows = tuple(
        TableRow("t1", i, (), (Cell("项目名称", f"项目{i}"), Cell("项目法人", c))) for i, c in enumerate(companies)
    )
    table = Table("t1", "d", "重大项目表", (), ("项目名称", "项目法人"), None, (), rows, (0, 1))
    return Document("d", "规划", "d.txt", "正文。", tables=(table,))


def test_expand_replaces_a_short_name_with_the_dominant_full_name() -> None:
    idx = AliasIndex.from_documents([_doc(["华北钢铁集团有限公司"] * 3 + ["华北钢管制造有限公司"])])
    text, done = idx.expand("华钢的项目有几个？", known=lambda w: w in ("项目", "的", "有", "几个"))
    assert text == "华北钢铁集团有限公司的项目有几个？"
    assert done == {"华钢": "华北钢铁集团有限公司"}


def test_expand_leaves_an_ambiguous_short_name_alone() -> None:
    idx = AliasIndex.from_documents([_doc(["华北钢铁集团有限公司", "华北钢管制造有限公司"])])
    assert idx.expand("华钢的项目有几个？")[0] == "华钢的项目有几个？"


def test_expand_keeps_a_short_name_the_corpus_uses_and_adds_the_full_one() -> None:
    idx = AliasIndex.from_documents([_doc(["华北钢铁集团有限公司"])])
    assert idx.expand("华钢的项目", known=lambda w: w == "华钢")[0] == "华钢（华北钢铁集团有限公司）的项目"


def test_a_common_word_is_nobodys_short_name() -> None:
    idx = AliasIndex.from_documents([_doc(["春利达新能源科技发展有限公司"])])
    assert idx.expand("新能源汽车有多少辆？")[0] == "新能源汽车有多少辆？"


def test_a_common_word_is_common_before_the_segmenter_has_loaded_its_dictionary() -> None:
    """The check reads the dictionary however early it is asked (a fresh process, nothing segmented yet)."""
    code = "from service.answer.aliases import _common_word; print(_common_word('智能'), _common_word('华钢'))"
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == ["True", "False"]
