"""The memorial's pages and assets, as bytes by path (pure: the same memorial gives the same bytes,
so re-publishing rewrites only what changed). One folder per language (`en/`, `fa/`, right to
left), assets shared; every link is relative, so the site works from any folder, a web host or a
USB stick (file://), and the server serves the same pages under `/memorial/`.

    index.html                landing page in both languages
    {lang}/index.html         search (offline: assets/search.js) and what the memorial holds
    {lang}/names.html         every published name
    {lang}/p/{id}.html        one victim: names, dates, places, each line "according to" a source
    {lang}/prison/{slug}.html, {lang}/place/{slug}.html
    {lang}/claims.html        the published claims on the toll, each with its source
    {lang}/about.html         method, sources, how to send a correction
    assets/                   style, search script and index, the Persian font and its licence
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from sabt.errors import SabtError
from sabt.publish.model import Memorial, Victim
from sabt.publish.search import Entry, Hit, build_index
from sabt.report import i18n

FONT = Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf")
FONT_COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
FONT_NAME = "NotoNaskhArabic-Regular.ttf"
MARKER = "sabt-memorial.json"
LANGS = ("en", "fa")


def _env() -> Any:
    from sabt.report.jinja import environment

    return environment()


def _t(lang: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        return i18n.label(key, lang)
    return t


def _prop(lang: str) -> Callable[[str], str]:
    """A property's label in the interface language (its own name when there is none)."""
    def prop(name: str) -> str:
        key = "m_p_" + name.replace(" ", "_")
        return i18n.label(key, lang) if key in i18n.LABELS else name
    return prop


def display(victim: Victim, lang: str) -> tuple[str, str]:
    """A victim's name in the page's script first, then in the other script."""
    first, second = ((victim.name_fa, victim.name_en) if lang == "fa"
                     else (victim.name_en, victim.name_fa))
    return (first or second), (second if first else "")


def render_page(memorial: Memorial, lang: str, path: str, *, server: bool = False,
                extra: dict[str, Any] | None = None, env: Any = None) -> str | None:
    """One page of the memorial (path inside the language folder, e.g. ``p/P12.html``), or
    None when there is no such page. `server`: the server's version (correction form, search
    answered by the server); `env`: the Jinja2 environment to use (made once per site)."""
    depth = path.count("/")
    context: dict[str, Any] = {
        "m": memorial, "lang": lang, "dir": "rtl" if lang == "fa" else "ltr",
        "other_lang": "en" if lang == "fa" else "fa", "t": _t(lang), "prop": _prop(lang),
        "up": "../" * depth, "root": "../" * (depth + 1), "here": path, "server": server,
        "display": lambda v: display(v, lang), "hits": None, "q": "", **(extra or {})}
    env = env or _env()
    if path in ("index.html", "search.html"):
        template = "memorial/home.html"
        context["prisons"] = [g for g in memorial.groups if g.kind == "prison"]
        context["places"] = [g for g in memorial.groups if g.kind == "place"]
    elif path == "names.html":
        template = "memorial/names.html"
        context["victims"] = sorted(memorial.victims, key=lambda v: (display(v, lang)[0], v.id))
    elif path == "about.html":
        template = "memorial/about.html"
    elif path == "claims.html":
        template = "memorial/claims.html"
    elif path.startswith("p/") and path.endswith(".html") and depth == 1:
        victim = memorial.victim(path[2:-5])
        if victim is None:
            return None
        template = "memorial/person.html"
        context["v"] = victim
        context["groups"] = [g for kind, slug in victim.groups
                             if (g := memorial.group(kind, slug)) is not None]
    elif path.split("/")[0] in ("prison", "place") and path.endswith(".html") and depth == 1:
        kind, _, name = path.partition("/")
        group = memorial.group(kind, name[:-5])
        if group is None:
            return None
        template = "memorial/group.html"
        context["g"] = group
        context["victims"] = [v for i in group.members if (v := memorial.victim(i)) is not None]
    else:
        return None
    html: str = env.get_template(template).render(**context)
    return html


