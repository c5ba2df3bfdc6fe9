"""Linkage commands: import-list, link, review, captures, and the stateless link-files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from sabt.cli.app import (
    DEFAULT_WS,
    DatabaseUrlOpt,
    JsonOpt,
    WorkspaceOpt,
    app,
    console,
    err_console,
    session,
)
from sabt.errors import SabtError
from sabt.ingest.headers import CANONICAL_FIELDS, Mapping
from sabt.link.options import LinkSettings
from sabt.safety import safe_frame, shown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.progress import TaskID

    from sabt.ingest.lists import ParsedList
    from sabt.link.workspace import BandItem, ReviewItem

ThresholdOpt = Annotated[float, typer.Option(
    help="Link pairs at or above this match probability.")]
OnePerListOpt = Annotated[bool, typer.Option(
    "--one-per-list", help="Never put two records of one list in a cluster.")]
BackendOpt = Annotated[str, typer.Option(
    help="duckdb (default) or spark (local[2] unless --spark-master or --spark-conf says).")]
TrainOnOpt = Annotated[str, typer.Option(
    help="Where the model is trained: duckdb (on this machine, whatever the backend: training "
    "reads a sample of at most 200,000 records) or backend (EM on --backend's engine).")]
SparkMasterOpt = Annotated[str | None, typer.Option(
    help="Spark master URL for --backend spark: local[N], spark://host:7077, yarn, k8s://…, "
    "sc://host:15002 (Spark Connect).")]
SparkConfOpt = Annotated[Path | None, typer.Option(
    help="Spark properties file (spark-defaults.conf form) for --backend spark: memory, "
    "partitions, spark.sabt.stagingDir (docs/scale.md).")]
SeedOpt = Annotated[int, typer.Option(help="Seed for the sampled training.")]
MaxBlockOpt = Annotated[int, typer.Option(
    help="Leave unscored the blocks of more records than this (pairs grow with their square; "
    "finer rules still reach them).")]


class _Phases:
    """Shows each pipeline phase on stderr with the time it took, and a bar where its work is
    countable (`count`); quiet when stderr is not a terminal (tests, logs)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"),
                            BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err_console, disable=not err_console.is_terminal)
        self.task: TaskID | None = None

    def __call__(self, phase: str) -> None:
        self._finish()
        self.task = self.bar.add_task(phase, total=None)

    def count(self, done: int, total: int) -> None:
        """How far the current phase is (e.g. names romanised of all to romanise)."""
        if self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def _finish(self) -> None:
        if self.task is not None:
            done = next(t.completed for t in self.bar.tasks if t.id == self.task)
            self.bar.update(self.task, total=done or 1, completed=done or 1)

    def __enter__(self) -> _Phases:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish()
        self.bar.stop()


@app.command("link-files")
def link_files(
    files: Annotated[list[Path], typer.Argument(help="List files (.csv, .xlsx, .json).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write clusters.csv.")],
    mapping: Annotated[Path | None, typer.Option(help="mapping.toml for unknown headers.")] = None,
    threshold: ThresholdOpt = LinkSettings.threshold,
    one_per_list: OnePerListOpt = False,
    backend: BackendOpt = "duckdb",
    train_on: TrainOnOpt = LinkSettings.train_on,
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    seed: SeedOpt = LinkSettings.seed,
    max_block: MaxBlockOpt = LinkSettings.max_block,
    as_json: JsonOpt = False,
) -> None:
    """Link list files without a workspace; writes file,row,cluster_id,probability."""
    from sabt.link.files import link_files as run

    settings = LinkSettings(threshold=threshold, all_duplicate_free=one_per_list,
                            backend=backend, train_on=train_on, seed=seed,
                            max_block=max_block)
    with _spark(backend, spark_master, spark_conf) as spark, _Phases() as phases:
        linked = run(files, settings, mapping=Mapping.load(mapping) if mapping else None,
                     progress=phases, spark=spark)
    for path, warnings in linked.warnings.items():
        for warning in warnings[:5]:
            console.print(f"[yellow]warning:[/] {shown(path)}: {shown(warning)}",
                          highlight=False)
        if len(warnings) > 5:
            console.print(f"[yellow]warning:[/] {shown(path)}: {len(warnings) - 5} more")
    out.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(linked.table).to_csv(out, index=False)
    summary = {**linked.summary, "out": str(out)}
    if as_json:
        console.print_json(json.dumps(summary))
        return
    grid = Table(title="link-files", show_header=False)
    for key, value in summary.items():
        grid.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    console.print(grid)
    _say_capped(linked.blocking, settings.max_block)


