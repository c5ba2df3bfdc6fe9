"""A source's page: its bibliographic record, its vault items with hash and custody log, the
text with every quote that cites it marked, and the statements citing it. The data is
`ws.entities` and `ws.vault`'s; the marking is `sabt.report.highlight`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from sabt.errors import SabtError
from sabt.report.highlight import Quoted, Segment, segments
from sabt.web.app import Visitor, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["sources"])
Who = Annotated[Visitor, Depends(visitor)]
MAX_SHOWN = 200_000   # characters of a source's text shown on its page


def _gather(request: Request, who: Visitor, source_id: str) -> dict[str, Any]:
    ws = workspace_of(request)
    record = ws.entities.source(who.actor, source_id)
    view = ws.entities.get(who.actor, source_id)
    items = ws.vault.of_source(who.actor, source_id)
    custody = {it["sha256"]: ws.vault.custody(who.actor, it["sha256"]) for it in items}
    citing = ws.entities.citing(who.actor, source_id)
    return {"record": record, "view": view, "items": items, "custody": custody,
            "citing": citing}


@pages.get("/source/{source_id}", response_class=HTMLResponse)
def source(request: Request, who: Who, source_id: str,
           item: Annotated[str, Query(max_length=64)] = "") -> Response:
    data = _gather(request, who, source_id)
    texts = [it for it in data["items"] if it["text_sha256"] or
             it["media_type"].startswith("text/plain")]
    chosen = next((it for it in texts if it["sha256"].startswith(item.lower())), None) \
        if item else (texts[0] if texts else None)
    parts: list[Segment] = []
    missing: list[Quoted] = []
    cut, text_error = False, ""
    if chosen is not None:
        try:
            text = workspace_of(request).vault.text(who.actor, chosen["sha256"])
        except SabtError as exc:
            text, text_error = "", str(exc)
        cut = len(text) > MAX_SHOWN
        quotes = [Quoted(ref.quote, ref.locator.start, ref.locator.end, f"#{st.id}")
                  for st in data["citing"].incoming for ref in st.references
                  if ref.source_id == source_id and ref.quote]
        parts, missing = segments(text[:MAX_SHOWN], quotes)
    return render(request, "source.html", {**data, "chosen": chosen, "texts": texts,
                                           "parts": parts, "missing": missing, "cut": cut,
                                           "text_error": text_error}, who=who)


@api.get("/sources/{source_id}")
def api_source(request: Request, who: Who, source_id: str) -> dict[str, Any]:
    """A source: its record, vault items with custody entries, and the statements citing it."""
    data = _gather(request, who, source_id)
    record = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
              for k, v in data["record"].items()}
    items = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in it.items()}
             for it in data["items"]]
    return {"record": record, "items": items,
            "custody": {sha: [e.to_json() for e in entries]
                        for sha, entries in data["custody"].items()},
            "cited_by": [{"statement": st.id, "entity": st.entity_id,
                          "label": data["citing"].labels.get(st.entity_id),
                          "property": st.property,
                          "quotes": [r.quote for r in st.references
                                     if r.source_id == source_id]}
                         for st in data["citing"].incoming],
            "more": data["citing"].more}
