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
        for col in ("paragraphs", "passages", "headings", "tables", "rows", "median"):
            table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
        for d in summary["documents"]:
            table.add_row(
                d["doc_id"],
                d["title"],
                *(str(d[k]) for k in ("paragraphs", "passages", "headings", "tables", "rows")),
                f"{d['median_passage_chars']:g}",
            )
        Console().print(table)
    if not report.documents:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
