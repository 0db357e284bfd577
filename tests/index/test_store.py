import json
import os

import pytest

from index.builder import build_index
from index.serialize import document_from_dict, document_to_dict
from index.store import (
    DOCUMENTS,
    FAISS,
    MANIFEST,
    builds_dir,
    corpus_hash,
    is_stale,
    load_index,
    prune_builds,
    publish,
)
from index.testing import HashEmbedder
from ingest.errors import IndexError_

FIX = "run `planqa index` to rebuild"


@pytest.fixture
def built(docs, embedder, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("东丽区工业发展规划", encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index(docs, index_dir, embedder, corpus_digest=corpus_hash(corpus))
    return index_dir, corpus


def test_serialize_roundtrip(docs):
    for d in docs:
        assert document_from_dict(json.loads(json.dumps(document_to_dict(d), ensure_ascii=False))) == d


def test_layout_and_manifest(built, docs, embedder):
    index_dir, _ = built
    assert index_dir.is_symlink()
    assert index_dir.resolve().parent == builds_dir(index_dir)
    m = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert m["model"] == embedder.model_id and m["dims"] == 64
    assert m["documents"] == 2 and m["passages"] == sum(len(d.passages) for d in docs)
    assert set(m["files"]) >= {DOCUMENTS, FAISS, "userdict.txt", "bm25-index/vocab.index.json"}
    for name, entry in m["files"].items():
        assert (index_dir / name).stat().st_size == entry["size"]
    assert m["fusion"]["method"] in ("rrf", "minmax", "zscore")
    assert len(m["userdict_hash"]) == 64 and m["created"]


def test_load_exposes_everything(built, docs, embedder):
    index_dir, _ = built
    idx = load_index(index_dir, embedder)
    assert set(idx.documents) == {"plan", "other"}
    assert idx.passage_count == sum(len(d.passages) for d in docs)
    assert "plan#t1.r1" in idx.passages and "plan#h0" in idx.passages
    assert idx.passages["plan#h0"].text == "一、发展回顾"
    assert "plan#p1" in idx.paragraphs
    assert idx.bm25.search("链长制")[0].passage.id == "plan#p3.s1"
    assert idx.dense.search("链长制")[0].passage.id == "plan#p3.s1"
    assert idx.hybrid.search("链长制")[0].passage.id == "plan#p3.s1"
    assert idx.exact.find("专精特新").total == 4
    assert idx.manifest["model"] == embedder.model_id


def test_load_keyword_and_exact_only(built):
    idx = load_index(built[0])
    assert idx.dense is None and idx.hybrid is None
    assert idx.bm25.search("链长制")


def test_missing_index(tmp_path):
    with pytest.raises(IndexError_, match="no index at .*run `planqa index` to build it"):
        load_index(tmp_path / "nope")


def test_model_and_dims_mismatch(built):
    index_dir, _ = built
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, HashEmbedder(dim=64, model_id="other"))
    assert "built with embedding model 'hash-embedder-64'" in str(e.value) and FIX in str(e.value)
    emb = HashEmbedder(dim=32)
    emb.model_id = "hash-embedder-64"
    with pytest.raises(IndexError_, match="64-dimensional embeddings .* produces 32"):
        load_index(index_dir, emb)


def test_corrupt_manifest(built, embedder):
    index_dir, _ = built
    path = index_dir.resolve() / MANIFEST
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value).startswith(f"{path}: index manifest is corrupt") and str(e.value).endswith(FIX)
    path.unlink()
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value) == f"{path}: index manifest is missing; {FIX}"


def test_truncated_faiss(built, embedder):
    index_dir, _ = built
    path = index_dir.resolve() / FAISS
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value) == (
        f"{path}: index file is truncated or altered ({len(data) // 2} bytes, expected {len(data)}); {FIX}"
    )


def test_corrupt_faiss_same_size(built, embedder):
    index_dir, _ = built
    path = index_dir.resolve() / FAISS
    data = bytearray(path.read_bytes())
    data[:8] = b"XXXXXXXX"
    path.write_bytes(bytes(data))
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value) == f"{path}: index file is corrupt (checksum mismatch); {FIX}"
    # Without the checksum pass, FAISS itself refuses and the message still names the file.
    with pytest.raises(IndexError_, match=f"{path}: FAISS index is corrupt .*{FIX}"):
        load_index(index_dir, embedder, verify=False)


def test_corrupt_or_missing_passages(built, embedder):
    index_dir, _ = built
    path = index_dir.resolve() / DOCUMENTS
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"passages"', b'"passagez"'))
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value) == f"{path}: index file is corrupt (checksum mismatch); {FIX}"
    path.write_bytes(data[:-50])
    with pytest.raises(IndexError_, match="index file is corrupt"):
        load_index(index_dir, embedder, verify=False)
    path.unlink()
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder)
    assert str(e.value) == f"{path}: index file is missing; {FIX}"


