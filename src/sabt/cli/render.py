"""Rich renderings shared by commands: an entity with its sourced statements, a history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from sabt.model.statements import (
    EntityView,
    Reference,
    Statement,
    Text,
    value_text,
)
from sabt.safety import printable, shown
from sabt.store.workspace import HistoryEntry
from sabt.text.normalize import detect_script


def latin_form(text: str) -> str:
    """A Latin reading of Persian text (romanised per token), or '' for Latin text."""
    if detect_script(text) not in ("persian", "mixed"):
        return ""
    from sabt.text.romanize import romanize

    candidates = romanize(text)
    return candidates[0] if candidates else ""


def _value_cell(st: Statement) -> RichText:
    text = printable(value_text(st.value))
    cell = RichText(text)
    if isinstance(st.value, Text) and detect_script(text) in ("persian", "mixed"):
        latin = latin_form(text)
        if latin:
            cell.append(f"\n{latin}", style="dim")
    return cell


def _ref_line(ref: Reference) -> str:
    where = str(ref.locator)
    quote = f" “{ref.quote[:120]}{'…' if len(ref.quote) > 120 else ''}”" if ref.quote else ""
    return f"{ref.source_id}{' ' + where if where else ''}{quote}"


def _sources_cell(st: Statement) -> RichText:
    if not st.sourced:
        return RichText("unsourced", style="bold yellow")
    cell = RichText("\n".join(printable(_ref_line(r)) for r in st.references))
    if st.withheld_references:
        cell.append(("\n" if st.references else "")
                    + f"{st.withheld_references} reference(s) withheld", style="italic")
    return cell


def _qualifiers(st: Statement) -> str:
    return shown("; ".join(f"{k}: {value_text(v)}" for k, v in st.qualifiers.items()))


def entity_panel(view: EntityView) -> Panel:
    """An entity: its current view with competing statements side by side, then the rest."""
    head = RichText(f"{view.id}  ", style="bold")
    head.append(printable(view.label))
    head.append(f"  [{view.kind}]", style="dim")
    if view.status.value != "active":
        head.append(f"  {view.status.value.upper()}", style="bold red")
    if view.merged_into:
        head.append(f"  merged into {view.merged_into}", style="bold magenta")
    if view.merged_from:
        head.append(f"  (includes {', '.join(view.merged_from)})", style="magenta")

    table = Table(show_lines=True, expand=True)
    for name in ("property", "value", "qualifiers", "conf.", "sources (locator, quote)", "id"):
        table.add_column(name, overflow="fold")
    seen: set[int] = set()
    for pv in view.view:
        for rank, st in enumerate(pv.candidates):
            label = shown(pv.property) if rank == 0 else ""
            if pv.conflict and rank == 0:
                label += "\n⚠ conflict"
            style = "" if rank == 0 else "dim"
            mark = f"{st.id}" + ("" if rank else " ★") + (f" ({st.rank.value})"
                                                          if st.rank.value != "normal" else "")
            table.add_row(label, _value_cell(st), _qualifiers(st), st.confidence.value,
                          _sources_cell(st), mark, style=style)
            seen.add(st.id)
    hidden = [st for st in view.statements if st.id not in seen]
    parts: list[Any] = [head, table]
    if view.withheld:
        parts.append(RichText("withheld (you may not see them): " + "; ".join(
            f"{w.count} statement(s) of {w.property!r}" for w in view.withheld), style="italic"))
    if hidden:
        rest = Table(title="retracted or deprecated", expand=True)
        for name in ("id", "property", "value", "status", "rank"):
            rest.add_column(name)
        for st in hidden:
            rest.add_row(str(st.id), shown(st.property), shown(value_text(st.value)),
                         st.status.value,
                         st.rank.value, style="dim")
        parts.append(rest)
    return Panel(Group(*parts), title="entity", title_align="left")


def history_table(entity_id: str, entries: Sequence[HistoryEntry]) -> Table:
    table = Table(title=f"history of {entity_id}")
    for name in ("rev", "when (UTC)", "who", "action", "detail", "why"):
        table.add_column(name, overflow="fold")
    for h in entries:
        table.add_row(str(h.revision_id), h.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                      shown(h.author), h.action, shown(h.detail), shown(h.reason))
    return table
