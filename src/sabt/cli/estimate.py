"""`sabt estimate`: multiple-systems estimates from a capture-pattern or capture-history CSV,
or from the capture patterns of a workspace's latest link run.

The estimation code (numba, scipy), the workspace (SQLAlchemy, pandas) and plotting
(matplotlib) are imported inside the command, so registering it (as `sabt --help` does)
loads none of them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from sabt.cli.app import DatabaseUrlOpt, JsonOpt, app, console, err_console
from sabt.errors import InvalidValue

if TYPE_CHECKING:
    from sabt.estimate.propagate import PropagatedReport
    from sabt.estimate.report import EstimateReport
    from sabt.policy import Actor
    from sabt.service.workspace import Workspace

MergeOpt = Annotated[list[str] | None, typer.Option(
    "--merge-strata", help="FROM=INTO: count stratum FROM's people in INTO (any spelling; "
                           "repeatable), e.g. unknown=Tehran.")]
DropOpt = Annotated[list[str] | None, typer.Option(
    "--drop-stratum", help="Leave this stratum's people out of the estimate (repeatable).")]
DrawsOpt = Annotated[int, typer.Option(
    "--linkage-draws", help="Draw this many linkages from the run's match probabilities, "
                            "estimate on each and pool: intervals that include the "
                            "linkage's uncertainty (0: the point linkage only).")]


def _fmt(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def _print_report(report: EstimateReport, title: str) -> None:
    table = Table(title=title, title_justify="left")
    for col in ("method", "model", "estimate", "95% interval", "interval type", "diagnostics"):
        table.add_column(col, justify="right" if col == "estimate" else "left")
    for e in report.estimates:
        d = e.diagnostics
        if e.method == "lcmcr" and len(d.get("modes", [])) > 1:
            diag = "chains in different modes: " + "; ".join(
                f"{_fmt(m['median'])} (chains {', '.join(map(str, m['chains']))})"
                for m in d["modes"])
        elif e.method == "lcmcr" and "rhat" in d:
            diag = f"R-hat {d['rhat']:.3f}, ESS {d['ess']:.0f}, {d['draws']} draws"
        elif e.method == "loglinear" and not e.averaged and "bic" in d:
            diag = f"BIC {d['bic']:.1f}, {d['models_fitted']} models, MLE " + (
                "exists" if d["mle_exists"] else "on boundary")
        elif e.method == "loglinear" and "effective_models" in d:
            diag = f"{d['effective_models']:.1f} effective models"
        elif e.method == "dga" and "top_graphs" in d:
            g = d["top_graphs"][0]
            diag = f"δ={d['delta']:.4g}; top graph {g['graph']} ({g['weight']:.0%})"
        else:
            diag = ""
        name = e.model + (" (averaged)" if e.averaged and e.method == "loglinear" else "")
        table.add_row(e.method, name, _fmt(e.estimate), f"{_fmt(e.lower)} – {_fmt(e.upper)}",
                      e.interval, diag)
    console.print(table)


@app.command()
def estimate(
    file: Annotated[Path | None, typer.Argument(
        help="Capture-pattern CSV (0/1 per list + count) or capture histories (0/1 per list, "
             "one row a person). With --workspace only when saving there (--save).")] = None,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Estimate from this workspace's latest link run instead of a "
                                  "file (see `sabt captures`).", show_default=False)] = None,
    database_url: DatabaseUrlOpt = None,
    method: Annotated[str, typer.Option(help="loglinear, lcmcr, dga or all.")] = "all",
    K: Annotated[int, typer.Option("--K", help="LCMCR: maximum number of latent classes.")] = 10,
    burn_in: Annotated[int | None, typer.Option(
        help="LCMCR burn-in iterations (default 10,000; 5,000 with --fast).")] = None,
    samples: Annotated[int, typer.Option(help="LCMCR draws kept per chain.")] = 1_000,
    thinning: Annotated[int | None, typer.Option(
        help="LCMCR iterations per kept draw (default 1,000; 50 with --fast).")] = None,
    chains: Annotated[int, typer.Option(help="LCMCR chains (run in parallel).")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 19481210,
    a_alpha: Annotated[float, typer.Option(help="LCMCR alpha prior shape.")] = 0.25,
    b_alpha: Annotated[float, typer.Option(help="LCMCR alpha prior rate.")] = 0.25,
    fast: Annotated[bool, typer.Option("--fast", help="Quick LCMCR preset (burn-in 5,000, "
                                       "thinning 50) unless those are given.")] = False,
    delta: Annotated[float | None, typer.Option(help="dga prior delta (default 2^-J).")] = None,
    max_order: Annotated[int | None, typer.Option(help="Log-linear: highest interaction order "
                                                  "(default J-1, 2 for 6 lists).")] = None,
    strata: Annotated[list[str] | None, typer.Option("--strata", help="Stratum column "
                                                     "(repeatable).")] = None,
    json_out: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option(help="Write posterior densities and the model "
                                              "comparison to this image file.")] = None,
    sensitivity: Annotated[bool, typer.Option("--sensitivity",
                                              help="Re-estimate leaving each list out.")] = False,
    draws: Annotated[Path | None, typer.Option(help="Write LCMCR's draws of N (chain, draw, N, "
                                               "alpha) to this CSV file.")] = None,
    trace: Annotated[Path | None, typer.Option(help="Write LCMCR trace plots (N per chain) to "
                                               "this image file.")] = None,
    merge_strata: MergeOpt = None,
    drop_stratum: DropOpt = None,
    linkage_draws: DrawsOpt = 0,
    per_band: Annotated[int, typer.Option(
        help="With --linkage-draws: pairs per band of the reviewed band sample (as `sabt "
             "review --sample-bands`) used to check and calibrate the probabilities.")] = 20,
    band_seed: Annotated[int, typer.Option(help="Seed of the band sample.")] = 1988,
    save: Annotated[str | None, typer.Option(
        "--save", metavar="SUBJECT", help="Keep the estimates in the workspace under this "
        "claims-board subject (its id, see `sabt claims`): they appear beside the published "
        "figures on the board, the web application and the report.")] = None,
    label: Annotated[str | None, typer.Option(
        help="With --save: what the estimates are called (default: the data they came "
             "from).")] = None,
) -> None:
    """How many were killed: every method side by side, with 95% intervals and diagnostics."""
    from sabt.estimate import LcmcrSettings, estimate_all, read_capture_csv
    from sabt.estimate.strata import edit_strata, parse_merges

    settings = LcmcrSettings.chosen(fast=fast, burn_in=burn_in, thinning=thinning, K=K,
                                    a_alpha=a_alpha, b_alpha=b_alpha, samples=samples,
                                    chains=chains, seed=seed)
    methods = ["loglinear", "lcmcr", "dga"] if method == "all" else [method]
    merges = parse_merges(merge_strata or [])
    if linkage_draws:
        if workspace is None or file is not None:
            raise InvalidValue("--linkage-draws needs --workspace (for list files use `sabt "
                               "estimate-lists`)", field="linkage-draws")
        from sabt.cli.app import session

        with session(workspace, database_url) as (ws, me), _Phases() as phases:
            propagated = ws.estimates.propagate(
                me, draws=linkage_draws, methods=methods, strata=strata or [], merge=merges,
                drop=drop_stratum or [], seed=seed, lcmcr=settings, delta=delta,
                max_order=max_order, per_band=per_band, band_seed=band_seed, progress=phases)
        if save is not None:
            _keep(ws, me, save, label or f"{workspace} (latest link run), {linkage_draws} "
                  "linkage draws", propagated.to_dict(), {
                      "capture table": "latest link run", "linkage draws": linkage_draws,
                      "methods": methods, "strata": strata or [], "seed": seed})
        print_propagated(propagated, f"{workspace} (latest link run)", json_out)
        return
    if save is not None and workspace is None:
        raise InvalidValue("--save keeps the estimates in a workspace: give --workspace",
                           field="save")
    if file is not None and (workspace is None or save is not None):
        table = read_capture_csv(file, strata=strata or [])
        name = file.name
    elif workspace is not None and file is None:
        from sabt.cli.app import session

        with session(workspace, database_url) as (ws, me):
            table = ws.estimates.capture_table(me, strata or [])
        name = f"{workspace} (latest link run)"
    else:
        raise InvalidValue("give a capture CSV file or --workspace (both only with --save)",
                           field="FILE")
    table, notes = edit_strata(table, merges, drop_stratum or [])
    report = estimate_all(table, methods, lcmcr=settings, delta=delta, max_order=max_order,
                          sensitivity=sensitivity)
    report.warnings[:0] = notes
    if save is not None and workspace is not None:
        _save(workspace, database_url, save, label or name, report, {
            "capture table": name, "methods": methods, "lists": list(report.lists),
            "strata": strata or [], "merged strata": merge_strata or [],
            "dropped strata": drop_stratum or [], "seed": seed,
            **({"lcmcr": {"K": K, "chains": chains, "burn-in": settings.burn_in,
                          "thinning": settings.thinning, "samples": samples}}
               if "lcmcr" in methods else {})})
    if plot is not None:
        from sabt.estimate.plot import plot_report

        plot_report(report, plot)
    if trace is not None:
        from sabt.estimate.plot import plot_trace

        plot_trace(report, trace)
    if draws is not None:
        from sabt.estimate.report import write_lcmcr_draws

        write_lcmcr_draws(report, draws)
    if json_out:
        console.print_json(json.dumps(report.to_dict()))
        return
    _print_report(report, f"{name}: {report.n_observed:,} people seen on "
                          f"{len(report.lists)} lists ({', '.join(report.lists)})")
    for label, sub in report.strata.items():
        _print_report(sub, f"stratum {label}: {sub.n_observed:,} people seen")
    if report.loglinear is not None:
        t = Table(title="Log-linear: Rcapture closedp.t models", title_justify="left")
        for col in ("model", "estimate", "Wald 95%", "deviance", "df", "BIC"):
            t.add_column(col)
        for f in report.loglinear.classic:
            t.add_row(f.name, _fmt(f.estimate), f"{_fmt(f.lower)} – {_fmt(f.upper)}",
                      f"{f.deviance:.1f}", str(f.df), f"{f.bic:.1f}")
        console.print(t)
    ll = report.loglinear
    if ll is not None and ll.fit is not None:
        g = ll.fit
        fit = (f"deviance {g.deviance:.1f} on {g.df} df (deviance/df {g.deviance_per_df:.2f}, "
               f"p = {g.p_value:.2g}); largest Pearson residuals " + ", ".join(
                   f"{p} {r:+.1f} ({o} seen, {m:.1f} fitted)" for p, o, m, r in g.largest())
               if g.df > 0 else "saturated (0 residual df): the fit cannot be checked")
        console.print(f"log-linear {ll.best.name} fit: {fit}", highlight=False)
        console.print(f"log-linear model search: {ll.search}", highlight=False)
    for s in report.sensitivity:
        if "error" in s:
            console.print(f"without {s['left_out']}: {s['error']}")
            continue
        parts = [f"{e['method']}{' avg' if e['averaged'] else ''} {_fmt(e['estimate'])} "
                 f"({_fmt(e['lower'])}–{_fmt(e['upper'])})" for e in s["estimates"]]
        console.print(f"without {s['left_out']} (n={s['n_observed']:,}): " + "; ".join(parts))
    for w in report.warnings:
        err_console.print(f"[bold yellow]warning:[/] {w}", highlight=False)
    for label, path in (("plot", plot), ("trace plot", trace), ("draws", draws)):
        if path is not None:
            console.print(f"{label} written to {path}")


def _save(workspace: Path, database_url: str | None, subject: str, label: str,
          report: EstimateReport, inputs: dict[str, Any]) -> None:
    """Keep the report's estimates under a claims-board subject and say so."""
    from sabt.cli.app import session

    with session(workspace, database_url) as (ws, me):
        _keep(ws, me, subject, label, report.to_dict(), inputs)


