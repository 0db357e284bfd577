"""Row filters stated in a question: category, company, years, amount threshold, cell values.

"高端装备制造类", "上海申能热电有限公司的", "建设起止年限为2021-2023年", "2022年开工",
"预计总投资5亿元以上", "超过10亿元", "社会投资的" each become a predicate over typed rows;
``describe`` says them back in the answer so the reader sees what was counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from index.textnorm import normalize
from ingest.model import TableRow
from service.answer import text as T
from service.answer.tables.columns import TableView, category_label, column_label

_CO_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司|[（(][\u4e00-\u9fff]{2,3}[)）]|"
    r"^[\u4e00-\u9fff]{2,3}(?:省|市)|中国)"
)
_CO_GENERIC = T.words(
    "科技 发展 有限 公司 集团 技术 工业 中国 投资 电气 新材料 智能 制造 研究 新能源 科技发展 医疗 生物 "
    "材料 汽车 电子 信息 机械 设备 电力 环保 能源 检测 航空 航天 精密 智造 生物科技 新能源科技"
)

_UNIT_SCALE = {"亿元": Decimal(1), "亿": Decimal(1), "万元": Decimal("0.0001"), "万": Decimal("0.0001"), "元": Decimal("1e-8")}

_GE = ("以上", "及以上", "或以上", "之上", "不少于", "不低于", "至少", "≥", ">=")
_GT = ("超过", "高于", "大于", "多于", "逾", ">")
_LE = ("以下", "及以下", "以内", "之内", "不超过", "不高于", "≤", "<=")
_LT = ("低于", "少于", "小于", "不足", "不到", "<")

_THRESH_AFTER = re.compile(r"(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万)?\s*(及以上|或以上|以上|之上|及以下|以下|以内|之内)")
_THRESH_BEFORE = re.compile(
    r"(不少于|不低于|至少|超过|高于|大于|多于|低于|少于|小于|不足|不到|不超过|不高于|>=|<=|≥|≤|>|<)\s*"
    r"(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万)?"
)
_BETWEEN = re.compile(r"(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万)?\s*(?:到|至|-|~|～)\s*(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万)\s*之间?")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*(?:-|–|—|~|～|至|到)\s*((?:19|20)\d{2}|未知)(?!\d)")
_YEAR_CUE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年?\s*(底|末|年底|年末)?\s*"
    r"(以后|之后|以来|起|以前|之前|前|后)?\s*(?:才|就|已|已经|正式|开始|将)?\s*"
    r"(开工|开始建设|启动|开建|动工|完工|竣工|建成|完成|结束|投产|在建|建设中|实施)?"
)


def unit_scale(unit: str | None, table_unit: str | None) -> Decimal:
    """Factor that turns an amount in ``unit`` into ``table_unit`` (1 when either is unknown)."""
    q = _UNIT_SCALE.get(unit or "")
    t = _UNIT_SCALE.get(table_unit or "")
    if q is None or t is None:
        return Decimal(1)
    return q / t


@dataclass
class Filters:
    """Predicates over rows, with the question text each one used."""

    categories: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)
    year_tests: list[tuple[str, Callable[[TableRow, TableView], bool]]] = field(default_factory=list)
    threshold: tuple[str, Decimal, Decimal, str, str] | None = None  # op, low, high, unit, which column
    threshold_column: str | None = None
    consumed: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    exact_company: bool = False

    @property
    def has_row_filter(self) -> bool:
        return bool(self.categories or self.companies or self.values or self.year_tests or self.threshold)

    @property
    def is_empty(self) -> bool:
        return not self.has_row_filter

    def column_in(self, v: TableView) -> str | None:
        """The amount column the threshold applies to, in this table."""
        if self.threshold is None:
            return None
        return v.period_col if self.threshold[4] == "period" else (v.total_col or v.period_col)

    def describe(self) -> str:
        return "、".join(self.phrases)

    def accepts(self, v: TableView, r: TableRow) -> bool:
        if self.categories:
            labels = {category_label(c) for c in r.category}
            if not any(c in labels for c in self.categories):
                return False
        if self.companies:
            co = normalize(v.cell_text(r, v.company_col))
            if not any(c in co for c in self.companies):
                return False
        for header, value in self.values:
            if normalize(v.cell_text(r, header)) != value:
                return False
        for _, test in self.year_tests:
            if not test(r, v):
                return False
        if self.threshold is not None:
            op, lo, hi, unit, _ = self.threshold
            col = self.column_in(v)
            c = r.cell(col) if col else None
            amount = T.to_decimal(c.text) if c is not None else None
            if amount is None and c is not None and c.number is not None:
                amount = T.to_decimal(c.number)
            if amount is None:
                return False
            scale = unit_scale(unit, v.table.unit)
            lo_t, hi_t = lo * scale, hi * scale
            ok = {
                "ge": amount >= lo_t,
                "gt": amount > lo_t,
                "le": amount <= lo_t,
                "lt": amount < lo_t,
                "between": lo_t <= amount <= hi_t,
            }[op]
            if not ok:
                return False
        return True


def _years_of(r: TableRow, v: TableView) -> tuple[int | None, int | None, bool]:
    c = r.cell(v.years_col) if v.years_col else None
    if c is None:
        return None, None, False
    if c.start_year is None:
        ys = T.years(c.text)
        return (ys[0] if ys else None), (ys[1] if len(ys) > 1 else None), "未知" in c.text
    return c.start_year, c.end_year, c.open_end


def _year_filters(q: str, f: Filters) -> None:
    for m in _RANGE.finditer(q):
        a = int(m.group(1))
        b_text = m.group(2)
        b = None if b_text == "未知" else int(b_text)
        tail = q[m.end() : m.end() + 8]
        if re.search(r"开工|开始|启动", tail) and b is not None:
            f.year_tests.append((m.group(0), lambda r, v, a=a, b=b: (s := _years_of(r, v)[0]) is not None and a <= s <= b))
            f.phrases.append(f"{a}至{b}年间开工")
        elif re.search(r"完工|竣工|建成|完成|结束", tail) and b is not None:
            f.year_tests.append((m.group(0), lambda r, v, a=a, b=b: (e := _years_of(r, v)[1]) is not None and a <= e <= b))
            f.phrases.append(f"{a}至{b}年间完工")
        else:
            def exact(r: TableRow, v: TableView, a: int = a, b: int | None = b) -> bool:
                s, e, open_end = _years_of(r, v)
                return s == a and (e == b if b is not None else (e is None and open_end))

            f.year_tests.append((m.group(0), exact))
            f.phrases.append(f"建设起止年限为{a}-{b_text}")
        f.consumed.append(m.group(0))
    if f.year_tests:
        return
    for m in _YEAR_CUE.finditer(q):
        y = int(m.group(1))
        end_of, rel, verb = m.group(2), m.group(3), m.group(4)
        if not (rel or verb):
            continue
        verb = verb or "开工"
        starts = verb in ("开工", "开始建设", "启动", "开建", "动工")
        ends = verb in ("完工", "竣工", "建成", "完成", "结束", "投产")
        ongoing = verb in ("在建", "建设中", "实施")
        # "2021年以后开工" counts 2021; "2021年以前" does not; "2022年底前完工" counts 2022
        after = rel in ("以后", "之后", "以来", "起", "后")
        before = rel in ("以前", "之前", "前")

        def test(r: TableRow, v: TableView, y: int = y, starts: bool = starts, ends: bool = ends,
                 ongoing: bool = ongoing, after: bool = after, before: bool = before,
                 rel: str | None = rel, end_of: str | None = end_of) -> bool:
            s, e, open_end = _years_of(r, v)
            if ongoing:
                return s is not None and s <= y and (open_end or (e is not None and e >= y))
            val = s if starts else e
            if val is None:
                return False
            if after:
                return val >= y
            if before:
                return val <= y if end_of else val < y
            return val == y

        f.year_tests.append((m.group(0), test))
        word = "开工" if starts else ("完工" if ends else "在建")
        rel_word = {"以后": "（含）以后", "之后": "（含）以后", "后": "（含）以后", "以来": "起", "起": "起",
                    "以前": "以前", "之前": "以前", "前": "前"}.get(rel or "", "")
        f.phrases.append(f"{y}年{'底' if end_of else ''}{rel_word}{word}")
        f.consumed.append(m.group(0))


def _threshold(q: str, f: Filters, views: list[TableView]) -> None:
    which = "period" if re.search(r"十[一二三四五六七八九]五|期间投资|时期投资|期内", q) else "total"
    got: tuple[str, Decimal, Decimal, str] | None = None
    span = ""
    m = _BETWEEN.search(q)
    if m:
        lo, hi = Decimal(m.group(1)), Decimal(m.group(3))
        got, span = ("between", min(lo, hi), max(lo, hi), m.group(4)), m.group(0)
    if got is None:
        for m in _THRESH_AFTER.finditer(q):
            unit = m.group(2)
            before = q[max(0, m.start() - 6) : m.start()]
            if unit is None and not re.search(r"投资|金额", before):
                continue
            op = "ge" if m.group(3) in _GE else "le"
            val = Decimal(m.group(1))
            got, span = (op, val, val, unit or ""), m.group(0)
            break
    if got is None:
        for m in _THRESH_BEFORE.finditer(q):
            unit = m.group(3)
            before = q[max(0, m.start() - 6) : m.start()]
            if unit is None and not re.search(r"投资|金额", before):
                continue
            word = m.group(1)
            op = "ge" if word in _GE else "gt" if word in _GT else "le" if word in _LE else "lt"
            val = Decimal(m.group(2))
            got, span = (op, val, val, unit or ""), m.group(0)
            break
    if got is None:
        return
    op, lo, hi, unit = got
    f.threshold = (op, lo, hi, unit, which)
    v0 = views[0]
    f.threshold_column = v0.period_col if which == "period" else (v0.total_col or v0.period_col)
    col = column_label(f.threshold_column or "投资")
    shown = unit or (v0.table.unit or "")
    words = {"ge": "及以上", "gt": "以上（不含本数）", "le": "及以下", "lt": "以下（不含本数）"}
    if op == "between":
        f.phrases.append(f"{col}在{T.fmt_decimal(lo)}至{T.fmt_decimal(hi)}{shown}之间")
    else:
        f.phrases.append(f"{col}{T.fmt_decimal(lo)}{shown}{words[op]}")
    f.consumed.append(span)


def _category_filters(q: str, f: Filters, views: list[TableView]) -> None:
    labels = list(dict.fromkeys(c for v in views for c in v.categories))
    for lab in sorted(labels, key=len, reverse=True):
        hit = False
        if (len(lab) >= 3 and lab in q) or (
            len(lab) == 2 and re.search(re.escape(lab) + r"(类|产业|领域|方面|板块)", q)
        ):
            hit = True
        else:
            for seg in re.split(r"[与和及、]", lab):
                if len(seg) >= 3 and seg != lab and seg in q and not any(seg in o for o in labels if o != lab):
                    hit = True
                    break
        if hit and not any(lab in c for c in f.categories):
            f.categories.append(lab)
            f.consumed.append(lab)
    if f.categories:
        f.phrases.append("、".join(f"“{c}”" for c in f.categories) + "类")


def _company_filters(q: str, f: Filters, views: list[TableView]) -> None:
    names = sorted({normalize(v.cell_text(r, v.company_col)) for v in views for r in v.data_rows if v.company_col})
    names = [n for n in names if n]
    full = [n for n in names if n in q]
    if full:
        full = [n for n in full if not any(n != o and n in o for o in full)]
        f.companies.extend(full)
        f.consumed.extend(full)
        f.exact_company = True
        f.phrases.append("项目法人为" + "、".join(full))
        return
    best = ""
    for n in names:
        # "首都钢铁集团" names 首都钢铁集团有限公司; "飞鸽" names 上海飞鸽自行车工业有限公司
        common = _trim_suffix(_lcs_simple(q, n), n)
        core = _CO_SUFFIX.sub("", common)
        strong = (len(common) >= 4 and len(core) >= 2) or len(core) >= 3
        if strong and core not in _CO_GENERIC and len(common) > len(best):
            owners = {o for o in names if common in o}
            if len(owners) <= 2:
                best = common
    if best:
        f.companies.append(best)
        f.consumed.append(best)
        f.phrases.append(f"项目法人含“{best}”")


_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")


def _trim_suffix(common: str, name: str) -> str:
    """Drop a cut-off legal form: "首都钢铁集团有" (from "…有几个项目") → "首都钢铁集团"."""
    at = name.find(common)
    if at < 0:
        return common
    rest = name[at:]
    for form in _LEGAL_FORMS:
        for k in range(len(form) - 1, 0, -1):
            if common.endswith(form[:k]) and rest[len(common) - k :].startswith(form):
                return common[:-k]
    return common


def _lcs_simple(a: str, b: str) -> str:
    best = ""
    for i in range(len(b)):
        for j in range(i + len(best) + 1, len(b) + 1):
            if b[i:j] in a:
                best = b[i:j]
            else:
                break
    return best


def _value_filters(q: str, f: Filters, views: list[TableView]) -> None:
    for v in views:
        for h in v.kind_cols:
            values = {normalize(v.cell_text(r, h)) for r in v.data_rows}
            # a header like "政府投资或社会投资" names the values a column may take, used or not
            options = [o for o in re.split(r"或|、|/|／", normalize(h)) if len(o) >= 2]
            if len(options) > 1:
                values |= set(options)
            for val in sorted(values, key=len, reverse=True):
                if len(val) >= 2 and val in q and (h, val) not in f.values:
                    # "政府投资或社会投资" in the question names the column, not a value
                    if normalize(h) in q and len(values) > 1 and q.count(val) == normalize(h).count(val):
                        continue
                    f.values.append((h, val))
                    f.consumed.append(val)
                    f.phrases.append(f"{column_label(h)}为“{val}”")


def _masked(q: str, used: list[str]) -> str:
    for u in sorted(used, key=len, reverse=True):
        if u:
            q = q.replace(u, "　" * len(u))
    return q


def parse_filters(q: str, views: list[TableView]) -> Filters:
    """All row filters a (normalised) question states."""
    f = Filters()
    if not views:
        return f
    _category_filters(q, f, views)
    rest = _masked(q, f.consumed)  # a category name is not also a company name
    _company_filters(rest, f, views)
    _value_filters(_masked(rest, f.consumed), f, views)
    _year_filters(q, f)
    _threshold(q, f, views)
    return f
