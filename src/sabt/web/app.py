"""The application factory: one `sabt.Workspace` shared by every request, the signed-in user
from the session cookie (else the anonymous public), CSRF checks, security headers, and the
service's errors turned into HTTP answers (a hidden item is a 404 exactly like a missing one)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from sabt import __version__
from sabt.errors import Forbidden, InvalidValue, NotFound, SabtError, Unauthenticated
from sabt.policy import PUBLIC, Action, Actor, can
from sabt.report import i18n
from sabt.report.fonts import persian_font
from sabt.report.jinja import environment
from sabt.service import Workspace

HERE = Path(__file__).parent
SESSION_COOKIE = "sabt_session"
LOGIN_CSRF_COOKIE = "sabt_login_csrf"
LANG_COOKIE = "sabt_lang"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Visitor:
    """Who is asking: the signed-in actor (or `PUBLIC`), the CSRF token their forms carry, the
    session token (empty when not signed in or signed in by an API token) and the interface
    language."""

    actor: Actor
    csrf: str
    token: str
    lang: str
    bearer: bool = False   # signed in by an API token: no cookie, so no CSRF to check

    @property
    def signed_in(self) -> bool:
        return bool(self.token) or self.bearer


def create_app(workspace: Workspace, *, secure_cookies: bool = True,
               run_jobs: bool = True, close: bool = False) -> FastAPI:
    """The web application over an opened workspace (closed when the application stops if
    `close`, else by the caller); with `run_jobs` a worker thread runs the background jobs
    (`sabt.web.worker`)."""
    from sabt.web import (
        admin,
        api,
        estimates,
        exports,
        lists,
        memorial,
        pages,
        places,
        review,
        sources,
    )
    from sabt.web.worker import lifespan

    web = FastAPI(title="Sabt", version=__version__, openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None, lifespan=lifespan(workspace, run_jobs, close))
    web.state.ws = workspace
    web.state.env = environment()
    web.state.secure_cookies = secure_cookies
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.include_router(api.router)
    web.include_router(review.api)
    web.include_router(pages.router)
    web.include_router(review.pages)
    web.include_router(admin.api)
    web.include_router(admin.pages)
    web.include_router(sources.api)
    web.include_router(sources.pages)
    web.include_router(lists.api)
    web.include_router(lists.pages)
    web.include_router(estimates.api)
    web.include_router(estimates.pages)
    web.include_router(places.pages)
    web.include_router(exports.api)
    web.include_router(exports.pages)
    web.include_router(memorial.router)

    @web.middleware("http")
    async def headers(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            if name != "Cache-Control" or name not in response.headers:
                response.headers[name] = value
        return response

    @web.get("/fonts/{name}", include_in_schema=False)
    def font(name: str) -> Response:
        """The Persian font from Debian's packages (`sabt.report.fonts`); cacheable."""
        path = persian_font(name)
        if path is None:
            raise NotFound(f"no font {name}")
        return FileResponse(path, media_type="font/ttf",
                            headers={"Cache-Control": "public, max-age=604800"})

    for kind, status in ((NotFound, 404), (Forbidden, 403), (Unauthenticated, 401),
                         (InvalidValue, 400), (SabtError, 400)):
        web.add_exception_handler(kind, _handler(status))
    return web


def _handler(status: int) -> Callable[[Request, Exception], Response]:
    def handle(request: Request, exc: Exception) -> Response:
        message = str(exc)
        if request.url.path.startswith("/api/"):
            body: dict[str, Any] = {"error": message}
            if isinstance(exc, InvalidValue) and exc.field:
                body["field"] = exc.field
            return JSONResponse(body, status_code=status)
        return render(request, "error.html", {"status": status, "message": message},
                      status=status)
    return handle


def workspace_of(request: Request) -> Workspace:
    ws: Workspace = request.app.state.ws
    return ws


def visitor(request: Request) -> Visitor:
    """The visitor of this request: from the session cookie, else the public with the CSRF token
    of the sign-in form (a cookie it must match)."""
    lang = i18n.pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and request.url.path.startswith("/api/"):
        actor = workspace_of(request).tokens.actor(bearer.strip())
        if actor is None:   # a bad token is refused, never taken for the public
            raise Unauthenticated("the API token is unknown, expired or revoked")
        return Visitor(actor, "", "", lang, bearer=True)
    token = request.cookies.get(SESSION_COOKIE, "")
    found = workspace_of(request).signin.session(token) if token else None
    if found is not None:
        return Visitor(found.actor, found.csrf, token, lang)
    login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return Visitor(PUBLIC, login_csrf, "", lang)


def check_csrf(who: Visitor, sent: str) -> None:
    """Every POST carries the synchroniser token of the visitor's session (or of the sign-in
    form); a missing or wrong one is refused with 403."""
    if who.bearer:
        return
    if not sent or not secrets.compare_digest(sent.encode(), who.csrf.encode()):
        raise Forbidden("the form's security token is missing or out of date: reload the page "
                        "and try again")


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200,
           who: Visitor | None = None) -> HTMLResponse:
    """A page in the visitor's language (cookies for the language and the sign-in form set)."""
    who = who or visitor(request)
    lang = who.lang

    def t(key: str) -> str:
        return i18n.label(key, lang)

    html = request.app.state.env.get_template(template).render(
        **context, who=who, lang=lang, t=t, dir="rtl" if lang == "fa" else "ltr",
        other_lang="en" if lang == "fa" else "fa", path=request.url.path,
        # which links the menu offers (the services still decide every request)
        menu_audit=can(who.actor, Action.ADMIN), menu_review=can(who.actor, Action.REVIEW),
        menu_lists=can(who.actor, Action.EDIT))
    response = HTMLResponse(html, status_code=status)
    set_cookie(request, response, LANG_COOKIE, lang, http_only=False)
    if not who.signed_in:
        set_cookie(request, response, LOGIN_CSRF_COOKIE, who.csrf)
    return response


def set_cookie(request: Request, response: Response, name: str, value: str, *,
               max_age: int | None = None, http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/",
                        secure=request.app.state.secure_cookies, httponly=http_only,
                        samesite="strict")


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