def _show_parsed(parsed: ParsedList, rows: int = 5) -> None:
    """The header mapping (field, and the [compare] kind with its model column), then the first
    rows: canonical fields as read and compared columns as the model compares them."""
    from sabt.link.extra import column_name, normalise

    mapping = Table(title=f"{shown(parsed.path.name)}: columns")
    mapping.add_column("header")
    mapping.add_column("field")
    mapping.add_column("compared as")
    for header in parsed.headers:
        kind = parsed.compared.get(header)
        mapping.add_row(shown(header), parsed.columns.get(header, "[dim](kept raw, not used)[/]"
                                                   if kind is None else ""),
                        f"{kind} ({column_name(f'{kind}:{header}')})" if kind else "")
    console.print(mapping)
    fields = list(dict.fromkeys(parsed.columns.values()))
    keys = [f"{kind}:{header}" for header, kind in parsed.compared.items()]
    sample = Table(title=f"first {rows} of {len(parsed.records)} records")
    for col in ("row", *fields, *(column_name(k) for k in keys)):
        sample.add_column(col)
    for _, rec in parsed.records.head(rows).iterrows():
        cells = [shown(rec[f]) if rec[f] is not None else "" for f in fields]
        compared = rec["compare"] or {}
        values = [normalise(k.partition(":")[0], compared[k]) if k in compared else ""
                  for k in keys]
        cells += ["[dim](not compared)[/]" if v is None else shown(v) for v in values]
        sample.add_row(str(rec["row"]), *cells)
    console.print(sample)


