"""The JSON form of an entity as the API gives it (`sabt show --json`, the REST API)."""

from __future__ import annotations

from typing import Any

from sabt.model.statements import EntityView, Statement, value_to_json


def statement_json(st: Statement) -> dict[str, Any]:
    return {
        "id": st.id, "entity": st.entity_id, "property": st.property,
        "value": value_to_json(st.value),
        "qualifiers": {k: value_to_json(v) for k, v in st.qualifiers.items()},
        "confidence": st.confidence.value, "rank": st.rank.value, "status": st.status.value,
        "references": [{"source": r.source_id, "page": r.locator.page,
                        "start": r.locator.start, "end": r.locator.end,
                        "time": r.locator.time, "row": r.locator.row,
                        "column": r.locator.column, "quote": r.quote}
                       for r in st.references],
        "withheld_references": st.withheld_references,
    }


def entity_json(view: EntityView) -> dict[str, Any]:
    """An entity with its statements, current view and what was withheld from the reader."""
    return {
        "id": view.id, "kind": view.kind, "label": view.label, "status": view.status.value,
        "merged_into": view.merged_into, "merged_from": list(view.merged_from),
        "view": [{"property": pv.property, "best": pv.best.id, "conflict": pv.conflict,
                  "candidates": [st.id for st in pv.candidates]} for pv in view.view],
        "statements": [statement_json(st) for st in view.statements],
        "withheld": [{"property": w.property, "statements": w.count} for w in view.withheld],
    }
