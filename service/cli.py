"""The ``planqa`` command line: one sub-command per stage, each a thin shell over its package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

app = typer.Typer(
    name="planqa",
    help="Semantic search and cited question answering over Chinese government plan documents.",
    no_args_is_help=True,
    add_completion=False,
)

# Above this many files ingest shows a progress bar.
PROGRESS_MIN_FILES = 5


@app.callback()
def main() -> None:
    """planqa: ingest documents, build the index, search, ask and serve."""


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories to ingest (default: the configured corpus directory)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Read documents and report what they hold: paragraphs, passages, headings, tables, rows."""
    from ingest.pipeline import collect_files, ingest_paths
    from ingest.summary import report_summary
    from service.settings import Settings

    targets = list(paths) if paths else [Settings().corpus_dir]
    err = Console(stderr=True)
    files, _ = collect_files(targets)
    if len(files) > PROGRESS_MIN_FILES:
        columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("ingest", total=len(files))
            report = ingest_paths(targets, progress=lambda done, total, _p: bar.update(task, completed=done))
    else:
        report = ingest_paths(targets)

    summary = report_summary(report)
    for e in summary["errors"]:
        err.print(Text.assemble(("error ", "bold red"), e["message"]), soft_wrap=True)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        table = Table(title="ingested documents")
        table.add_column("doc_id", overflow="fold")
        table.add_column("title", overflow="fold")
        table.add_column("year", justify="right", no_wrap=True)
        for col in ("paragraphs", "passages", "headings", "tables", "rows", "median"):
            table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
        for d in summary["documents"]:
            table.add_row(
                d["doc_id"],
                d["title"],
                str(d["year"] or ""),
                *(str(d[k]) for k in ("paragraphs", "passages", "headings", "tables", "rows")),
                f"{d['median_passage_chars']:g}",
            )
        Console().print(table)
    if not report.documents:
        raise typer.Exit(code=1)


def _settings():  # noqa: ANN202 - imported lazily so `planqa --help` stays fast
    from pydantic import ValidationError

    from service.settings import Settings

    try:
        return Settings()
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"]).upper()
        Console(stderr=True).print(f"[bold red]error[/] PLANQA_{field}: {first['msg']}")
        raise typer.Exit(code=2) from None


def _fail(err: Exception, code: int = 1) -> typer.Exit:
    Console(stderr=True).print(Text.assemble(("error ", "bold red"), str(err)), soft_wrap=True)
    return typer.Exit(code=code)


def _runtime(load: bool = True):  # noqa: ANN202
    from ingest.errors import PlanqaError
    from service.runtime import Runtime

    rt = Runtime(_settings())
    if load:
        try:
            rt.load()
        except PlanqaError as e:
            raise _fail(e) from None
    return rt


@app.command()
def index(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the index is up to date.")] = False,
    backend: Annotated[
        str | None,
        typer.Option(help="local | milvus (default PLANQA_BACKEND); milvus writes to PLANQA_MILVUS_URI."),
    ] = None,
) -> None:
    """Build the index of the corpus directory (a no-op when it is up to date).

    With the Milvus backend only documents that changed are embedded and written.
    """
    from ingest.errors import PlanqaError
    from service.runtime import Runtime

    s = _settings()
    if backend is not None:
        if backend not in ("local", "milvus"):
            raise _fail(ValueError(f"unknown backend '{backend}'; use local or milvus"), code=2)
        s = s.model_copy(update={"backend": backend})
    rt = Runtime(s)
    try:
        built = rt.build(force=force, progress=True)
    except PlanqaError as e:
        raise _fail(e) from None
    state = "built" if built else "up to date"
    where = f"Milvus {s.milvus_uri} collection {s.milvus_collection}" if s.backend == "milvus" else str(s.index_dir)
    Console(stderr=True).print(f"index {state}: {where} (corpus {s.corpus_dir})")


