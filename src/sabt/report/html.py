"""Render a `ReportData` as one self-contained HTML file (inline CSS and SVG, no scripts).

English with Persian names and dates laid out right-to-left (`<bdi dir="rtl" lang="fa">`);
works offline; the synthetic section is boxed, striped and labelled on every element.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

from sabt.claims.board import Board, Claim, StoredEstimate, claim_order
from sabt.model.dates import FuzzyDate
from sabt.report.data import ReportData, SourceInfo
from sabt.text.dates import format_date
from sabt.text.normalize import detect_script

CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#d8dde5; --accent:#7a1f2b; --warn:#9a5b00;
        --synth:#31508c; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", "Vazirmatn", "Noto Naskh Arabic", sans-serif;
       color: var(--ink); margin: 0; line-height: 1.45; font-size: 15px; }
header { background: #20262f; color: #fff; padding: 1.2rem 2rem; }
header h1 { margin: 0 0 .3rem 0; font-size: 1.6rem; }
header p { margin: .2rem 0; color: #c9d1dc; }
nav { padding: .5rem 2rem; border-bottom: 1px solid var(--line); position: sticky; top: 0;
      background: #fff; z-index: 2; }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
main { padding: 0 2rem 3rem 2rem; max-width: 1300px; }
h2 { border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top;
         text-align: left; }
th { background: #f3f5f8; }
td.num { text-align: right; white-space: nowrap; }
q { font-style: italic; color: #39404c; }
.muted { color: var(--muted); font-size: .85rem; }
.flag { display: inline-block; padding: 0 .35rem; border-radius: .3rem; font-size: .75rem;
        background: #eef1f5; margin: 0 .15rem .15rem 0; }
.flag.disputed { background: #fde8c8; color: var(--warn); font-weight: bold; }
.fa { font-family: "Vazirmatn", "Noto Naskh Arabic", "DejaVu Sans", sans-serif; }
.note { background: #f7f7f2; border-left: 4px solid #b9b48a; padding: .5rem .8rem; }
.synthetic { border: 3px dashed var(--synth); padding: .2rem 1.2rem 1rem 1.2rem;
             margin-top: 2rem;
             background: repeating-linear-gradient(135deg, #f4f7fd, #f4f7fd 14px,
                                                   #eaf0fb 14px, #eaf0fb 28px); }
.synthetic h2 { border-color: var(--synth); color: var(--synth); }
.badge { display: inline-block; background: var(--synth); color: #fff; font-weight: bold;
         padding: .1rem .5rem; border-radius: .3rem; font-size: .8rem; letter-spacing: .05em; }
.ok { color: #1c6b2a; font-weight: bold; } .bad { color: #a3141d; font-weight: bold; }
svg text { font-family: "DejaVu Sans", sans-serif; font-size: 11px; fill: #333; }
code { font-size: .8rem; word-break: break-all; }
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def fa(text: str) -> str:
    """Persian text, isolated and laid out right to left inside English prose."""
    return f'<bdi class="fa" dir="rtl" lang="fa">{e(text)}</bdi>' if text else ""


def quote(text: str) -> str:
    """A quotation in its own direction (Persian quotes right to left)."""
    if detect_script(text) in ("persian", "mixed"):
        return f'<q class="fa" dir="rtl" lang="fa">{e(text)}</q>'
    return f"<q>{e(text)}</q>"


def both_calendars(date: FuzzyDate | None) -> str:
    if date is None or date.is_unknown:
        return "—"
    gregorian = e(format_date(date))
    persian = format_date(date, calendar="solar_hijri", script="persian")
    return f"{gregorian}<br>{fa(persian)}"


def source_links(ids: Iterable[str]) -> str:
    return ", ".join(f'<a href="#src-{e(i)}">{e(i)}</a>' for i in ids)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


# --- charts -------------------------------------------------------------------------------

def _log_axis(lo: float, hi: float, width: int, left: int) -> tuple[float, float, list[float]]:
    lo_l, hi_l = math.log10(lo), math.log10(hi)
    ticks = [m * 10 ** k for k in range(int(lo_l), int(hi_l) + 1) for m in (1, 2, 5)
             if lo <= m * 10 ** k <= hi]
    return lo_l, (width - left - 20) / (hi_l - lo_l), ticks


def claims_chart(claims: Sequence[Claim]) -> str:
    """Each figure on a log scale: a dot, a bar for ranges and 'or', an arrow for 'at least'."""
    numeric = [c for c in claims if c.low is not None or c.high is not None]
    if not numeric:
        return ""
    values = [v for c in numeric for v in (c.low, c.high) if v]
    lo, hi = min(values) / 1.5, max(values) * 1.6
    width, left, row = 900, 70, 16
    lo_l, scale, ticks = _log_axis(lo, hi, width, left)

    def x(v: float) -> float:
        return left + (math.log10(v) - lo_l) * scale

    height = 30 + row * len(numeric)
    parts = [f'<svg role="img" aria-label="published figures, log scale" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">']
    for tick in ticks:
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="10" y2="{height - 18}" '
                     f'stroke="#e3e6eb"/><text x="{x(tick):.1f}" y="{height - 4}" '
                     f'text-anchor="middle">{tick:,.0f}</text>')
    for i, c in enumerate(numeric):
        y = 18 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{e(c.claim_id)}</text>')
        a = c.low if c.low is not None else c.high
        b = c.high if c.high is not None else c.low
        assert a is not None and b is not None
        if b != a:
            parts.append(f'<line x1="{x(a):.1f}" x2="{x(b):.1f}" y1="{y}" y2="{y}" '
                         'stroke="#7a1f2b" stroke-width="3"/>')
        if c.figure.startswith("at least"):
            parts.append(f'<line x1="{x(a):.1f}" x2="{x(a) + 22:.1f}" y1="{y}" y2="{y}" '
                         'stroke="#7a1f2b" stroke-dasharray="3,2"/>')
        for v in {a, b}:
            parts.append(f'<circle cx="{x(v):.1f}" cy="{y}" r="3.5" fill="#7a1f2b">'
                         f'<title>{e(c.claim_id)}: {e(c.figure)} ({e(c.claimant)})</title>'
                         '</circle>')
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(estimates: Sequence[StoredEstimate], truth: float | None) -> str:
    """Point and 95% interval per method, with the observed count and (synthetic) true N."""
    shown = [m for m in estimates if m.estimate is not None]
    if not shown:
        return ""
    observed = shown[0].n_observed or 0
    values = [v for m in shown for v in (m.lower, m.upper, m.estimate) if v]
    values += [observed] + ([truth] if truth else [])
    lo, hi = min(values) * 0.95, max(values) * 1.05
    width, left, row = 1000, 260, 26
    height = 40 + row * len(shown)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (width - left - 20)

    parts = [f'<svg role="img" aria-label="SYNTHETIC estimates with 95% intervals" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<text x="{width - 10}" y="12" text-anchor="end" fill="#31508c" '
             'font-weight="bold">SYNTHETIC DATA</text>']
    for name, value, colour in (("observed", observed, "#888"), ("true N", truth, "#1c6b2a")):
        if value:
            parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="18" '
                         f'y2="{height - 16}" stroke="{colour}" stroke-dasharray="4,3"/>'
                         f'<text x="{x(value):.1f}" y="{height - 3}" text-anchor="middle" '
                         f'fill="{colour}">{name} {value:,.0f}</text>')
    for i, m in enumerate(shown):
        y = 30 + i * row
        label = f"{m.method} {m.model}"
        label = label if len(label) <= 38 else label[:37] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{e(label)}</text>')
        if m.lower is not None and m.upper is not None:
            parts.append(f'<line x1="{x(m.lower):.1f}" x2="{x(m.upper):.1f}" y1="{y}" '
                         f'y2="{y}" stroke="#31508c" stroke-width="4"/>')
        assert m.estimate is not None
        parts.append(f'<circle cx="{x(m.estimate):.1f}" cy="{y}" r="5" fill="#fff" '
                     'stroke="#31508c" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


# --- sections ---------------------------------------------------------------------------

def board_section(board: Board, data: ReportData) -> str:
    rows = []
    for c in sorted(board.claims, key=claim_order):
        src = data.sources.get(c.source_id)
        source = (f'<a href="#src-{e(c.source_id)}">{e(c.source_id)}</a> '
                  f'{e(src.title) if src else ""}'
                  f'{" — " + e(src.publisher) if src and src.publisher else ""}'
                  if c.source_id else '<span class="flag disputed">unsourced</span>')
        flags = "".join(f'<span class="flag {e(f)}">{"⚠ " if f == "disputed" else ""}{e(f)}'
                        '</span>' for f in c.flags)
        claimant = e(c.claimant) + (f'<div class="muted">{e(c.claimant_type)}; {e(c.relay)}'
                                    '</div>')
        if c.attributed_to:
            claimant += f'<div class="muted">credits: {e(c.attributed_to)}</div>'
        note = f'<div class="muted">{e(c.note)}</div>' if c.note else ""
        rows.append(f"<tr id=\"claim-{e(c.claim_id)}\"><td>{e(c.claim_id)}</td>"
                    f'<td class="num">{e(c.figure)}</td><td>{claimant}</td>'
                    f"<td>{both_calendars(c.date)}</td><td>{source}</td>"
                    f"<td>{quote(c.quote)}{note}</td><td>{flags}</td></tr>")
    estimates = ("".join(f"<li>{e(m.method)} {e(m.model)}: {_fmt(m.estimate)} "
                         f"({_fmt(m.lower)}–{_fmt(m.upper)})</li>" for m in board.estimates)
                 or "<li class=\"muted\">Sabt has computed no estimate for this subject.</li>")
    return (f'<section class="board" id="{e(board.subject_id)}"><h3>{e(board.subject)}</h3>'
            f'<p class="muted">{len(board.claims)} claim(s) · subject id '
            f"<code>{e(board.subject_id)}</code></p>{claims_chart(board.claims)}"
            "<table><thead><tr><th>claim</th><th>figure</th><th>claimant</th>"
            "<th>date</th><th>source</th><th>quote</th><th>flags</th></tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table><p>Estimates by Sabt:</p><ul>{estimates}</ul>"
            "</section>")


def synthetic_section(data: ReportData) -> str:
    truth = data.synthetic_truth.get("true_n")
    rows = "".join(
        f"<tr><td>{e(m.method)}</td><td>{e(m.model)}</td><td class=\"num\">{_fmt(m.estimate)}"
        f"</td><td class=\"num\">{_fmt(m.lower)} – {_fmt(m.upper)}</td>"
        f"<td>{e(m.diagnostics.get('interval', ''))}</td>"
        f"<td class=\"muted\">{e(', '.join(map(str, m.diagnostics.get('warnings', []) or [])))}"
        "</td></tr>" for m in data.synthetic_estimates)
    linkage = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>"
                      for k, v in data.linkage.items())
    inputs = data.synthetic_estimates[0].inputs if data.synthetic_estimates else {}
    return (
        '<section class="synthetic" id="synthetic"><h2><span class="badge">SYNTHETIC</span> '
        "Estimates from synthetic victim lists</h2>"
        '<p><strong>SYNTHETIC DATA — not a finding about 1988.</strong> These lists were '
        "generated by <code>sabt simulate</code> (scenario <code>"
        f'{e(data.synthetic_truth.get("scenario", "1988-like"))}</code>) to show the pipeline: '
        "import, cross-script linkage, review, capture histories and multiple-systems "
        "estimation. No real person is named in them. Because the data are synthetic, the true "
        f"number is known: <strong>{_fmt(truth)}</strong>.</p>"
        f"{interval_chart(data.synthetic_estimates, truth)}"
        "<table><thead><tr><th>method</th><th>model</th><th>estimate</th><th>95% interval</th>"
        "<th>interval</th><th>warnings</th></tr></thead><tbody>"
        f"{rows}</tbody></table>"
        f'<p class="muted">Inputs: <code>{e(inputs)}</code></p>'
        "<h3>Linkage summary (SYNTHETIC lists)</h3>"
        f"<table>{linkage}</table></section>")


def officials_section(data: ReportData) -> str:
    blocks = []
    for person in data.officials:
        rows = "".join(
            f"<tr><td>{e(p.role)}</td><td>{e(p.organization)}</td>"
            f"<td>{both_calendars(p.start)}</td><td>{both_calendars(p.end)}</td>"
            f"<td>{e(p.as_of)}</td><td>{e(p.attribution)}</td><td>{e(p.confidence)}</td>"
            f"<td>{source_links(p.sources)}</td></tr>" for p in person.posts)
        blocks.append(
            f'<h3 id="{e(person.id)}">{e(person.name)} {fa(person.name_fa)} '
            f'<span class="muted">{e(person.id)}</span></h3>'
            "<table><thead><tr><th>role (as the sources word it)</th><th>organisation</th>"
            "<th>start</th><th>end</th><th>as of</th><th>attribution</th><th>confidence</th>"
            f"<th>sources</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(blocks)


def places_section(data: ReportData) -> str:
    rows = []
    for p in data.places:
        coords = "—"
        if p.latitude is not None and p.longitude is not None:
            coords = (f"{p.latitude:.5f}, {p.longitude:.5f}<div class=\"muted\">as published: "
                      f"{e(p.coordinate_quote)} ({source_links([p.coordinate_source])})</div>")
        rows.append(f'<tr id="{e(p.id)}"><td>{e(p.name)}</td><td>{fa(p.name_fa)}</td>'
                    f"<td>{e(p.kind)}</td><td>{e(p.city)}</td><td>{coords}</td>"
                    f"<td>{source_links(p.sources)}</td></tr>")
    return ("<table><thead><tr><th>place</th><th>Persian</th><th>kind</th><th>city</th>"
            "<th>coordinates (only where a source published them)</th><th>sources</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def timeline_section(data: ReportData) -> str:
    rows = "".join(
        f'<tr id="{e(ev.id)}"><td>{e(format_date(ev.date))}</td>'
        f'<td>{fa(format_date(ev.date, calendar="solar_hijri", script="persian"))}</td>'
        f"<td><strong>{e(ev.title)}</strong><div>{e(ev.description)}</div></td>"
        f"<td>{source_links(ev.sources)}</td></tr>" for ev in data.timeline)
    return ("<table><thead><tr><th>Gregorian</th><th>Solar Hijri (هجری شمسی)</th>"
            "<th>event, as its sources describe it</th><th>sources</th></tr></thead><tbody>"
            f"{rows}</tbody></table>")


def vault_section(data: ReportData) -> str:
    verify = data.vault_verify
    status = ('<span class="ok">verified: every item re-hashed and the custody chain checks'
              "</span>" if verify.get("ok") else
              f'<span class="bad">verification failed: {e(verify.get("problems"))}</span>')
    rows = "".join(
        f"<tr><td><code>{e(item.get('sha256', ''))}</code></td><td>{e(item.get('name', ''))}"
        f"</td><td>{e(item.get('media_type', ''))}</td><td class=\"num\">"
        f"{e(item.get('size', ''))}</td></tr>" for item in data.vault_items)
    return (f"<p>{status} ({e(verify.get('items', len(data.vault_items)))} items, "
            f"{e(verify.get('log_entries', ''))} custody-log entries).</p>"
            "<table><thead><tr><th>SHA-256</th><th>original name</th><th>media type</th>"
            f"<th>bytes</th></tr></thead><tbody>{rows}</tbody></table>")


def preserved(source: SourceInfo, captures: Sequence[str | None]) -> str:
    """Whether a cited web page has a preserved capture in the vault (its hash), or says plainly
    that it has none."""
    shown = [f"<code>{e(sha)}</code>" for sha in captures if sha]
    hidden = sum(1 for sha in captures if sha is None)
    if hidden:
        shown.append(f'<span class="muted">{hidden} capture(s) withheld</span>')
    if shown:
        return "<br>".join(shown)
    if source.url.startswith(("http://", "https://")):
        return '<span class="flag disputed">no preserved capture</span>'
    return ""


def sources_section(data: ReportData) -> str:
    rows = "".join(
        f'<tr id="src-{e(s.id)}"><td>{e(s.id)}</td><td>{e(s.title)}</td><td>{e(s.publisher)}'
        f"</td><td>{e(s.published)}</td><td>"
        + (f'<a href="{e(s.url)}" rel="noreferrer noopener">{e(s.url)}</a>' if s.url.startswith(
            ("http://", "https://")) else e(s.url))
        + f"</td><td>{preserved(s, data.captures.get(s.id, []))}</td></tr>"
        for s in sorted(data.sources.values(), key=lambda s: s.id))
    unpreserved = sum(1 for s in data.sources.values() if s.url.startswith(
        ("http://", "https://")) and not data.captures.get(s.id))
    note = (f'<p class="note">{unpreserved} cited web page(s) have no preserved capture: the '
            "page may have changed or gone since it was cited. <code>sabt add-capture SOURCE "
            "FILE</code> keeps a WARC, WACZ or saved copy in the vault.</p>"
            if unpreserved else "")
    return (f"{note}<table><thead><tr><th>id</th><th>title</th><th>publisher</th><th>date</th>"
            "<th>address</th><th>preserved capture (SHA-256)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def render(data: ReportData) -> str:
    """The whole report as one HTML document."""
    boards = "".join(board_section(b, data) for b in data.boards)
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Sabt {e(data.version)}">
<title>{e(data.title)}</title><style>{CSS}</style></head>
<body>
<header><h1>{e(data.title)} <span class="fa" lang="fa" dir="rtl">ثبت</span></h1>
<p>Every figure below is attributed to the source that published it; Sabt takes no side.
Built by Sabt {e(data.version)} on {e(data.generated_at)}.</p></header>
<nav><a href="#claims">Claims board</a><a href="#synthetic">Estimates (SYNTHETIC)</a>
<a href="#officials">Officials</a><a href="#places">Places</a><a href="#timeline">Timeline</a>
<a href="#vault">Evidence vault</a><a href="#sources">Sources</a></nav>
<main>
<h2 id="claims">Claims board: published figures, side by side</h2>
<p class="note">Each row is what one source says, with its exact words. Figures conflict; flags
mark notes, disputed attributions and figures relayed from another party. Read the notes before
citing a figure, and check it against the primary source.</p>
{boards}
{synthetic_section(data)}
<h2 id="officials">Officials and their posts over time</h2>
<p class="note">Posts are <em>alleged</em> or <em>described</em> by the sources cited; confidence
grades the sourcing, not guilt. Only Hamid Nouri has been convicted (Gohardasht prison only).
</p>
{officials_section(data)}
<h2 id="places">Prisons, grave sites and other places</h2>
{places_section(data)}
<h2 id="timeline">Timeline in both calendars</h2>
{timeline_section(data)}
<h2 id="vault">Evidence vault: manifest and verification</h2>
{vault_section(data)}
<h2 id="sources">Sources</h2>
{sources_section(data)}
</main></body></html>
"""
