"""The Milvus backend keeps the retriever contract and agrees with the local backend.

Every test runs on Milvus Lite (a file), on ``milvus-lite server`` (http://, the remote path) and,
when configured, on a real cluster.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from index.builder import write_build
from index.milvus.loader import MilvusIndex, current_generation, load_milvus_index
from index.milvus.schema import Connection
from index.milvus.writer import sync_documents
from index.store import SearchIndex, load_index
from index.testing import HashEmbedder
from ingest.errors import IndexError_
from ingest.model import Document
from tests.index.conftest import DocMaker, other_doc, plan_doc

QUERIES = ["专精特新企业", "工业增加值", "石墨烯", "永磁直驱电机", "新材料产业园区", "5G基站", "2021-2023"]
PHRASES = ["专精特新", "工业增加值", "东丽区重大项目列表", "5G", "100%", "a_b", '"x"', "没有这个短语"]


def quirky_doc() -> Document:
    """Text with the characters a ``like`` pattern or a filter literal treats specially."""
    m = DocMaker("quirk's \"doc\"", title="特殊字符")
    m.heading(1, "一、说明")
    m.para("覆盖率达到100%，变量名a_b保持不变。")
    m.para('引号"x"与反斜杠\\也照原样检索。')
    return m.build()


def local_index(tmp_path, docs: list[Document], emb: HashEmbedder) -> SearchIndex:
    d = tmp_path / "local-build"
    d.mkdir()
    write_build(docs, d, emb)
    return load_index(d, emb)


def ranking(retriever, query: str, k: int = 8, doc_ids=None) -> list[tuple[str, float]]:
    return [(h.passage.id, h.score) for h in retriever.search(query, top_k=k, doc_ids=doc_ids)]


@pytest.fixture
def all_docs() -> list[Document]:
    return [plan_doc(), other_doc(), quirky_doc()]


@pytest.fixture
def written(conn: Connection, all_docs: list[Document]) -> MilvusIndex:
    emb = HashEmbedder(dim=64)
    sync_documents(all_docs, conn, emb)
    return load_milvus_index(conn, emb)


def test_rankings_match_the_local_backend(written: MilvusIndex, all_docs, tmp_path) -> None:
    local = local_index(tmp_path, all_docs, HashEmbedder(dim=64))
    for q in QUERIES:
        for mine, theirs in ((written.hybrid, local.hybrid), (written.dense, local.dense)):
            got, want = ranking(mine, q), ranking(theirs, q)
            assert [i for i, _ in got] == [i for i, _ in want], q
            assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-4), q
        # BM25 scores differ by Milvus's constant (k1 + 1) factor only: same order, same ratios.
        got, want = ranking(written.bm25, q), ranking(local.bm25, q)
        assert [i for i, _ in got] == [i for i, _ in want], q
        if got:
            factor = got[0][1] / want[0][1]
            assert factor == pytest.approx(1.9, rel=1e-3)
            assert [s / factor for _, s in got] == pytest.approx([s for _, s in want], rel=1e-3)


def test_hits_are_the_stored_passages_with_highlights(written: MilvusIndex) -> None:
    hits = written.hybrid.search("石墨烯导电材料", top_k=3)
    assert hits[0].passage.id == "plan#t1.r2"
    assert hits[0].passage is written.passages["plan#t1.r2"]
    a, b = hits[0].highlights[0]
    assert hits[0].passage.text[a:b] == "石墨"  # the query term jieba cut out, as the local backend marks it


def test_doc_filter_is_respected(written: MilvusIndex) -> None:
    for retriever in (written.bm25, written.dense, written.hybrid):
        hits = retriever.search("专精特新企业", top_k=10, doc_ids=["other"])
        assert hits and {h.passage.doc_id for h in hits} == {"other"}
        assert retriever.search("专精特新企业", top_k=10, doc_ids=[]) == []
    quoted = written.bm25.search("变量名", top_k=5, doc_ids=["quirk's \"doc\""])
    assert [h.passage.doc_id for h in quoted] == ["quirk's \"doc\""]


def test_no_shared_token_finds_nothing_by_keyword(written: MilvusIndex) -> None:
    assert written.bm25.search("的", top_k=5) == []
    assert written.bm25.search("量子引力", top_k=5) == []


def test_exact_phrase_counts_match_the_local_backend(written: MilvusIndex, all_docs, tmp_path) -> None:
    local = local_index(tmp_path, all_docs, HashEmbedder(dim=64))
    for phrase in PHRASES:
        got, want = written.exact.find(phrase), local.exact.find(phrase)
        assert (got.total, got.per_doc) == (want.total, want.per_doc), phrase
        assert [(h.passage.id, h.highlights) for h in got.hits] == [(h.passage.id, h.highlights) for h in want.hits]
    assert written.exact.find("专精特新").total == 4
    assert written.exact.find("专精特新", doc_ids=["other"]).per_doc == {"other": 1}
    assert written.exact.find("100%").per_doc == {"quirk's \"doc\"": 1}
    # '%' and '_' are literal in the like filter, not wildcards ("a%b" would match "a_b" otherwise)
    assert written.exact.candidates("a%b") == [] and written.exact.candidates("100_") == []
    assert written.exact.candidates("a_b") == ["quirk's \"doc\""]


def test_documents_come_back_whole_from_milvus_alone(conn: Connection, written: MilvusIndex, all_docs) -> None:
    # A second connection, as another process with nothing on local disk would open.
    fresh = Connection(conn.uri, None, conn.name)
    try:
        idx = load_milvus_index(fresh, HashEmbedder(dim=64))
    finally:
        fresh.close()
    assert list(idx.documents.values()) == all_docs
    assert idx.passage_count == sum(len(d.passages) for d in all_docs)
    assert "plan#h0" in idx.passages  # headings exact search can return resolve by id
    assert idx.manifest["model"] == "hash-embedder-64" and idx.manifest["documents"] == 3


def test_unchanged_documents_are_neither_embedded_nor_written(conn: Connection, all_docs) -> None:
    emb = HashEmbedder(dim=64)
    first = sync_documents(all_docs, conn, emb)
    assert sorted(first.written) == sorted(d.doc_id for d in all_docs)
    texts = emb.texts_embedded
    again = sync_documents(all_docs, conn, emb)
    assert again.written == () and again.removed == () and again.unchanged == 3
    assert emb.texts_embedded == texts
    assert again.generation == first.generation


def test_a_changed_document_is_replaced_and_a_removed_one_deleted(conn: Connection, all_docs) -> None:
    emb = HashEmbedder(dim=64)
    first = sync_documents(all_docs, conn, emb)
    before = load_milvus_index(conn, emb)
    other = other_doc()
    p = other.passages[0]
    changed = replace(other, passages=(replace(p, text=p.text.replace("生物医药", "海洋装备")), *other.passages[1:]))
    texts = emb.texts_embedded
    report = sync_documents([all_docs[0], changed], conn, emb)
    assert report.written == ("other",) and report.removed == ("quirk's \"doc\"",)
    assert emb.texts_embedded - texts == len(changed.passages)
    assert report.generation != first.generation == before.generation
    assert current_generation(conn) == report.generation

    after = load_milvus_index(conn, emb, previous=before)
    assert after.documents["plan"] is before.documents["plan"]  # unchanged: reused, not fetched again
    assert list(after.documents) == ["plan", "other"]
    assert after.bm25.search("海洋装备", top_k=3)[0].passage.id == p.id
    assert after.bm25.search("生物医药", top_k=3) == []
    assert after.exact.find("变量名").total == 0
    rows = conn.client.query(conn.name, filter="", output_fields=["count(*)"])
    assert rows[0]["count(*)"] == after.passage_count


def test_concurrent_writers_leave_one_consistent_collection(conn: Connection, all_docs) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            sync_documents(all_docs, conn, HashEmbedder(dim=64))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    idx = load_milvus_index(conn, HashEmbedder(dim=64))
    rows = conn.client.query(conn.name, filter="", output_fields=["count(*)"])
    assert rows[0]["count(*)"] == idx.passage_count == sum(len(d.passages) for d in all_docs)


def test_another_model_is_refused_with_the_fix(conn: Connection, written: MilvusIndex) -> None:
    with pytest.raises(IndexError_) as info:
        load_milvus_index(conn, HashEmbedder(dim=64, model_id="other-model"))
    assert str(info.value) == (
        f"Milvus collection '{conn.name}' at {conn.uri} was built with embedding model 'hash-embedder-64' "
        "but the configured model is 'other-model-64'; run `planqa index --backend milvus` to write it"
    )


def test_missing_collection_names_the_fix(conn: Connection) -> None:
    with pytest.raises(IndexError_) as info:
        load_milvus_index(conn, HashEmbedder(dim=64))
    assert str(info.value) == (
        f"Milvus at {conn.uri} has no planqa collection '{conn.name}'; run `planqa index --backend milvus` to write it"
    )


def test_stored_vectors_read_back_as_faiss_gives_them(written: MilvusIndex, all_docs, tmp_path) -> None:
    local = local_index(tmp_path, all_docs, HashEmbedder(dim=64))
    for i in (0, 5, len(written.indexed) - 1):
        assert written.indexed[i].id == local.indexed[i].id
        assert written.dense.index.reconstruct(i) == pytest.approx(local.dense.index.reconstruct(i), abs=1e-6)