def _print_hits(hits: list, titles: dict[str, str]) -> None:
    from service.hits import hit_to_dict

    con = Console()
    for n, h in enumerate(hits, 1):
        d = hit_to_dict(h, titles.get(h.passage.doc_id, h.passage.doc_id))
        text = Text(d["text"])
        for a, b in d["highlights"]:
            text.stylize("bold reverse", a, b)
        con.print(Text.assemble((f"[{n}] ", "bold"), (d["id"], "cyan"), f"  {d['score']:.3f}"))
        where = " › ".join([f"《{d['doc_title']}》", *d["section"]])
        con.print(Text(where, style="dim"))
        con.print(text)
        con.print()


YearOpt = Annotated[str | None, typer.Option("--year", help="Only documents of this year (2019) or years (2018-2020).")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Only documents for this region: 全国, a province (省), a city (市) or a district (区) …")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="Only documents of this kind: 政府工作报告, 规划, 通知 …")]
DocOpt = Annotated[list[str] | None, typer.Option("--doc", help="Only this document id (repeatable).")]


def _filters(year: str | None, region: str | None, kind: str | None, docs: list[str] | None):  # noqa: ANN202
    """The command line's filter options as the runtime's ``DocFilter`` (exit 2 when invalid)."""
    from index.filters import doc_filter, parse_years
    from ingest.errors import PlanqaError
    from service.validation import check_text

    try:
        years = parse_years(year) if year is not None else (None, None)
        return doc_filter(
            year_from=years[0], year_to=years[1],
            region=check_text(region, "region", 50) if region is not None else None,
            kind=check_text(kind, "kind", 50) if kind is not None else None,
            doc_ids=[check_text(d, "doc") for d in docs or []],
        )
    except PlanqaError as e:
        raise _fail(e, 2) from None


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, a question, or the exact wording (--mode exact).")],
    mode: Annotated[str, typer.Option(help="hybrid | semantic | keyword | exact")] = "hybrid",
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response.")] = False,
    year: YearOpt = None,
    region: RegionOpt = None,
    kind: KindOpt = None,
    doc: DocOpt = None,
) -> None:
    """Search the index; exact mode finds every occurrence of the wording."""
    from ingest.errors import PlanqaError
    from service.runtime import MODES
    from service.schemas import SearchResponse
    from service.validation import check_text

    try:
        query = check_text(query, "query")
    except PlanqaError as e:
        raise _fail(e, 2) from None
    if mode not in MODES:
        raise _fail(ValueError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}"), 2)
    filters = _filters(year, region, kind, doc)
    rt = _runtime()
    try:
        res = rt.search(query, mode=mode, top_k=top_k, filters=filters)
    except PlanqaError as e:
        raise _fail(e, 2) from None
    titles = {d.doc_id: d.name for d in rt.documents()}
    if as_json:
        typer.echo(SearchResponse.from_result(res, rt.doc_title).model_dump_json(indent=2))
        return
    per_doc = ", ".join(f"{titles.get(k, k)}: {v}" for k, v in res.per_doc.items())
    Console(stderr=True).print(f"{res.total} results ({per_doc}) in {res.took_ms:.1f} ms")
    _print_hits(res.hits, titles)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question in Chinese (or English).")],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response.")] = False,
    history: Annotated[
        list[str] | None, typer.Option("--history", help="An earlier question of the conversation (repeatable).")
    ] = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    kind: KindOpt = None,
    doc: DocOpt = None,
) -> None:
    """Answer a question from the documents, with numbered citations."""
    import time

    from ingest.errors import PlanqaError
    from service.schemas import AskResponse
    from service.validation import check_text

    try:
        question = check_text(question, "question")
        turns = [check_text(h, "history entry") for h in history or []]
    except PlanqaError as e:
        raise _fail(e, 2) from None
    filters = _filters(year, region, kind, doc)
    rt = _runtime()
    t0 = time.perf_counter()
    try:
        ans = rt.ask(question, top_k=top_k, history=turns, filters=filters)
    except PlanqaError as e:
        raise _fail(e, 2) from None
    took_ms = (time.perf_counter() - t0) * 1000
    if as_json:
        typer.echo(AskResponse.from_answer(ans, rt.doc_title, took_ms).model_dump_json(indent=2))
        return
    titles = {d.doc_id: d.name for d in rt.documents()}
    con = Console()
    if not ans.grounded:
        con.print("[bold yellow]文档中未找到依据[/]")
    con.print(Text(ans.text, style="bold"))
    for note in ans.notes:
        con.print(Text(note, style="dim"))
    con.print()
    _print_hits(ans.citations, titles)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default PLANQA_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PLANQA_PORT or 8000).")] = None,
) -> None:
    """Serve the HTTP API and the UI (/ui) in one process.

    A non-loopback address needs an API key (`planqa keys create NAME`) and a UI login
    (PLANQA_UI_USERS) or PLANQA_UI=false, unless PLANQA_OPEN_API=true.
    """
    import os
    import tempfile

    import uvicorn

    from ingest.errors import PlanqaError
    from service.access import check_exposure
    from service.keys import KeyRing
    from service.logs import log_config

    s = _settings()
    # Worker processes read their settings from the environment: the options must reach them there.
    if host is not None:
        os.environ["PLANQA_HOST"] = host
    if port is not None:
        os.environ["PLANQA_PORT"] = str(port)
    s = s.model_copy(update={"host": host or s.host, "port": port or s.port})
    try:
        check_exposure(s, KeyRing(s.api_keys_file))
    except PlanqaError as e:
        raise _fail(e, 2) from None
    logging = {"log_config": log_config(s.log_format), "access_log": False}
    if s.workers > 1:
        if s.metrics and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            # each worker writes its counters here and a scrape of any worker sums them all
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="planqa-metrics-")
        # Worker processes each load the model and the index: Python-bound answering then uses
        # every core instead of one (the GIL), at the cost of one model in memory per worker.
        uvicorn.run("service.app:create_app", factory=True, workers=s.workers, host=s.host, port=s.port,
                    timeout_graceful_shutdown=5, **logging)
        return
    from service.app import create_app

    uvicorn.run(create_app(s), host=s.host, port=s.port, timeout_graceful_shutdown=5, **logging)


