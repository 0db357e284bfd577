"""A small English → Chinese lexicon of plan-document vocabulary.

Retrieval of English questions is cross-lingual through the dense model, but a small model
misses often; the lexicon gives a Chinese keyword query for BM25, lets an English question pick
the sentence that answers it, and lets "not in the document" be checked on the asked-for noun.
Phrases are matched before single words.
"""

from __future__ import annotations

import re

_PHRASES = {
    "added value": "增加值",
    "value added": "增加值",
    "industrial added value": "工业增加值",
    "above designated size": "规模以上",
    "designated size": "规模以上",
    "leading industries": "主导产业",
    "leading industry": "主导产业",
    "leading enterprises": "龙头企业",
    "leading companies": "龙头企业",
    "pillar industries": "支柱产业",
    "base station": "基站",
    "base stations": "基站",
    "medical device": "医疗器械",
    "medical devices": "医疗器械",
    "new materials": "新材料",
    "new material": "新材料",
    "new energy vehicles": "新能源汽车",
    "new energy vehicle": "新能源汽车",
    "new energy": "新能源",
    "intelligent connected vehicles": "智能网联汽车",
    "connected vehicles": "智能网联汽车",
    "autonomous driving": "自动驾驶",
    "self-driving": "自动驾驶",
    "industrial internet": "工业互联网",
    "industrial park": "园区",
    "industrial parks": "园区",
    "industrial cluster": "产业集群",
    "industrial clusters": "产业集群",
    "industry cluster": "产业集群",
    "industry clusters": "产业集群",
    "green factory": "绿色工厂",
    "green factories": "绿色工厂",
    "high-tech": "高新技术",
    "high tech": "高新技术",
    "high-end equipment": "高端装备",
    "high-end": "高端",
    "high end": "高端",
    "equipment manufacturing": "装备制造",
    "strategic emerging": "战略性新兴",
    "emerging industries": "新兴产业",
    "five-year plan": "五年",
    "14th five-year": "十四五",
    "13th five-year": "十三五",
    "energy consumption": "能耗",
    "energy saving": "节能",
    "carbon peak": "碳达峰",
    "carbon neutrality": "碳中和",
    "total investment": "总投资",
    "total output": "总产值",
    "output value": "产值",
    "gross output": "总产值",
    "technology center": "技术中心",
    "technology centers": "技术中心",
    "charging facilities": "充电设施",
    "charging piles": "充电桩",
    "fuel cell": "燃料电池",
    "fuel cells": "燃料电池",
    "hydrogen energy": "氢能",
    "smart manufacturing": "智能制造",
    "intelligent manufacturing": "智能制造",
    "economic development zone": "经开区",
    "development zone": "经开区",
    "high-tech zone": "高新区",
    "airport economic zone": "临空经济区",
    "talent": "人才",
    "business environment": "营商环境",
    "production safety": "安全生产",
    "work safety": "安全生产",
    "unemployment rate": "失业率",
    "housing price": "房价",
    "house prices": "房价",
    "per capita": "人均",
    "rely on": "依托",
    "relies on": "依托",
    "relying on": "依托",
    "depend on": "依托",
    "depends on": "依托",
    "based on": "依托",
    "key elements": "关键要素",
    "key components": "关键零部件",
    "key parts": "关键零部件",
    "public transport": "公交",
    "bus": "公交",
}