def correction_page(memorial: Memorial, lang: str, victim: Victim,
                    extra: dict[str, Any], env: Any = None) -> str:
    """The server's correction form for one victim's page (never cached: it carries the
    visitor's form token)."""
    path = f"correct/{victim.id}"
    html: str = (env or _env()).get_template("memorial/correct.html").render(
        m=memorial, lang=lang, dir="rtl" if lang == "fa" else "ltr",
        other_lang="en" if lang == "fa" else "fa", t=_t(lang), prop=_prop(lang), up="../",
        root="../../", here=path, server=True, display=lambda v: display(v, lang), v=victim,
        **extra)
    return html




def missing_page(memorial: Memorial, lang: str, extra: dict[str, Any], env: Any = None) -> str:
    """The server's form for a name missing from the memorial (never cached: it carries the
    visitor's form token); `extra`: the token, limits, and what was sent when it is refused."""
    html: str = (env or _env()).get_template("memorial/missing.html").render(
        m=memorial, lang=lang, dir="rtl" if lang == "fa" else "ltr",
        other_lang="en" if lang == "fa" else "fa", t=_t(lang), prop=_prop(lang), up="",
        root="../", here="missing", server=True, **extra)
    return html


def landing(memorial: Memorial, env: Any = None) -> str:
    html: str = (env or _env()).get_template("memorial/root.html").render(
        m=memorial, t_en=_t("en"), t_fa=_t("fa"))
    return html


def search_entries(memorial: Memorial) -> list[Entry]:
    return [Entry(v.id, v.name_en, v.name_fa, v.names) for v in memorial.victims]


def search_index_js(memorial: Memorial) -> bytes:
    """The search index as a script that sets one global (a file:// page cannot fetch JSON)."""
    data = json.dumps(build_index(search_entries(memorial)), ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)
    return f"window.SABT_MEMORIAL_INDEX={data};\n".encode()


def asset(name: str) -> bytes:
    """A file shipped with Sabt for the site (style, search script)."""
    return files("sabt.publish").joinpath("static", name).read_bytes()


def font_files() -> dict[str, bytes]:
    """Debian's Noto Naskh Arabic and its licence (SIL OFL 1.1, checked in Debian's copyright
    file), copied into the site so that no page loads anything from elsewhere."""
    if not FONT.is_file() or not FONT_COPYRIGHT.is_file():
        raise SabtError(f"{FONT}: the Persian font is missing; install Debian's fonts-noto-core")
    text = FONT_COPYRIGHT.read_text(encoding="utf-8")
    stanzas = text.split("\n\n")
    files_stanza = next((s for s in stanzas if s.startswith("Files: *")), "")
    licence = next((s for s in stanzas if s.startswith("License: OFL-1.1")
                    and "Files:" not in s), "")
    if "License: OFL-1.1" not in files_stanza or not licence:
        raise SabtError(f"{FONT_COPYRIGHT}: the font's licence is not the SIL Open Font License "
                        "1.1; Sabt only ships the font under that licence")
    body = "\n".join(line[1:] if line.startswith(" ") else line
                     for line in licence.splitlines()[1:]).replace("\n.\n", "\n\n")
    notice = (f"{FONT_NAME}: Noto Naskh Arabic, from Debian's fonts-noto-core.\n\n"
              f"{files_stanza.strip()}\n\nSIL Open Font License 1.1:\n\n{body.strip()}\n")
    return {f"assets/{FONT_NAME}": FONT.read_bytes(), "assets/OFL.txt": notice.encode()}


def site_files(memorial: Memorial) -> dict[str, bytes]:
    """Every file of the static site, by relative path."""
    env = _env()
    out: dict[str, bytes] = {
        "index.html": landing(memorial, env).encode(),
        "assets/memorial.css": asset("memorial.css"),
        "assets/search.js": asset("search.js"),
        "assets/search-index.js": search_index_js(memorial),
        **font_files(),
        MARKER: json.dumps({"generator": "sabt publish", "persons": len(memorial.victims),
                            "synthetic": memorial.synthetic}, sort_keys=True).encode(),
    }
    pages = ["index.html", "names.html", "about.html", "claims.html",
             *(f"p/{v.id}.html" for v in memorial.victims),
             *(f"{g.kind}/{g.slug}.html" for g in memorial.groups)]
    for lang in LANGS:
        for page in pages:
            html = render_page(memorial, lang, page, env=env)
            if html is not None:
                out[f"{lang}/{page}"] = html.encode()
    return out


def hits_context(hits: list[Hit], query: str) -> dict[str, Any]:
    """What the server's search page shows (the same list the script shows offline)."""
    return {"hits": hits, "q": query}
