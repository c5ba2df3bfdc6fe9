"""Readers of the vault: media type by content, text with page offsets, archives, bad input.

Every fixture is built here (tiny PDF/DOCX/WARC/WACZ/PNG/WAV files), so nothing is downloaded.
"""

from __future__ import annotations

import io
import wave
import zipfile
from pathlib import Path

import pytest

from sabt.errors import SabtError
from sabt.store.workspace import Store
from sabt.vault import readers
from sabt.vault.vault import Provenance, Vault


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page (xref offsets computed)."""
    objects: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font_id = 3 + 2 * n
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
                       f"{4 + 2 * i} 0 R /Resources << /Font << /F1 {font_id} 0 R >> >> >>"
                       .encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content +
                       b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_sniffing_ignores_the_extension() -> None:
    assert readers.sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert readers.sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert readers.sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio/wav"
    assert readers.sniff(b"<!DOCTYPE html><html>") == "text/html"
    assert readers.sniff("ثبت".encode()) == "text/plain"
    assert readers.sniff(b"\x00\xff\xfe\x00binary") == "application/octet-stream"


def test_language_by_script_ratio() -> None:
    assert readers.detect_language("اعدام‌های ۱۳۶۷ in Iran") == "fa"
    assert readers.detect_language("The 1988 massacre, ۱۳۶۷") == "en"
    assert readers.detect_language("1988 — 30,000") is None


def test_pdf_pages_become_locators(tmp_path: Path) -> None:
    path = write(tmp_path / "r.pdf", make_pdf(["Page one text", "Over 30,000 people"]))
    reading = readers.read(path)
    assert reading.media_type == "application/pdf"
    assert reading.text is not None and reading.pages is not None
    first, second = reading.pages
    assert "Page one" in reading.text[first[0]:first[1]]
    assert "30,000" in reading.text[second[0]:second[1]]


def test_encrypted_pdf_is_refused_clearly(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["secret"]))))
    writer.encrypt(user_password="pw", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write(tmp_path / "locked.pdf", buffer.getvalue())
    with pytest.raises(SabtError, match="encrypted"):
        readers.read(path)


def test_docx_text_and_properties(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Letter"
    document.add_paragraph("He wrote: “History will condemn us.”")
    document.add_paragraph("از ۶۵۸ نفر تا بیش از دوازده هزار نفر")
    path = tmp_path / "letter.docx"
    document.save(str(path))
    reading = readers.read(path)
    assert reading.media_type.endswith("wordprocessingml.document")
    assert reading.title == "Letter" and reading.text is not None
    assert "History will condemn us" in reading.text and "دوازده هزار" in reading.text


def test_html_main_text(tmp_path: Path) -> None:
    body = " ".join(["Over 30,000 people were killed in the summer of 1988."] * 5)
    html = (f"<html><head><title>Massacre</title></head><body><nav>Home | About</nav>"
            f"<article><h1>Massacre</h1><p>{body}</p></article></body></html>")
    reading = readers.read(write(tmp_path / "page.htm", html.encode()))
    assert reading.media_type == "text/html" and reading.title == "Massacre"
    assert reading.text is not None and "30,000" in reading.text
    assert "Home | About" not in reading.text
    assert reading.language == "en"


def _warc_bytes(pages: dict[str, str]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, html in pages.items():
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(html.encode()), http_headers=headers))
    return buffer.getvalue()


def _page(text: str) -> str:
    return (f"<html><head><title>t</title></head><body><article><p>{text}</p></article>"
            "</body></html>")


def test_warc_responses_become_items(tmp_path: Path) -> None:
    pages = {"https://example.org/a": _page("First page. " * 20),
             "https://example.org/b": _page("Second page. " * 20)}
    path = write(tmp_path / "crawl.warc.gz", _warc_bytes(pages))
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    report = vault.add([path], Provenance("tester"))
    rows = {r["origin_url"]: r for r in vault.items()}
    assert set(pages) <= set(rows)
    record = rows["https://example.org/a"]
    assert record["relation"] == "archive_record" and record["capture_method"] == "warc"
    container = next(a for a in report.added if a["name"] == "crawl.warc.gz")
    assert record["parent_sha256"] == container["sha256"]
    assert "First page" in vault.text(record["sha256"])[0]
    assert vault.verify().ok
    ws.close()


def test_wacz_skips_unsafe_member_names(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("datapackage.json", '{"profile": "data-package"}')
        zf.writestr("archive/data.warc.gz",
                    _warc_bytes({"https://example.org/c": _page("C " * 50)}))
        zf.writestr("../../evil.warc", b"WARC/1.0\r\n")
    path = write(tmp_path / "capture.wacz", buffer.getvalue())
    reading = readers.read(path)
    assert reading.media_type == "application/wacz"
    assert any("../../evil.warc" in reason for reason in reading.skipped)
    assert reading.members is not None
    assert [m.origin_url for m in reading.members()] == ["https://example.org/c"]
    assert not readers.safe_member_name("/etc/passwd")
    assert not readers.safe_member_name("a/../../b")
    assert readers.safe_member_name("archive/data.warc.gz")


def test_images_and_audio_are_opaque_items_with_metadata(tmp_path: Path) -> None:
    from PIL import Image

    image = Image.new("RGB", (4, 3), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    image.save(tmp_path / "photo.jpg", exif=exif)
    reading = readers.read(tmp_path / "photo.jpg")
    assert reading.media_type == "image/jpeg" and reading.text is None
    assert reading.meta["width"] == 4 and reading.meta["exif"]["Make"] == "CameraMaker"
    with wave.open(str(tmp_path / "clip.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * 8000)
    audio = readers.read(tmp_path / "clip.wav")
    assert audio.media_type == "audio/wav" and audio.meta["duration_s"] == 1.0


def test_zero_byte_and_not_text(tmp_path: Path) -> None:
    with pytest.raises(SabtError, match="zero bytes"):
        readers.read(write(tmp_path / "empty.txt", b""))
    reading = readers.read(write(tmp_path / "blob.txt", b"\x00\x01\x02\xff\xfe\x00"))
    assert reading.media_type == "application/octet-stream" and reading.text is None


def test_text_is_not_extracted_from_files_over_the_limit(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_TEXT_BYTES", 1000)
    reading = readers.read(write(tmp_path / "big.pdf", make_pdf(["x" * 2000])))
    assert reading.media_type == "application/pdf" and reading.text is None
    assert "over the 1000-byte limit" in reading.skipped[0]