def _keep(ws: Workspace, me: Actor, subject: str, label: str, report: dict[str, Any],
          inputs: dict[str, Any]) -> None:
    ids = ws.estimates.save(me, report, label=label, synthetic=False, subject_id=subject,
                            inputs=inputs)
    err_console.print(f"kept {len(ids)} estimate(s) under subject {subject} "
                      f"(ids {', '.join(map(str, ids))})", highlight=False)


class _Phases:
    """Progress of a long run on stderr, one line per phase (nothing on stdout, so --json
    stays clean)."""

    def __enter__(self) -> _Phases:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def __call__(self, message: str) -> None:
        err_console.print(f"[dim]{message}[/]", highlight=False)


def print_propagated(report: PropagatedReport, name: str, json_out: bool) -> None:
    """The propagated estimates beside the naive ones, the linkage's share, the calibration."""
    if json_out:
        console.print_json(json.dumps(report.to_dict()))
        return
    lo, hi = report.clusters[1], report.clusters[2]
    table = Table(title=f"{name}: {report.naive.n_observed:,} people seen on the point linkage "
                        f"({lo:,.0f}–{hi:,.0f} over {report.draws} linkage draws)",
                  title_justify="left")
    for col in ("method", "model", "estimate", "95% with linkage", "naive 95%",
                "linkage share", "draws"):
        table.add_column(col, justify="right" if col in ("estimate", "draws") else "left")
    for e in report.estimates:
        p = e.pooled
        table.add_row(e.method, e.model, _fmt(p.estimate) if p else "—",
                      f"{_fmt(p.lower)} – {_fmt(p.upper)}" if p else f"none: {e.note}",
                      f"{_fmt(e.naive.lower)} – {_fmt(e.naive.upper)}",
                      f"{p.linkage_share:.0%}" if p else "—", str(e.linkages))
    console.print(table)
    console.print(f"match probabilities drawn from: {report.probabilities}", highlight=False)
    c = report.calibration
    if c and c.get("precision"):
        pr, rc = c["precision"], c["recall"]
        line = (f"linkage checked on {c['reviewed']} reviewed pairs: precision "
                f"{pr['estimate']:.3f} ({pr['lower']:.3f}–{pr['upper']:.3f})")
        if rc:
            line += f", recall {rc['estimate']:.3f} ({rc['lower']:.3f}–{rc['upper']:.3f})"
        console.print(line, highlight=False)
    for w in report.to_dict()["warnings"]:
        err_console.print(f"[bold yellow]warning:[/] {w}", highlight=False)