def test_is_stale(built, embedder):
    index_dir, corpus = built
    assert is_stale(index_dir, corpus, embedder.model_id) is False
    assert is_stale(index_dir, corpus) is False
    assert "model" in is_stale(index_dir, corpus, "another-model")
    (corpus / "plan.meta.json").write_text("{}", encoding="utf-8")
    assert "changed" in is_stale(index_dir, corpus)
    (corpus / "plan.meta.json").unlink()
    assert is_stale(index_dir, corpus) is False
    (corpus / "plan.txt").write_text("东丽区工业发展规划（修订）", encoding="utf-8")
    assert "changed" in is_stale(index_dir, corpus)
    assert "no index" in is_stale(index_dir.parent / "missing", corpus)


def test_corpus_hash_ignores_hidden_files(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    h = corpus_hash(tmp_path)
    (tmp_path / ".DS_Store").write_text("junk")
    assert corpus_hash(tmp_path) == h
    os.rename(tmp_path / "a.txt", tmp_path / "b.txt")
    assert corpus_hash(tmp_path) != h


def test_publish_replaces_a_plain_directory(tmp_path, docs, embedder):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "old").write_text("x")
    build_index(docs, index_dir, embedder)
    assert index_dir.is_symlink()
    assert load_index(index_dir, embedder).passage_count > 0


def test_prune_keeps_current_and_one_previous(tmp_path, docs, embedder):
    index_dir = tmp_path / "index"
    for _ in range(4):
        build_index(docs, index_dir, embedder)
    builds = sorted(p for p in builds_dir(index_dir).iterdir() if p.is_dir())
    assert len(builds) == 2 and index_dir.resolve() == builds[-1]
    partial = builds_dir(index_dir) / "00000000T000000-crashed"
    partial.mkdir()
    publish(builds[-1], index_dir)
    prune_builds(index_dir, keep=1)
    assert not partial.exists()


def test_unverified_load_still_names_the_damaged_file(built, embedder):
    index_dir, _ = built
    build = index_dir.resolve()
    data_file = build / "bm25-index" / "data.csc.index.npy"
    data_file.write_bytes(data_file.read_bytes()[:20])
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder, verify=False)
    assert str(e.value).startswith(f"{build / 'bm25-index'}: BM25 index is corrupt") and str(e.value).endswith(FIX)
    (build / "userdict.txt").unlink()
    with pytest.raises(IndexError_, match=f"userdict.txt: index file is unreadable .*{FIX}"):
        load_index(index_dir, embedder, verify=False)
    (build / DOCUMENTS).unlink()
    with pytest.raises(IndexError_) as e:
        load_index(index_dir, embedder, verify=False)
    assert str(e.value) == f"{build / DOCUMENTS}: index file is missing; {FIX}"


def test_an_index_of_the_previous_format_is_refused_and_rebuilt(tmp_path, embedder):
    """Format 3 stores each document's identity; a format 2 index (without it) is refused by name."""
    from index.builder import build_from_corpus
    from index.options import BuildOptions
    from index.store import FORMAT_VERSION, write_manifest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "r.txt").write_text("政府工作报告\n——2019年3月5日在第十三届全国人民代表大会第二次会议上\n各位代表：\n正文。\n",
                                  encoding="utf-8")
    options = BuildOptions(corpus_dir=corpus, index_dir=tmp_path / "index", embedding_model=embedder.model_id)
    assert build_from_corpus(options, embedder) is True
    build = options.index_dir.resolve()
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    write_manifest(build, {**manifest, "format": FORMAT_VERSION - 1})
    message = (f"{build / MANIFEST}: index format {FORMAT_VERSION - 1} is not the supported format "
               f"{FORMAT_VERSION}; {FIX}")
    with pytest.raises(IndexError_) as e:
        load_index(options.index_dir, embedder)
    assert str(e.value) == message
    assert is_stale(options.index_dir, corpus, embedder.model_id) == message.replace(
        str(build), str(options.index_dir))
    assert build_from_corpus(options, embedder) is True
    idx = load_index(options.index_dir, embedder)
    assert idx.documents["r"].identity.year == 2019 and idx.documents["r"].name == "2019年政府工作报告"


def test_names_are_made_distinct_when_the_index_loads(tmp_path, embedder):
    from ingest.pipeline import ingest_text

    same = [ingest_text(n, "专项规划", f"一、总则\n第{n}份。\n") for n in ("a", "b")]
    build_index(same, tmp_path / "index", embedder)
    idx = load_index(tmp_path / "index", embedder)
    assert [d.name for d in idx.documents.values()] == ["专项规划（a）", "专项规划（b）"]
    assert [d.title for d in idx.documents.values()] == ["专项规划", "专项规划"]
