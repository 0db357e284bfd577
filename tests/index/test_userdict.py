from index.userdict import (
    build_user_words,
    company_parts,
    place_names,
    project_parts,
    quoted_terms,
    read_userdict,
    write_userdict,
)


def test_company_parts():
    parts = company_parts("乾顺永磁（天津）科技发展有限公司")
    assert "乾顺永磁（天津）科技发展有限公司" in parts and "乾顺永磁" in parts
    assert "沃可达" in company_parts("天津沃可达电力设备有限公司")


def test_project_parts():
    parts = project_parts("天津高温合金国际宇航产品线(一期)建设项目")
    assert "天津高温合金国际宇航产品线" in parts


def test_place_names():
    names = place_names("全力推动东丽经开区和华明高新区发展，建设英诺美迪国际医疗器械产业园，完成36个工业园区治理")
    assert {"东丽经开区", "华明高新区", "英诺美迪国际医疗器械产业园"} <= set(names)


def test_quoted_terms():
    assert quoted_terms("实施“链长制”，落实“双智战略”，“车、路、云”") == ["链长制", "双智战略"]


def test_build_from_documents(docs, tmp_path):
    words = build_user_words(docs)
    for w in ("链长制", "双智战略", "专精特新", "华明高新区", "永磁直驱系统系列产品生产项目",
              "永磁直驱系统系列产品", "天津军电热电有限公司", "军电"):
        assert w in words, w
    assert "干顺永磁" in words  # normalised like the text it will segment
    assert words == sorted(set(words))
    h1 = write_userdict(words, tmp_path / "u.txt")
    assert read_userdict(tmp_path / "u.txt") == words
    assert h1 == write_userdict(build_user_words(docs), tmp_path / "v.txt")
