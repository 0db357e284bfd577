"""HTML of the 检索 tab's timeline: first and last appearance in words and a bar per year.

The chart is plain HTML and CSS drawn here (no plotting library, nothing fetched), so it works
offline and at any width; each bar is a button carrying its year, which the tab turns into that
year's matches. A year whose documents lack the phrase keeps its (empty, disabled) bar, so
absence is visible.
"""

from __future__ import annotations

from service.timeline import Timeline, YearCount
from ui.render import esc

MIN_DOCUMENTS = 2  # with one document there is no "over time" to show
CLICK_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-year]');
  if (!b || b.disabled) return;
  e.preventDefault();
  trigger('click', {year: b.dataset.year});
});
"""

# After a year is opened: bring its matches into view (on a phone they sit below the chart).
SHOW_RESULTS_JS = """() => {
  const r = document.querySelector('#pq-results');
  if (r && r.getBoundingClientRect().top > window.innerHeight * 0.6) r.scrollIntoView({block: 'start'});
}"""


def _bar(y: YearCount, top: int, selected: int | None) -> str:
    height = round(100 * y.count / top) if top else 0
    label = f"{y.year}年：{y.count} 处，{y.documents} 份文档中 {y.matched} 份含该词句"
    classes = "pq-bar" + (" pq-sel" if y.year == selected else "") + ("" if y.count else " pq-zero")
    return (f'<button type="button" class="{classes}" data-year="{y.year}" title="{esc(label)}" '
            f'aria-label="{esc(label)}" aria-pressed="{"true" if y.year == selected else "false"}"'
            f'{"" if y.count else " disabled"}>'
            f'<span class="pq-bar-n">{y.count}</span>'
            f'<span class="pq-bar-col"><span class="pq-bar-fill" style="height:{height}%"></span></span>'
            f'<span class="pq-bar-year">{y.year}</span></button>')


def timeline_html(t: Timeline | None, selected: int | None = None) -> str:
    """The sentence and the chart; empty when there is nothing over time to show."""
    if t is None or len(t.documents) < MIN_DOCUMENTS:
        return ""
    said = f'<p class="pq-tl-said">{esc(t.describe())}</p>'
    if not t.total or not t.years:
        return f'<section class="pq-timeline" aria-label="时间线">{said}</section>'
    top = max(y.count for y in t.years)
    bars = "".join(_bar(y, top, selected) for y in t.years)
    if selected is None:
        hint = '<span class="pq-tl-hint">点击年份，查看当年的全部匹配。</span>'
    else:
        hint = (f'<span class="pq-tl-hint">正在显示 {selected} 年的匹配。</span>'
                '<button type="button" class="pq-tl-all" data-year="">显示全部年份</button>')
    return (f'<section class="pq-timeline" aria-label="时间线">{said}'
            f'<div class="pq-tl-chart" role="group" aria-label="各年份出现次数">{bars}</div>'
            f'<div class="pq-tl-foot">{hint}</div></section>')


def year_heading(t: Timeline, year: int) -> str:
    """The line above a year's matches: how many, in how many of that year's documents."""
    y = t.year(year)
    if y is None:
        return f'<div class="pq-year-head">{year}年没有检索到的文档。</div>'
    names = "、".join(f"《{d.name}》{d.count} 处" for d in t.found if d.year == year)
    return (f'<div class="pq-year-head"><b>{year}年：共 {y.count} 处</b>'
            f"<span>（{y.documents} 份文档中 {y.matched} 份含该词句{'：' + esc(names) if names else ''}）</span></div>")

