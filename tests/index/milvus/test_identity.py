"""Document identity in Milvus: stored with each document, names made distinct on load, and a
collection written before identity was stored refused by name and rewritten (Milvus Lite)."""

from __future__ import annotations

import json
import uuid

import pytest

from index.milvus.loader import load_milvus_index
from index.milvus.schema import FIX, SCHEMA_VERSION, Connection
from index.milvus.writer import META_KEY, read_meta, sync_documents
from index.testing import HashEmbedder
from ingest.errors import IndexError_
from ingest.pipeline import ingest_text

REPORT = "政府工作报告\n——{year}年3月5日在第十三届全国人民代表大会第二次会议上\n各位代表：\n一、工作回顾\n正文{year}。\n"


@pytest.fixture
def conn(tmp_path):
    c = Connection(str(tmp_path / "planqa.db"), None, f"id_{uuid.uuid4().hex[:10]}")
    yield c
    c.drop()
    c.close(release=True)


def test_identity_is_stored_and_names_are_distinct(conn: Connection) -> None:
    emb = HashEmbedder(dim=64)
    docs = [ingest_text("r2019", None, REPORT.format(year=2019)), ingest_text("r2020", None, REPORT.format(year=2020)),
            ingest_text("plan-a", "专项规划", "一、总则\n甲。\n"), ingest_text("plan-b", "专项规划", "一、总则\n乙。\n")]
    sync_documents(docs, conn, emb)
    idx = load_milvus_index(conn, emb)
    assert {d: doc.name for d, doc in idx.documents.items()} == {
        "r2019": "2019年政府工作报告", "r2020": "2020年政府工作报告",
        "plan-a": "专项规划（plan-a）", "plan-b": "专项规划（plan-b）"}
    assert idx.documents["r2019"].identity == docs[0].identity
    # a reload after one of the twins is gone names the other plainly again
    sync_documents(docs[:3], conn, emb)
    again = load_milvus_index(conn, emb, previous=idx)
    assert again.documents["plan-a"].name == "专项规划"


def test_a_collection_of_the_previous_schema_is_refused_and_rewritten(conn: Connection) -> None:
    emb = HashEmbedder(dim=64)
    docs = [ingest_text("r2019", None, REPORT.format(year=2019))]
    sync_documents(docs, conn, emb)
    meta = read_meta(conn)
    conn.upsert(conn.docs, [{"key": META_KEY, "doc_id": "", "part": "meta", "ord": 0, "seq": 0,
                             "hash": meta["generation"], "body": json.dumps({**meta, "schema": SCHEMA_VERSION - 1}),
                             "pad": [0.0, 0.0]}])
    with pytest.raises(IndexError_) as e:
        load_milvus_index(conn, emb)
    assert str(e.value) == (f"Milvus collection '{conn.name}' at {conn.uri} has schema {SCHEMA_VERSION - 1}, "
                            f"not {SCHEMA_VERSION}; {FIX}")
    report = sync_documents(docs, conn, emb)
    assert read_meta(conn)["schema"] == SCHEMA_VERSION and report.generation
    assert load_milvus_index(conn, emb).documents["r2019"].identity.year == 2019
