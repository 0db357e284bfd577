import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import index.builder as builder
from index.builder import build_from_corpus, build_index
from index.options import BuildOptions
from index.serialize import document_to_dict
from index.store import MANIFEST, builds_dir, is_stale, load_index
from ingest.errors import IndexError_

REPO = Path(__file__).resolve().parents[2]


def test_failed_build_leaves_old_index(docs, embedder, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    first = build_index(docs[:1], index_dir, embedder)

    def boom(*a, **k):
        raise RuntimeError("embedding failed")

    monkeypatch.setattr(builder.DenseRetriever, "build", boom)
    with pytest.raises(RuntimeError):
        build_index(docs, index_dir, embedder)
    assert index_dir.resolve() == first
    assert [p for p in builds_dir(index_dir).iterdir() if p.is_dir()] == [first]
    assert set(load_index(index_dir, embedder).documents) == {"plan"}


def test_duplicate_ids_refused(docs, embedder, tmp_path):
    with pytest.raises(IndexError_, match="two documents have the id 'plan'"):
        build_index([docs[0], docs[0]], tmp_path / "index", embedder)
    assert not (tmp_path / "index").exists()


def test_hnsw_threshold_recorded(docs, embedder, tmp_path):
    build_index(docs, tmp_path / "index", embedder, hnsw_threshold=3)
    idx = load_index(tmp_path / "index", embedder)
    assert idx.manifest["dense"]["index"] == "hnsw" and idx.dense.is_hnsw
    assert idx.hybrid.search("链长制")[0].passage.id == "plan#p3.s1"


def settings_for(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "plan.txt").write_text("规划", encoding="utf-8")
    return BuildOptions(corpus_dir=corpus, index_dir=tmp_path / "index", embedding_model="hash")


def test_build_from_corpus_only_when_stale(docs, embedder, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(builder, "ingest_corpus", lambda d: calls.append(d) or docs)
    s = settings_for(tmp_path)
    made = []

    def factory():
        made.append(1)
        return embedder

    assert build_from_corpus(s, factory) is True
    assert len(calls) == 1 and made == [1]
    t0 = time.perf_counter()
    assert build_from_corpus(s, factory) is False  # unchanged: no ingest, no model
    assert time.perf_counter() - t0 < 2.0
    assert len(calls) == 1 and made == [1]
    assert build_from_corpus(s, embedder) is False
    assert build_from_corpus(s, embedder, force=True) is True
    (s.corpus_dir / "new.txt").write_text("新文件", encoding="utf-8")
    assert build_from_corpus(s, factory) is True and len(calls) == 3
    assert is_stale(s.index_dir, s.corpus_dir, embedder.model_id) is False


def test_build_from_empty_corpus_refused(embedder, tmp_path, monkeypatch):
    monkeypatch.setattr(builder, "ingest_corpus", lambda d: [])
    with pytest.raises(IndexError_, match="no documents to index"):
        build_from_corpus(settings_for(tmp_path), embedder)


SLOW_BUILD = textwrap.dedent("""
    import json, sys
    from index.builder import build_index
    from index.serialize import document_from_dict
    from index.testing import SlowEmbedder

    class Slow(SlowEmbedder):
        def embed_passages(self, texts, progress=False):
            print("embedding", flush=True)
            return super().embed_passages(texts)

    docs = [document_from_dict(json.loads(l)) for l in open(sys.argv[1], encoding="utf-8")]
    build_index(docs, sys.argv[2], Slow(dim=64, cost_s=60))
""")


def test_kill_mid_build_keeps_old_index(docs, embedder, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index(docs[:1], index_dir, embedder)
    docs_file = tmp_path / "docs.jsonl"
    docs_file.write_text("".join(json.dumps(document_to_dict(d), ensure_ascii=False) + "\n" for d in docs),
                         encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(docs_file), str(index_dir)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == "embedding"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert index_dir.resolve() == first
    assert set(load_index(index_dir, embedder).documents) == {"plan"}
    partial = [p for p in builds_dir(index_dir).iterdir() if p.is_dir() and p != first]
    assert partial and not (partial[0] / MANIFEST).exists()
    build_index(docs, index_dir, embedder)  # the next build prunes the debris
    assert set(load_index(index_dir, embedder).documents) == {"plan", "other"}
    assert not partial[0].exists()