_WORDS = {
    "industry": "产业", "industries": "产业", "industrial": "工业", "leading": "主导", "pillar": "支柱",
    "target": "目标", "targets": "目标", "goal": "目标", "goals": "目标", "objective": "目标",
    "investment": "投资", "invest": "投资", "invested": "投资", "project": "项目", "projects": "项目",
    "enterprise": "企业", "enterprises": "企业", "company": "企业", "companies": "企业", "firms": "企业",
    "firm": "企业", "growth": "增长", "grow": "增长", "increase": "增长", "output": "产值",
    "gdp": "生产总值", "park": "园区", "parks": "园区", "cluster": "集群", "clusters": "集群",
    "manufacturing": "制造", "equipment": "装备", "materials": "材料", "material": "材料",
    "biomedicine": "生物医药", "biomedical": "生物医药", "pharmaceutical": "制药", "pharmaceuticals": "制药",
    "medicine": "医药", "medical": "医疗", "devices": "器械", "automobile": "汽车", "automotive": "汽车",
    "vehicle": "汽车", "vehicles": "汽车", "car": "汽车", "cars": "汽车", "intelligent": "智能",
    "smart": "智能", "green": "绿色", "energy": "能源", "carbon": "碳", "steel": "钢铁", "aviation": "航空",
    "aerospace": "航空航天", "robot": "机器人", "robots": "机器人", "robotics": "机器人",
    "innovation": "创新", "technology": "技术", "technologies": "技术", "digital": "数字",
    "internet": "互联网", "cloud": "云", "stations": "基站", "5g": "5G", "development": "发展",
    "principles": "原则", "principle": "原则", "layout": "布局", "spatial": "空间", "tasks": "任务",
    "measures": "措施", "safety": "安全", "talents": "人才", "brand": "品牌", "brands": "品牌",
    "quality": "质量", "standard": "标准", "standards": "标准", "infrastructure": "基础设施",
    "advanced": "先进", "strategic": "战略", "emerging": "新兴", "hydrogen": "氢", "battery": "电池",
    "batteries": "电池", "welding": "焊接", "fiber": "纤维", "fibre": "纤维", "airport": "机场",
    "logistics": "物流", "environment": "环境", "land": "土地", "funding": "资金", "funds": "资金",
    "population": "人口", "residents": "人口", "unemployment": "失业", "tourism": "旅游",
    "agriculture": "农业", "university": "高校", "universities": "高校", "school": "学校",
    "schools": "学校", "hospital": "医院", "hospitals": "医院", "housing": "住房", "income": "收入",
    "revenue": "营收", "tax": "税收", "taxes": "税收", "export": "出口", "exports": "出口",
    "import": "进口", "imports": "进口", "foreign": "外资", "trade": "贸易", "consumption": "消费",
    "retail": "零售", "finance": "金融", "financial": "金融", "employment": "就业", "jobs": "就业",
    "emissions": "排放", "emission": "排放", "pollution": "污染", "water": "水", "electricity": "电",
    "power": "电力", "coverage": "覆盖率", "reliability": "可靠率", "rate": "率", "share": "比重",
    "proportion": "比重", "percentage": "比重", "annual": "年均", "average": "平均", "total": "总",
    "number": "数量", "scale": "规模", "capacity": "产能", "production": "生产", "products": "产品",
    "product": "产品", "services": "服务", "service": "服务", "platform": "平台", "platforms": "平台",
    "zone": "区", "district": "区", "city": "市", "chip": "芯片", "chips": "芯片", "drone": "无人机",
    "drones": "无人机", "bicycle": "自行车", "bicycles": "自行车", "tobacco": "卷烟", "cigarette": "卷烟",
    "railway": "铁路", "rail": "轨道", "graphene": "石墨烯", "semiconductor": "半导体",
    "transformation": "转型", "transform": "转型", "upgrading": "升级", "upgrade": "升级",
    "completed": "完成", "complete": "完成", "build": "建设", "built": "建设", "construct": "建设",
    "construction": "建设", "achieve": "实现", "achieved": "实现", "reach": "达到", "form": "形成",
    "cultivate": "培育", "introduce": "引进", "attract": "引进", "promote": "推动", "accelerate": "加快",
    "strengthen": "强化", "improve": "提升", "reform": "改革", "cooperation": "合作", "coordination": "协同",
    "market": "市场", "government": "政府", "policy": "政策", "policies": "政策", "plan": "规划",
    "application": "应用", "applications": "应用", "scenario": "场景", "scenarios": "场景", "test": "测试",
    "testing": "测试", "road": "道路", "roads": "道路", "challenge": "挑战赛", "competition": "挑战赛",
    "driving": "驾驶", "cloud-based": "上云", "headquarters": "总部", "base": "基地", "center": "中心",
    "centre": "中心", "laboratory": "实验室", "research": "研发", "r&d": "研发", "equity": "股权",
    "state-owned": "国有", "private": "民营", "small": "中小", "medium": "中小", "specialized": "专精特新",
    "champion": "单项冠军", "champions": "单项冠军", "benchmark": "示范", "demonstration": "示范",
    "pilot": "试点", "certification": "认证", "inspection": "检测", "standardization": "标准",
    "steelmaking": "炼钢", "ironmaking": "炼铁", "coking": "炼焦", "emission-reduction": "减排",
    "factory": "工厂", "factories": "工厂", "workshop": "车间", "efficiency": "效率", "cost": "成本",
    "costs": "成本", "profit": "利税", "value-added": "增加值", "rate-of": "率", "added-value": "增加值",
    "sulfur": "二氧化硫", "dust": "粉尘", "coke": "焦炭", "electric": "电动", "motor": "电机", "motors": "电机",
    "overall": "总体", "positioning": "定位", "position": "定位", "orientation": "定位",
    "principal": "主要", "main": "主要", "key": "重点", "priority": "重点", "priorities": "重点",
    "guarantee": "保障", "guarantees": "保障", "safeguard": "保障", "safeguards": "保障",
    "pattern": "格局", "core": "核心",
    "one": "一", "two": "二", "three": "三", "four": "四", "five": "五", "six": "六", "seven": "七",
    "eight": "八", "nine": "九", "ten": "十", "hundred": "百", "thousand": "千", "billion": "亿",
}


def translate(text: str) -> list[str]:
    """Chinese keywords for the known English words and phrases of ``text``, in order."""
    low = " " + re.sub(r"[^a-z0-9\-\s']", " ", text.lower()) + " "
    found: list[tuple[int, str]] = []
    for phrase in sorted(_PHRASES, key=len, reverse=True):
        for m in re.finditer(rf"(?<=\s){re.escape(phrase)}(?=\s)", low):
            found.append((m.start(), _PHRASES[phrase]))
            low = low[: m.start()] + " " * len(phrase) + low[m.end() :]
    for m in re.finditer(r"[a-z0-9\-']+", low):
        w = m.group()
        zh = _WORDS.get(w)
        if zh is None and w.endswith("s"):
            zh = _WORDS.get(w[:-1])
        if zh is not None:
            found.append((m.start(), zh))
        elif re.fullmatch(r"\d+(?:\.\d+)?", w):
            found.append((m.start(), w))
    found.sort()
    out: list[str] = []
    for _, zh in found:
        # one-character words ("区", "市") match everywhere; numerals are kept for "四大…"
        if len(zh) == 1 and zh not in "一二三四五六七八九十":
            continue
        if zh not in out:
            out.append(zh)
    return out


def known(word: str) -> bool:
    w = word.lower()
    return w in _WORDS or (w.endswith("s") and w[:-1] in _WORDS)
