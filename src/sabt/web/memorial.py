"""The memorial in the server, for everyone (`/memorial/`): the same pages as the static site
(`sabt publish`), from the same templates, showing what is published — whoever is signed in, the
memorial shows exactly what the anonymous public may see. Its pages may be cached (public,
max-age); the correction form is per visitor and is never cached.

Corrections and missing names: forms on pages of their own (so cached pages carry no per-visitor
token), with the CSRF token of the sign-in form; `ws.corrections` checks the fields and the
per-sender rate limit (kept in memory only: nothing about the sender is stored).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from sabt.errors import InvalidValue, NotFound
from sabt.policy import PUBLIC
from sabt.publish.model import Memorial
from sabt.report import i18n
from sabt.service.corrections import RateLimited
from sabt.web.app import LOGIN_CSRF_COOKIE, Visitor, check_csrf, set_cookie, visitor, workspace_of

router = APIRouter(prefix="/memorial", include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]
CACHE = "public, max-age=300"
ASSETS = {"memorial.css": "text/css; charset=utf-8", "OFL.txt": "text/plain; charset=utf-8",
          "NotoNaskhArabic-Regular.ttf": "font/ttf"}


def _memorial(request: Request) -> Memorial:
    return workspace_of(request).publish.memorial()


def _page(request: Request, lang: str, path: str, extra: dict[str, Any] | None = None, *,
          cache: bool = True, status: int = 200) -> HTMLResponse:
    from sabt.publish.site import render_page

    if lang not in i18n.LANGS:
        raise NotFound(f"no page {path!r}")
    html = render_page(_memorial(request), lang, path, server=True, extra=extra,
                       env=request.app.state.env)
    if html is None:
        raise NotFound(f"no memorial page {path!r}")
    response = HTMLResponse(html, status_code=status)
    if cache:
        response.headers["Cache-Control"] = CACHE
    return response


@router.get("/", response_class=HTMLResponse)
@router.get("/index.html", response_class=HTMLResponse)
def landing(request: Request) -> Response:
    from sabt.publish.site import landing as render_landing

    response = HTMLResponse(render_landing(_memorial(request), request.app.state.env))
    response.headers["Cache-Control"] = CACHE
    return response


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    from sabt.publish.site import FONT_NAME, asset, font_files

    if name not in ASSETS:
        raise NotFound(f"no asset {name!r}")
    data = font_files()[f"assets/{name}"] if name in (FONT_NAME, "OFL.txt") else asset(name)
    return Response(data, media_type=ASSETS[name], headers={"Cache-Control": CACHE})


@router.get("/{lang}/search.html", response_class=HTMLResponse)
def search(request: Request, lang: str, q: Annotated[str, Query(max_length=200)] = "",
           ) -> Response:
    hits = search_memorial(request, q)
    return _page(request, lang, "search.html", {"hits": hits, "q": q})


def search_memorial(request: Request, query: str) -> list[Any]:
    """The memorial's search as the static site's script ranks it (same index, same ranking)."""
    from sabt.publish.search import SearchIndex, build_index
    from sabt.publish.site import search_entries

    memorial = _memorial(request)
    cached = getattr(request.app.state, "memorial_index", None)
    if cached is None or cached[0] is not memorial:   # one index, for the current memorial
        cached = (memorial, SearchIndex(build_index(search_entries(memorial))))
        request.app.state.memorial_index = cached
    index: SearchIndex = cached[1]
    return index.rank(query, 50) if query.strip() else []


@router.get("/{lang}/search.json")
def search_json(request: Request, lang: str, q: Annotated[str, Query(max_length=200)] = "",
                ) -> Response:
    """The same search as JSON (ids and scores, best first)."""
    from fastapi.responses import JSONResponse

    hits = search_memorial(request, q)
    return JSONResponse({"query": q, "hits": [{"id": h.id, "score": h.score} for h in hits]},
                        headers={"Cache-Control": CACHE})


@router.get("/{lang}/correct/{entity_id}", response_class=HTMLResponse)
def correction_form(request: Request, who: Who, lang: str, entity_id: str) -> Response:
    return _correction(request, who, lang, entity_id, {})


@router.post("/{lang}/correct/{entity_id}", response_class=HTMLResponse)
def correction_send(request: Request, who: Who, lang: str, entity_id: str,
                    text: Annotated[str, Form(max_length=20_000)] = "",
                    contact: Annotated[str, Form(max_length=2_000)] = "",
                    csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(who, csrf)
    victim = _victim(request, entity_id)
    try:
        workspace_of(request).corrections.submit(
            who.actor if who.signed_in else PUBLIC, victim, text, contact=contact, lang=lang,
            client=_client(request))
    except RateLimited:
        return _correction(request, who, lang, entity_id, {
            "error": i18n.label("m_rate_limited", lang)}, status=429)
    except InvalidValue as exc:
        return _correction(request, who, lang, entity_id, {"error": str(exc)}, status=400)
    return _correction(request, who, lang, entity_id, {"sent": True})


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/{lang}/missing", response_class=HTMLResponse)
def missing_form(request: Request, who: Who, lang: str) -> Response:
    return _missing(request, who, lang, {})


@router.post("/{lang}/missing", response_class=HTMLResponse)
def missing_send(request: Request, who: Who, lang: str,
                 name: Annotated[str, Form(max_length=2_000)] = "",
                 details: Annotated[str, Form(max_length=20_000)] = "",
                 contact: Annotated[str, Form(max_length=2_000)] = "",
                 csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(who, csrf)
    kept = {"name": name, "details": details, "contact": contact}
    try:
        workspace_of(request).corrections.submit_missing(
            who.actor if who.signed_in else PUBLIC, name, details=details, contact=contact,
            lang=lang, client=_client(request))
    except RateLimited:
        return _missing(request, who, lang, {"error": i18n.label("m_rate_limited", lang),
                                             **kept}, status=429)
    except InvalidValue as exc:
        return _missing(request, who, lang, {"error": str(exc), "field": exc.field or "",
                                             **kept}, status=400)
    return _missing(request, who, lang, {"sent": True})


def _missing(request: Request, who: Visitor, lang: str, extra: dict[str, Any], *,
             status: int = 200) -> Response:
    from sabt.publish.site import missing_page
    from sabt.service.corrections import MAX_CONTACT, MAX_NAME, MAX_TEXT

    if lang not in i18n.LANGS:
        raise NotFound(f"no page {lang}/missing")
    html = missing_page(_memorial(request), lang, {
        "csrf": who.csrf, "max_name": MAX_NAME, "max_text": MAX_TEXT,
        "max_contact": MAX_CONTACT, "sent": False, "error": "", "field": "", "name": "",
        "details": "", "contact": "", **extra}, request.app.state.env)
    response = HTMLResponse(html, status_code=status)
    if not who.signed_in:
        set_cookie(request, response, LOGIN_CSRF_COOKIE, who.csrf)
    return response


def _victim(request: Request, entity_id: str) -> str:
    if _memorial(request).victim(entity_id) is None:
        raise NotFound(f"no memorial page for {entity_id!r}")
    return entity_id


def _correction(request: Request, who: Visitor, lang: str, entity_id: str,
                extra: dict[str, Any], *, status: int = 200) -> Response:
    from sabt.publish.site import correction_page
    from sabt.service.corrections import MAX_CONTACT, MAX_TEXT

    victim = _memorial(request).victim(_victim(request, entity_id))
    if lang not in i18n.LANGS or victim is None:
        raise NotFound(f"no memorial page for {entity_id!r}")
    html = correction_page(_memorial(request), lang, victim, {
        "csrf": who.csrf, "max_text": MAX_TEXT, "max_contact": MAX_CONTACT, "sent": False,
        "error": "", **extra}, request.app.state.env)
    response = HTMLResponse(html, status_code=status)
    if not who.signed_in:
        set_cookie(request, response, LOGIN_CSRF_COOKIE, who.csrf)
    return response


@router.get("/{lang}/{path:path}", response_class=HTMLResponse)
def page(request: Request, lang: str, path: str) -> Response:
    return _page(request, lang, path)
