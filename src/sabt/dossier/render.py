"""A `Dossier` as files: dossier.html (Jinja2), dossier.pdf (WeasyPrint, PDF/A-3b) and
VERIFY.md. Fonts are the system's, found by family name through fontconfig (DejaVu for Latin,
Noto Naskh Arabic for Persian); nothing is downloaded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sabt.dossier.content import Dossier
from sabt.report.jinja import environment

PDF_VARIANT = "pdf/a-3b"


def html(dossier: Dossier) -> str:
    """The case file as one self-contained HTML page (inline CSS, no scripts)."""
    titles = {s.id: s.title for s in dossier.sources}
    return environment().get_template("dossier/dossier.html").render(d=dossier,
                                                                      source_titles=titles)


def pdf(page: str, out: Path) -> None:
    """Print the HTML page to PDF/A-3b with WeasyPrint (its warnings about unsupported CSS
    are not the reader's concern and are silenced)."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=page, base_url=str(out.parent)).write_pdf(out, pdf_variant=PDF_VARIANT)


def verify_md(dossier: Dossier, *, tsa_urls: Sequence[str], fingerprint: str,
              signed: bool) -> str:
    """VERIFY.md: how a recipient checks the folder with standard tools, offline."""
    return environment().get_template("dossier/VERIFY.md").render(
        d=dossier, tsa_urls=list(tsa_urls), fingerprint=fingerprint, signed=signed)
