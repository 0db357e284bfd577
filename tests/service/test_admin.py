"""Document administration: token, file names, uploads, deletions, failures that change nothing."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from index.testing import cached_hash_embedder
from ingest.errors import Forbidden, IndexError_, InvalidRequest
from service.admin import AdminDisabled, Unauthorized, check_token, safe_filename
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

STEEL = """东港区钢铁产业发展规划

一、发展目标
到2025年，全区钢铁产业产值达到500亿元。推进超低排放改造，建成两条短流程炼钢产线。

二、重点任务
发展高端板材和特种钢材。建设钢铁产业园区，引进下游深加工企业。
"""
PORT = """西湾港口物流发展规划

一、总体要求
建设区域性国际物流枢纽。集装箱吞吐量年均增长百分之八。

二、主要措施
完善集疏运体系，开通海铁联运班列。培育冷链物流和跨境电商物流。
"""
SOLAR = """南岭光伏产业发展规划

一、发展目标
到2025年，光伏组件产能达到20吉瓦。建设光伏玻璃和逆变器配套基地。

二、重点项目
建设光伏电池片项目，总投资80亿元。推进分布式光伏整县开发。
"""


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "steel-plan.txt").write_text(STEEL, encoding="utf-8")
    (corpus / "port-plan.txt").write_text(PORT, encoding="utf-8")
    return corpus


class Env:
    """A served two-document corpus with an embedding cache over a counting embedder."""

    def __init__(self, tmp_path: Path, **overrides: object) -> None:
        self.corpus = _corpus(tmp_path)
        options = {"admin_token": TOKEN, **overrides}
        self.settings = Settings(corpus_dir=self.corpus, index_dir=tmp_path / "index",
                                 embedding_cache_dir=tmp_path / "emb", **options)
        cached = cached_hash_embedder(tmp_path / "emb")
        self.inner = cached.inner
        self.runtime = Runtime(self.settings, embedder=cached)
        self.runtime.build()
        self.runtime.load()
        self.client = TestClient(create_app(self.settings, runtime=self.runtime, ui=False))

    def upload(self, name: str, data: bytes, title: str | None = None, headers: dict | None = None):
        form = {"title": title} if title is not None else None
        return self.client.post("/api/documents", files={"file": (name, data, "application/octet-stream")},
                                data=form, headers=AUTH if headers is None else headers)

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.corpus).as_posix() for p in self.corpus.rglob("*"))

    def doc_ids(self) -> list[str]:
        return sorted(d["doc_id"] for d in self.client.get("/api/documents").json())


@pytest.fixture
def env(tmp_path: Path):
    e = Env(tmp_path)
    with e.client:
        yield e


# ---- token ---------------------------------------------------------------------------------------


def test_token_rules() -> None:
    with pytest.raises(AdminDisabled, match="^document administration is disabled; set PLANQA_ADMIN_TOKEN to enable it$"):
        check_token(None, "Bearer x")
    with pytest.raises(Unauthorized, match=r"^this route needs the admin token: send the header 'Authorization: Bearer <token>'$"):
        check_token("t", None)
    with pytest.raises(Unauthorized):
        check_token("t", "Basic dDp0")
    with pytest.raises(Forbidden, match="^the admin token is wrong$"):
        check_token("t", "Bearer nope")
    with pytest.raises(Forbidden):
        check_token("t", "Bearer \udc80")
    check_token("t", "Bearer t")
    check_token("t", "bearer  t ")


def test_a_non_ascii_token_matches_its_utf8_bytes_on_the_wire(tmp_path: Path) -> None:
    e = Env(tmp_path, admin_token="令牌-2025")
    header = "Bearer " + "令牌-2025".encode().decode("latin-1")  # how a server hands the header over
    check_token("令牌-2025", header)
    with e.client:
        r = e.client.delete("/api/documents/port-plan", headers={"Authorization": "Bearer 令牌-2025".encode()})
    assert r.status_code == 200, r.text


def test_admin_routes_are_disabled_without_a_configured_token(tmp_path: Path) -> None:
    e = Env(tmp_path, admin_token=None)
    with e.client:
        r = e.upload("new.txt", SOLAR.encode(), headers=AUTH)
        d = e.client.delete("/api/documents/steel-plan", headers=AUTH)
    for resp in (r, d):
        assert resp.status_code == 403
        assert resp.json() == {"detail": "document administration is disabled; set PLANQA_ADMIN_TOKEN to enable it"}
    assert e.files() == ["port-plan.txt", "steel-plan.txt"]


def test_missing_token_is_401_and_wrong_token_403(env: Env) -> None:
    r = env.upload("solar.txt", SOLAR.encode(), headers={})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "this route needs the admin token: send the header 'Authorization: Bearer <token>'"}
    r = env.upload("solar.txt", SOLAR.encode(), headers={"Authorization": "Bearer guess"})
    assert r.status_code == 403 and r.json() == {"detail": "the admin token is wrong"}
    r = env.client.delete("/api/documents/steel-plan", headers={"Authorization": "Bearer guess"})
    assert r.status_code == 403
    assert env.files() == ["port-plan.txt", "steel-plan.txt"]


# ---- file names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/evil.txt", "evil.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/plan.PDF", "plan.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("...txt.txt", "txt.txt"),
        ("东港 规划（2021）.docx", "东港-规划（2021）.docx"),
        ("a\x00b\x1fc.txt", "a-b-c.txt"),
        ("semi;colon$and|pipe.md", "semi-colon-and-pipe.md"),
    ],
)
def test_file_names_are_reduced_to_a_plain_name(given: str, stored: str) -> None:
    assert safe_filename(given) == stored


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "the upload has no file name; send the file with its name (e.g. plan.txt)"),
        ("plan.exe", "the file 'plan.exe' has '.exe'; upload a .txt, .md, .docx, .doc, .pdf, .html, .htm file"),
        ("plan", "the file 'plan' has no suffix; upload a .txt, .md, .docx, .doc, .pdf, .html, .htm file"),
        ("x.meta.json", "the file 'x.meta.json' has '.json'; upload a .txt, .md, .docx, .doc, .pdf, .html, .htm file"),
        ("../.txt", "the file name '../.txt' has no usable name; rename the file"),
        ("-- .txt", "the file name '-- .txt' has no usable name; rename the file"),
        ("README.md", "files named 'README.md' describe the corpus and are not indexed; rename the file"),
        ("字" * 121 + ".txt", "the file name is 121 characters long; the limit is 120: rename the file"),
    ],
)
def test_unusable_file_names_are_refused(given: str, message: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        safe_filename(given)
    assert str(info.value) == message


def test_traversal_name_lands_inside_the_corpus(env: Env, tmp_path: Path) -> None:
    outside = sorted(p.name for p in tmp_path.iterdir())
    r = env.upload("../../solar.txt", SOLAR.encode())
    assert r.status_code == 201, r.text
    assert "solar.txt" in env.files()
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert not (tmp_path / "solar.txt").exists() and not (tmp_path.parent / "solar.txt").exists()


# ---- uploads -------------------------------------------------------------------------------------


def test_upload_indexes_only_the_new_passages_and_serves_them(env: Env) -> None:
    before = env.inner.texts_embedded
    r = env.upload("solar-plan.txt", SOLAR.encode(), title="南岭光伏规划")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["doc_id"] == "solar-plan" and body["title"] == "南岭光伏规划"
    new = env.runtime.document("solar-plan")
    assert body["passages"] == len(new.passages) > 0
    # Only the new document's passages and their sentences went through the model; the rest came
    # from the cache.
    from index.units import sentence_units

    units = {u for p in new.passages for u in sentence_units(p.text)} - {p.text for p in new.passages}
    assert len(new.passages) <= env.inner.texts_embedded - before <= len(new.passages) + len(units)
    assert env.files() == ["port-plan.txt", "solar-plan.meta.json", "solar-plan.txt", "steel-plan.txt"]
    assert env.doc_ids() == ["port-plan", "solar-plan", "steel-plan"]
    hits = env.client.post("/api/search", json={"query": "光伏组件产能", "mode": "exact"}).json()
    assert hits["total"] == 1 and hits["results"][0]["doc_id"] == "solar-plan"


def test_upload_docx_and_markdown(env: Env, tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("北山数字经济规划", level=1)
    d.add_paragraph("建设数据中心集群，算力规模达到十万标准机架。")
    buf = io.BytesIO()
    d.save(buf)
    assert env.upload("digital.docx", buf.getvalue()).status_code == 201
    assert env.upload("notes.md", "# 东岸文旅规划\n\n打造滨海旅游带。建设三个精品景区。\n".encode()).status_code == 201
    assert env.doc_ids() == ["digital", "notes", "port-plan", "steel-plan"]


def test_existing_file_or_id_is_409_and_nothing_is_overwritten(env: Env) -> None:
    original = (env.corpus / "steel-plan.txt").read_bytes()
    r = env.upload("steel-plan.txt", SOLAR.encode())
    assert r.status_code == 409
    assert r.json() == {"detail": "steel-plan.txt already exists in the corpus; delete document 'steel-plan' "
                                  "first or upload the file under another name"}
    r = env.upload("steel plan.md", SOLAR.encode())  # another file name, the same document id
    assert r.status_code == 409
    assert r.json() == {"detail": "a document with id 'steel-plan' already exists; delete it first or rename the file"}
    assert (env.corpus / "steel-plan.txt").read_bytes() == original
    assert env.files() == ["port-plan.txt", "steel-plan.txt"]


def _snapshot(env: Env) -> tuple:
    return env.files(), env.runtime.index.manifest["created"], env.runtime.index.path, env.doc_ids()


@pytest.mark.parametrize(
    ("name", "data", "status", "detail"),
    [
        ("binary.txt", bytes(range(256)) * 4, 422, "binary.txt: looks like a binary file, not text"),
        ("blank.md", b" \n\t\n", 422, "blank.md: the file has no text"),
        ("broken.docx", b"not a zip", 422, None),
        ("plan.exe", b"MZ", 422, "the file 'plan.exe' has '.exe'; upload a .txt, .md, .docx, .doc, .pdf, .html, .htm file"),
    ],
)
def test_a_bad_upload_changes_nothing(env: Env, name: str, data: bytes, status: int, detail: str | None) -> None:
    before = _snapshot(env)
    r = env.upload(name, data)
    assert r.status_code == status
    if detail is None:
        assert r.json()["detail"].startswith(f"{name}: not a valid .docx file (")
    else:
        assert r.json() == {"detail": detail}
    assert _snapshot(env) == before
    assert not [p for p in env.corpus.iterdir() if p.name.startswith(".")]


def test_bad_title_and_form_shape_are_422_or_415(env: Env) -> None:
    r = env.upload("solar.txt", SOLAR.encode(), title="标题\x07")
    assert r.status_code == 422
    assert r.json() == {"detail": "the title contains control characters or unpaired surrogates; remove them"}
    r = env.client.post("/api/documents", files={"title": (None, "x")}, headers=AUTH)
    assert r.status_code == 422
    assert r.json() == {"detail": "send the document as a file in the multipart form field 'file'"}
    r = env.client.post("/api/documents", json={"file": "x"}, headers=AUTH)
    assert r.status_code == 415
    assert r.json() == {"detail": "send the document as multipart/form-data with the file in the field 'file' "
                                  "(curl -F file=@plan.txt)"}
    r = env.client.post("/api/documents", content=b"--x\r\nbroken", headers={
        **AUTH, "content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 422
    assert env.files() == ["port-plan.txt", "steel-plan.txt"]


def test_upload_over_the_size_limit_is_413(tmp_path: Path) -> None:
    e = Env(tmp_path, max_upload_bytes=1000)
    with e.client:
        r = e.upload("big.txt", "规划".encode() * 400)  # 2,400 bytes: under the body limit, over the file limit
        assert r.status_code == 413
        assert r.json() == {"detail": "the file is over 1000 bytes; the limit is 1000 (PLANQA_MAX_UPLOAD_BYTES)"}
        r = e.upload("huge.txt", b"x" * 200_000)  # the body itself is over the limit: refused before reading
        assert r.status_code == 413
        assert r.json()["detail"].startswith("request body is ")
        assert r.json()["detail"].endswith("bytes; the limit is 66536")
    assert e.files() == ["port-plan.txt", "steel-plan.txt"]


def test_failed_reindex_removes_the_file_and_keeps_serving(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(env)

    def broken_load() -> None:
        raise IndexError_("the disk is full")

    monkeypatch.setattr(env.runtime, "load", broken_load)
    r = env.upload("solar.txt", SOLAR.encode(), title="光伏")
    assert r.status_code == 503
    assert r.json() == {"detail": "the disk is full"}
    monkeypatch.undo()
    assert env.files() == before[0]
    assert env.doc_ids() == before[3]
    assert env.client.post("/api/search", json={"query": "钢铁"}).status_code == 200
    # The index on disk matches the corpus again, so nothing is stale.
    assert env.runtime.build() is False


# ---- deletion ------------------------------------------------------------------------------------


def test_delete_removes_file_sidecar_and_passages(env: Env) -> None:
    assert env.upload("solar.txt", SOLAR.encode(), title="光伏").status_code == 201
    pid = env.runtime.document("solar").passages[0].id
    r = env.client.delete("/api/documents/solar", headers=AUTH)
    assert r.status_code == 200
    assert r.json()["doc_id"] == "solar" and r.json()["title"] == "光伏"
    assert env.files() == ["port-plan.txt", "steel-plan.txt"]
    assert env.doc_ids() == ["port-plan", "steel-plan"]
    assert env.client.get(f"/api/passages/{pid}").status_code == 404
    assert env.client.post("/api/search", json={"query": "光伏组件", "mode": "exact"}).json()["total"] == 0


def test_delete_unknown_is_404_and_the_last_document_is_kept(env: Env) -> None:
    r = env.client.delete("/api/documents/nope", headers=AUTH)
    assert r.status_code == 404 and r.json() == {"detail": "no document with id 'nope'"}
    assert env.client.delete("/api/documents/port-plan", headers=AUTH).status_code == 200
    r = env.client.delete("/api/documents/steel-plan", headers=AUTH)
    assert r.status_code == 409
    assert r.json() == {"detail": "'steel-plan' is the only document; upload another before deleting it"}
    assert env.files() == ["steel-plan.txt"]


def test_failed_delete_restores_the_file(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_load() -> None:
        raise IndexError_("the disk is full")

    monkeypatch.setattr(env.runtime, "load", broken_load)
    r = env.client.delete("/api/documents/port-plan", headers=AUTH)
    assert r.status_code == 503
    monkeypatch.undo()
    assert env.files() == ["port-plan.txt", "steel-plan.txt"]
    assert env.doc_ids() == ["port-plan", "steel-plan"]


# ---- concurrency ---------------------------------------------------------------------------------


def test_searches_are_served_during_a_reindex_and_admin_operations_queue(env: Env, monkeypatch) -> None:
    started, release = threading.Event(), threading.Event()
    real_build = env.runtime.build

    def slow_build(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(env.runtime, "build", slow_build)
    results: dict[str, int] = {}

    def upload(key: str) -> None:
        results[key] = env.upload("solar.txt", SOLAR.encode()).status_code

    first = threading.Thread(target=upload, args=("first",))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=upload, args=("second",))
    second.start()
    # The re-index is under way: searches still answer from the old index.
    for _ in range(3):
        r = env.client.post("/api/search", json={"query": "钢铁产业", "top_k": 3})
        assert r.status_code == 200 and r.json()["results"]
    assert env.doc_ids() == ["port-plan", "steel-plan"]
    release.set()
    first.join(30)
    second.join(30)
    assert results == {"first": 201, "second": 409}
    assert env.doc_ids() == ["port-plan", "solar", "steel-plan"]