@app.command("import-list")
def import_list_cmd(
    file: Annotated[Path, typer.Argument(help="A list file: .csv, .tsv, .xlsx or .json.")],
    name: Annotated[str, typer.Option("--name", help="The list's name (its source title).")],
    mapping: Annotated[Path | None, typer.Option(help="mapping.toml for unknown headers.")] = None,
    duplicate_free: Annotated[bool, typer.Option(
        "--duplicate-free", help="The list names nobody twice (one record per person).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the mapping and first rows; "
                                          "write nothing.")] = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Import a victim list: one source, one record per row (all or nothing)."""
    mapping_obj = Mapping.load(mapping) if mapping else None
    with session(workspace, database_url) as (ws, me):
        report = ws.lists.import_list(me, file, name=name, mapping=mapping_obj,
                                      duplicate_free=duplicate_free, dry_run=dry_run)
    parsed = report.parsed
    if dry_run:
        _show_parsed(parsed)
    for warning in parsed.warnings[:20]:
        console.print(f"[yellow]warning:[/] {shown(warning)}", highlight=False)
    if len(parsed.warnings) > 20:
        console.print(f"[yellow]warning:[/] … {len(parsed.warnings) - 20} more")
    if report.already_imported:
        console.print(f"already imported as source {report.source_id} (same bytes): nothing to do")
    elif not dry_run:
        console.print(f"imported {len(parsed.records):,} records as source {report.source_id} "
                      f"(sha256 {parsed.sha256[:12]}…, {len(parsed.warnings)} warnings)")


@app.command("link")
def link_cmd(
    threshold: ThresholdOpt = LinkSettings.threshold,
    one_per_list: OnePerListOpt = False,
    review_low: Annotated[float, typer.Option(help="Review band: lowest probability.")
                          ] = LinkSettings.review_low,
    review_high: Annotated[float, typer.Option(help="Review band: highest probability.")
                           ] = LinkSettings.review_high,
    backend: BackendOpt = "duckdb",
    train_on: TrainOnOpt = LinkSettings.train_on,
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    seed: SeedOpt = LinkSettings.seed,
    max_block: MaxBlockOpt = LinkSettings.max_block,
    full: Annotated[bool, typer.Option(
        "--full", help="Re-train and re-score everything instead of linking only what new "
        "lists and review decisions touch.")] = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Link every imported list into persons (a new, versioned run; reviews are honoured).

    After a first run, a list added later is linked incrementally with that run's model.
    """
    settings = LinkSettings(threshold=threshold, all_duplicate_free=one_per_list,
                            review_low=review_low, review_high=review_high, backend=backend,
                            train_on=train_on, seed=seed, max_block=max_block)
    with (session(workspace, database_url) as (ws, me),
          _spark(backend, spark_master, spark_conf) as spark, _Phases() as phases):
        report = ws.linkage.run(me, settings, progress=phases, full=full, spark=spark)
    console.print(f"run {report.run_id} ({report.mode}: {report.mode_reason}): "
                  f"{report.records:,} records → {report.clusters:,} "
                  f"persons ({report.persons_created:,} new, {report.persons_updated:,} updated); "
                  f"{report.review_pairs:,} pairs to review (`sabt review`)")
    if report.merges:
        console.print(f"person merges honoured: {report.merges_honoured:,} of {report.merges:,}")
    console.print(f"software {report.software_version}; inputs sha256 {report.input_checksum}",
                  highlight=False)
    _say_capped(report.blocking, settings.max_block)


@contextmanager
def _spark(backend: str, master: str | None, conf: Path | None) -> Iterator[Any]:
    """The SparkSession for --backend spark (stopped afterwards), else None."""
    if backend != "spark":
        if master or conf:
            raise SabtError("--spark-master and --spark-conf need --backend spark")
        yield None
        return
    from sabt.link.spark import read_conf
    from sabt.link.spark import session as spark_session

    spark = spark_session(master, read_conf(conf) if conf else None)
    try:
        yield spark
    finally:
        spark.stop()


def _say_capped(blocking: dict[str, int], max_block: int) -> None:
    """Tell the user when blocks were too large to score (`sabt.link.blocking`)."""
    if blocking.get("dropped_blocks"):
        console.print(f"note: {blocking['dropped_blocks']:,} blocks of more than {max_block:,} "
                      f"records left unscored (about {blocking['dropped_pairs']:,} pairs; finer "
                      "rules still pair their records); --max-block raises the cap")


def _both_scripts(value: object) -> str:
    """A Persian value with its romanisation beside it; Latin values as they are."""
    from sabt.text.keys import latin_canon
    from sabt.text.normalize import detect_script
    from sabt.text.romanize import romanize

    if not isinstance(value, str) or not value:
        return ""
    if detect_script(value) in ("persian", "mixed"):
        roman = romanize(value)
        return f"{shown(value)}  [dim]({shown(roman[0] if roman else latin_canon(value))})[/]"
    return shown(value)


def _pair_table(left: dict[str, Any], right: dict[str, Any], probability: float) -> Table:
    """Both records side by side by canonical field; equal values green, different red."""
    from sabt.text.keys import latin_canon

    grid = Table(title=f"match probability {probability:.3f}")
    grid.add_column("field")
    grid.add_column(f"{shown(left['list'])} row {left['row']}")
    grid.add_column(f"{shown(right['list'])} row {right['row']}")
    for key in CANONICAL_FIELDS:
        a, b = left["fields"].get(key, ""), right["fields"].get(key, "")
        if not a and not b:
            continue
        same = bool(a and b and latin_canon(str(a)) == latin_canon(str(b)))
        style = "green" if same else "red"
        grid.add_row(key.replace("_", " "), f"[{style}]{_both_scripts(a)}[/]",
                     f"[{style}]{_both_scripts(b)}[/]")
    return grid


@app.command("review")
def review_cmd(
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write the queue and decisions as CSV for offline review.")] = None,
    import_: Annotated[Path | None, typer.Option(
        "--import", help="Read decisions from a CSV filled in offline.")] = None,
    undo: Annotated[int | None, typer.Option("--undo", help="Undo decision N.")] = None,
    sample_bands: Annotated[bool, typer.Option(
        "--sample-bands", help="Review a fixed number of random pairs from every probability "
                               "band (not the review band): the decisions estimate precision "
                               "and recall and check the probabilities.")] = False,
    per_band: Annotated[int, typer.Option(help="With --sample-bands: pairs per band.")] = 20,
    band_seed: Annotated[int, typer.Option(help="With --sample-bands: the sample's seed.")
                         ] = 1988,
    calibration: Annotated[bool, typer.Option(
        "--calibration", help="Show precision, recall and each band's reliability from the "
                              "decisions on the band sample.")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Review uncertain pairs: m = match, n = non-match, s = skip, u = undo, q = quit."""
    from rich.prompt import Prompt

    with session(workspace, database_url) as (ws, me):
        if calibration:
            calib = ws.linkage.calibration(me, per_band, band_seed)
            _print_calibration(calib.to_dict(), as_json)
            return
        if sample_bands and as_json:
            items = ws.linkage.sample_bands(me, per_band, band_seed)
            console.print_json(json.dumps([vars(it) for it in items]))
            return
        if export is not None:
            n = ws.linkage.export_decisions(me, export)
            console.print(f"wrote {n:,} rows to {export}")
            return
        if import_ is not None:
            n = ws.linkage.import_decisions(me, import_)
            console.print(f"recorded {n:,} decisions; run `sabt link` to apply them")
            return
        if undo is not None:
            ws.linkage.undo(me, undo)
            console.print(f"undid decision {undo}; run `sabt link` to apply")
            return
        queue: Sequence[ReviewItem | BandItem] = (
            ws.linkage.sample_bands(me, per_band, band_seed, undecided=True) if sample_bands
            else ws.linkage.queue(me))
        if not queue:
            console.print("nothing to review")
            return
        made: list[int] = []
        i = 0
        while i < len(queue):
            item = queue[i]
            recs = ws.linkage.records(me, [item.record_l, item.record_r])
            console.print(_pair_table(recs[item.record_l], recs[item.record_r], item.probability))
            choice = Prompt.ask(f"[{i + 1}/{len(queue)}] match / non-match / skip / undo / quit",
                                choices=["m", "n", "s", "u", "q"], default="s")
            if choice == "q":
                break
            if choice == "u":
                if made:
                    ws.linkage.undo(me, made.pop())
                    i = max(i - 1, 0)
                continue
            decision = {"m": "match", "n": "non-match", "s": "skip"}[choice]
            made.append(ws.linkage.decide(me, item.record_l, item.record_r, decision))
            i += 1
    console.print(f"{len(made)} decisions recorded; run `sabt link` to apply them")


def _print_calibration(c: dict[str, Any], as_json: bool) -> None:
    """Precision, recall and the per-band reliability table."""
    if as_json:
        console.print_json(json.dumps(c))
        return
    grid = Table(title=f"band sample: {c['reviewed']} pairs decided", title_justify="left")
    for col in ("band", "pairs", "linked", "reviewed", "matches", "mean probability",
                "match rate (95%)", "agrees"):
        grid.add_column(col)
    for b in c["bands"]:
        rate = (f"{b['match_rate']:.2f} ({b['lower']:.2f}–{b['upper']:.2f})"
                if b["reviewed"] else "—")
        grid.add_row(f"{b['low']:.2f}–{b['high']:.2f}", f"{b['pairs']:,}", f"{b['linked']:,}",
                     str(b["reviewed"]), str(b["matches"]), f"{b['mean_probability']:.3f}",
                     rate, "yes" if b["agrees"] else "NO")
    console.print(grid)
    for name in ("precision", "recall"):
        r = c[name]
        console.print(f"{name}: " + (f"{r['estimate']:.3f} (95% {r['lower']:.3f}–"
                                     f"{r['upper']:.3f})" if r else "not estimable yet"),
                      highlight=False)
    if c["recalibrated"]:
        console.print("the model's probabilities disagree with the reviewed sample: linkage "
                      "draws (`sabt estimate --linkage-draws`) use the calibrated ones")


@app.command("captures")
def captures_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the CSV.")],
    strata: Annotated[str | None, typer.Option(
        "--strata", help="A record field to stratify by (province, sex_code, affiliation …).")
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Write the capture-pattern table (0/1 per list + count) of the latest link run."""
    with session(workspace, database_url) as (ws, me):
        table = ws.linkage.capture_table(me, strata)
    table.to_csv(out, index=False)
    console.print(f"wrote {len(table):,} capture patterns ({int(table['count'].sum()):,} persons) "
                  f"to {out}")