@app.command("estimate-lists")
def estimate_lists(
    files: Annotated[list[Path], typer.Argument(help="List files (.csv, .xlsx, .json), one per "
                                                     "list.")],
    mapping: Annotated[Path | None, typer.Option(help="mapping.toml for unknown headers.")] = None,
    method: Annotated[str, typer.Option(help="loglinear, lcmcr, dga or all.")] = "all",
    strata: Annotated[str | None, typer.Option(
        "--strata", help="A record field to stratify by (province, sex_code …).")] = None,
    merge_strata: MergeOpt = None,
    drop_stratum: DropOpt = None,
    linkage_draws: Annotated[int, typer.Option(
        "--linkage-draws", help="Linkages drawn from the match probabilities.")] = 200,
    one_per_list: Annotated[bool, typer.Option(
        "--one-per-list", help="No list names a person twice (records of a list never "
                               "join).")] = False,
    seed: Annotated[int, typer.Option(help="Random seed (draws and LCMCR).")] = 19481210,
    delta: Annotated[float | None, typer.Option(help="dga prior delta (default 2^-J).")] = None,
    max_order: Annotated[int | None, typer.Option(help="Log-linear: highest interaction "
                                                  "order.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Quick LCMCR preset on the point "
                                                      "linkage.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Link list files, draw linkages, estimate on each and pool — N with an interval that
    includes the linkage's uncertainty, for statisticians with only files."""
    from functools import partial

    from sabt.estimate import LcmcrSettings
    from sabt.estimate.propagate import propagate
    from sabt.estimate.strata import edit_strata, parse_merges
    from sabt.ingest.headers import Mapping
    from sabt.link.files import linkage_input_files
    from sabt.link.options import LinkSettings

    methods = ["loglinear", "lcmcr", "dga"] if method == "all" else [method]
    merges = parse_merges(merge_strata or [])
    with _Phases() as phases:
        inp, warnings = linkage_input_files(
            files, LinkSettings(all_duplicate_free=one_per_list),
            mapping=Mapping.load(mapping) if mapping else None, strata=strata, progress=phases)
        for path, ws in warnings.items():
            for w in ws[:5]:
                err_console.print(f"[yellow]warning:[/] {path}: {w}", highlight=False)
        edit = partial(edit_strata, merge=merges, drop=drop_stratum or []) if strata else None
        report = propagate(inp, draws=linkage_draws, methods=methods, seed=seed,
                           lcmcr=LcmcrSettings.chosen(fast=fast, seed=seed), delta=delta,
                           max_order=max_order, edit=edit, progress=phases)
    print_propagated(report, ", ".join(p.name for p in files), json_out)