keys_app = typer.Typer(name="keys", help="API keys for /api and /v1: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app)


def _key_file():  # noqa: ANN202
    from service.keys import KeyFile

    return KeyFile(_settings().api_keys_file)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who the key is for; shown in logs and metrics (letters, digits, . _ -).")],
    rpm: Annotated[int | None, typer.Option("--rpm", help="Requests per minute (default PLANQA_RATE_LIMIT_PER_MINUTE; 0: no limit).")] = None,
    concurrent: Annotated[int | None, typer.Option("--concurrent", help="Requests at once (default PLANQA_MAX_CONCURRENT_PER_KEY; 0: no limit).")] = None,
) -> None:
    """Create a key and print it once: only its hash is kept. Running servers accept it within
    PLANQA_RELOAD_INTERVAL_S."""
    from ingest.errors import PlanqaError

    keys = _key_file()
    try:
        key, _record = keys.create(name, requests_per_minute=rpm, max_concurrent=concurrent)
    except PlanqaError as e:
        raise _fail(e, 2) from None
    Console(stderr=True).print(f"created the API key '{name}' in {keys.path}; it is shown only now:")
    typer.echo(key)


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False) -> None:
    """The keys by name, with the first characters of each, their limits and whether revoked."""
    from dataclasses import asdict

    from ingest.errors import PlanqaError

    try:
        records = _key_file().records()
    except PlanqaError as e:
        raise _fail(e) from None
    if as_json:
        typer.echo(json.dumps([{k: v for k, v in asdict(r).items() if k != "sha256"} for r in records], indent=2))
        return
    table = Table(title="API keys")
    for col in ("name", "key", "created", "revoked", "rpm", "concurrent"):
        table.add_column(col)
    for r in records:
        table.add_row(r.name, r.hint + "…", r.created, r.revoked or "",
                      "default" if r.requests_per_minute is None else str(r.requests_per_minute),
                      "default" if r.max_concurrent is None else str(r.max_concurrent))
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The name of the key to revoke.")]) -> None:
    """Revoke a key: running servers refuse it within PLANQA_RELOAD_INTERVAL_S, without a restart."""
    from ingest.errors import PlanqaError

    keys = _key_file()
    try:
        keys.revoke(name)
    except PlanqaError as e:
        raise _fail(e, 2) from None
    Console(stderr=True).print(f"revoked the API key '{name}' in {keys.path}")


if __name__ == "__main__":
    app()
