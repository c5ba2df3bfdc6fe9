"""Readers: what kind of file this is (by its bytes, not its name) and what text it holds.

Each reader takes a path to bytes already staged in the vault and returns a `Reading`: the
media type, metadata (title, author, date, EXIF …), the extracted text when there is any (with
page offsets for PDFs, so a statement can cite a page), and, for web archives, the archived
responses as `Member`s, each of which becomes an item of its own. Readers raise `SabtError`
with a plain reason (encrypted PDF, not a PDF after all, unsafe archive member …); the caller
then skips the file and logs why. Text is only extracted from files up to ``MAX_TEXT_BYTES``
(larger files are kept as opaque items) so no reader ever holds a huge file in memory.

Hostile files (docs/reliability.md): each reader checks the limits of `sabt.limits` (unzipped
size and parts of a DOCX, pixels of an image, pages of a PDF, records of a WARC, total bytes of
an archive's members, which also count against ``--max-size``); whatever a third-party parser
raises on a damaged file becomes a one-line `SabtError` or a reason in ``Reading.skipped``.
"""

from __future__ import annotations

import gzip
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from sabt.errors import SabtError
from sabt.limits import Limits, current, load_json
from sabt.safety import reason

MAX_TEXT_BYTES = 64 << 20
SNIFF_BYTES = 8192
PAGE_BREAK = "\f"


@dataclass
class Member:
    """One record taken out of a container (a WARC response): bytes plus where they came from."""

    name: str
    stream: BinaryIO  # valid only until the next member is requested: consume it at once
    origin_url: str | None = None
    captured_at: str | None = None
    capture_method: str = "warc"


@dataclass
class Reading:
    """What a reader learned about one file."""

    media_type: str
    text: str | None = None
    language: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    pages: list[list[int]] | None = None  # [start, end) character offsets of each page in text
    meta: dict[str, Any] = field(default_factory=dict)
    members: Callable[[], Iterator[Member]] | None = None  # containers: records, streamed
    skipped: list[str] = field(default_factory=list)  # reasons for parts left out


def sniff(head: bytes) -> str:
    """The media type implied by a file's first bytes (extension is ignored on purpose)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"  # refined by _zip_kind
    if head.startswith(b"WARC/"):
        return "application/warc"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = gzip.GzipFile(fileobj=io.BytesIO(head)).read(5)
        except Exception:  # a corrupt header raises OSError, EOFError or zlib.error
            inner = b""
        return "application/warc" if inner.startswith(b"WARC/") else "application/gzip"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if not head:
        return "application/x-empty"
    text = decode_text(head, strict=len(head) < SNIFF_BYTES)  # a full head may cut a character
    if text is None or "\x00" in text:
        return "application/octet-stream"
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        return "text/html"
    return "text/plain"


def decode_text(data: bytes, strict: bool = True) -> str | None:
    """UTF-8 (BOM allowed) or UTF-16 with a BOM; None if the bytes are not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A sniffed head may cut a multi-byte character at its end.
        if not strict and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8-sig")
        return None


_PERSIAN_LETTER = re.compile(r"[\u0621-\u063A\u0641-\u064A\u0671-\u06D3\u06FA-\u06FF"
                             r"\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFC]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]")


def detect_language(text: str) -> str | None:
    """``fa``, ``en``, or None, from the share of letters in each script.

    Persian letters (Arabic block) are at least half of all letters → ``fa``; otherwise Latin
    letters that are at least half → ``en`` (Sabt's sources are Persian or English; a Swedish
    or Spanish page is also reported as ``en`` — a documented limit). No letters → None.
    """
    sample = text[:20000]
    persian = len(_PERSIAN_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    letters = persian + latin
    if not letters:
        return None
    if persian * 2 >= letters:
        return "fa"
    return "en"


def read(path: Path, name: str = "", *, max_bytes: int | None = None) -> Reading:
    """Sniff and read one staged file; raises SabtError with the reason if it is unusable.

    ``max_bytes`` (``--max-size``) caps the file and all the members of an archive together.
    """
    size = path.stat().st_size
    where = name or str(path)
    if size == 0:
        raise SabtError("empty file (zero bytes)", file=where)
    limits = current()
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    media_type = sniff(head)
    if media_type == "application/zip":
        media_type = _zip_kind(path)
    reader = _READERS.get(media_type)
    if reader is None:
        return Reading(media_type)
    if media_type in _TEXT_BEARING and size > MAX_TEXT_BYTES:
        return Reading(media_type, skipped=[f"text not extracted: {size} bytes is over "
                                            f"the {MAX_TEXT_BYTES}-byte limit"])
    try:
        reading = reader(path, limits)
    except SabtError as exc:
        raise SabtError(exc.message, file=where) from exc
    except Exception as exc:  # third-party parsers raise anything on damaged files
        raise SabtError(f"unreadable {media_type} ({reason(exc)})",
                        file=where) from exc
    reading.media_type = reading.media_type or media_type
    if reading.text is not None and reading.language is None:
        reading.language = detect_language(reading.text)
    if reading.members is not None:
        budget = max(limits.archive_expansion * size, limits.archive_floor_bytes)
        limit_name = "archive_expansion"
        if max_bytes is not None and max_bytes - size < budget:
            budget, limit_name = max(max_bytes - size, 0), "--max-size"
        reading.members = _bounded(reading.members, where, limits, budget, limit_name)
    return reading


class _Budget:
    """Bytes and records an archive's members may still use."""

    def __init__(self, where: str, limits: Limits, budget: int, limit_name: str) -> None:
        self.where = where
        self.limits = limits
        self.left = budget
        self.total = budget
        self.limit_name = limit_name
        self.members = 0

    def over(self, member: str) -> SabtError:
        if self.limit_name == "--max-size":
            return SabtError(f"member {member}: the archive's members hold more than the "
                             f"{self.total:,} bytes left under --max-size", file=self.where)
        return self.limits.refuse(
            "archive_expansion", f"member {member}: the archive's members hold more than "
            f"{self.total:,} bytes", file=self.where)


class _BoundedStream(io.RawIOBase):
    """A member's stream that counts its bytes against the archive's budget and turns any
    error of the decompressor into a one-line SabtError naming the member."""

    def __init__(self, stream: BinaryIO, member: str, budget: _Budget) -> None:
        super().__init__()
        self.stream = stream
        self.member = member
        self.budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size >= 0 else self.budget.left + 1
        try:
            block = self.stream.read(min(want, self.budget.left + 1))
        except Exception as exc:  # zlib.error, EOFError, BadZipFile … mid-stream
            raise SabtError(f"member {self.member} is damaged ({reason(exc)})",
                            file=self.budget.where) from exc
        self.budget.left -= len(block)
        if self.budget.left < 0:
            raise self.budget.over(self.member)
        return block

    def readinto(self, buffer: Any) -> int:
        block = self.read(len(buffer))
        buffer[:len(block)] = block
        return len(block)


def _bounded(members: Callable[[], Iterator[Member]], where: str, limits: Limits,
             budget: int, limit_name: str) -> Callable[[], Iterator[Member]]:
    def bounded() -> Iterator[Member]:
        state = _Budget(where, limits, budget, limit_name)
        for member in members():
            state.members += 1
            if state.members > limits.archive_members:
                raise limits.refuse("archive_members", f"more than {limits.archive_members:,} "
                                    "records", file=where)
            member.stream = _BoundedStream(member.stream, member.name, state)  # type: ignore
            yield member

    return bounded


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except Exception:  # zipfile raises several types for a damaged archive
        return "application/octet-stream"
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "datapackage.json" in names or any(n.startswith("archive/") for n in names):
        return "application/wacz"
    return "application/zip"


def _read_text(path: Path, limits: Limits) -> Reading:
    text = decode_text(path.read_bytes())
    if text is None:
        raise SabtError("not valid UTF-8 or UTF-16 text")
    return Reading("text/plain", text=text)


_TAG = re.compile(r"<[^<>]*>")  # never crosses a "<": linear on unterminated tags


def _read_html(path: Path, limits: Limits) -> Reading:
    import trafilatura

    raw = path.read_bytes()
    html = decode_text(raw) or raw.decode("utf-8", errors="replace")
    tags = html.count("<")
    if tags > limits.html_tags:
        # Isolating the main text costs time and memory that grow faster than the page: a
        # hostile page of many small tags would take minutes. Keep the text of every tag.
        text = _TAG.sub(" ", html)
        return Reading("text/html", text=" ".join(unescape(text).split()), skipped=[
            f"main text not isolated: {tags:,} tags (limit html_tags={limits.html_tags}; "
            "change it with SABT_LIMIT_HTML_TAGS); the text of the whole page is kept"])
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      favor_recall=True)
    if doc is None:
        return Reading("text/html", text="", skipped=["no main text found in the HTML"])
    data = doc if isinstance(doc, dict) else doc.as_dict()
    return Reading("text/html", text=data.get("text") or "", title=data.get("title"),
                   author=data.get("author"), date=data.get("date"),
                   meta={k: data[k] for k in ("sitename", "url", "hostname")
                         if data.get(k)})


def _read_pdf(path: Path, limits: Limits) -> Reading:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    skipped: list[str] = []
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise SabtError("encrypted PDF (needs a password); stored nothing")
        parts: list[str] = []
        pages: list[list[int]] = []
        offset = 0
        count = len(reader.pages)
        if count > limits.pdf_pages:
            skipped.append(f"text of pages after {limits.pdf_pages:,} of {count:,} not "
                           f"extracted (limit pdf_pages; change it with SABT_LIMIT_PDF_PAGES)")
        for number in range(min(count, limits.pdf_pages)):
            try:
                text = reader.pages[number].extract_text() or ""
            except Exception as exc:  # one damaged page does not lose the others
                skipped.append(f"text of page {number + 1} not extracted "
                               f"({reason(exc)})")
                text = ""
            pages.append([offset, offset + len(text)])
            parts.append(text)
            offset += len(text) + len(PAGE_BREAK)
        info: Any = reader.metadata or {}
    except SabtError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SabtError(f"unreadable PDF: {reason(exc)}") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files
        if "encrypt" in str(exc).lower() or "crypt" in type(exc).__name__.lower():
            raise SabtError("encrypted PDF (cannot be decrypted here); stored nothing") from exc
        raise SabtError(f"unreadable PDF: {reason(exc)}") from exc
    return Reading("application/pdf", text=PAGE_BREAK.join(parts), pages=pages,
                   title=_pdf_str(info.get("/Title")), author=_pdf_str(info.get("/Author")),
                   date=_pdf_str(info.get("/CreationDate")), meta={"page_count": len(pages)},
                   skipped=skipped)


def _pdf_str(value: Any) -> str | None:
    return str(value) if value else None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE = {"{http://purl.org/dc/elements/1.1/}title": "title",
         "{http://purl.org/dc/elements/1.1/}creator": "author",
         "{http://purl.org/dc/terms/}created": "date"}


def _read_docx(path: Path, limits: Limits) -> Reading:
    """Paragraph text of ``word/document.xml`` and title/author/date of ``docProps/core.xml``,
    streamed (memory does not grow with the document) after checking the package's limits."""
    from lxml import etree

    reading = Reading(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.archive_members:
                raise limits.refuse("archive_members", f"the DOCX has {len(infos):,} parts")
            unzipped = sum(info.file_size for info in infos)
            if unzipped > limits.unzipped_bytes:
                raise limits.refuse("unzipped_bytes", f"the DOCX unzips to {unzipped:,} bytes")
            text = io.StringIO()
            paragraphs = 0
            with zf.open("word/document.xml") as fh:
                # lxml's C parser, entities not expanded, no network; each paragraph is
                # dropped once read, so memory does not grow with the document.
                for _event, para in etree.iterparse(
                        fh, events=("end",), tag=_W + "p", resolve_entities=False,
                        no_network=True, huge_tree=False, load_dtd=False):
                    if paragraphs >= limits.docx_paragraphs:
                        reading.skipped.append(
                            f"text after paragraph {paragraphs:,} not extracted (limit "
                            "docx_paragraphs; change it with SABT_LIMIT_DOCX_PARAGRAPHS)")
                        break
                    parts = []
                    for node in para.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
                        parts.append(node.text or "" if node.tag == _W + "t" else
                                     "\t" if node.tag == _W + "tab" else "\n")
                    text.write(("\n" if paragraphs else "") + "".join(parts))
                    paragraphs += 1
                    para.clear()
                    parent = para.getparent()
                    while parent is not None and para.getprevious() is not None:
                        del parent[0]
            reading.text = text.getvalue()
            if "docProps/core.xml" in zf.namelist():
                with zf.open("docProps/core.xml") as fh:
                    for _event, elem in etree.iterparse(fh, events=("end",),
                                                        resolve_entities=False,
                                                        no_network=True, load_dtd=False):
                        key = _CORE.get(elem.tag)
                        if key and elem.text and elem.text.strip():
                            setattr(reading, key, elem.text.strip())
    except (zipfile.BadZipFile, KeyError, etree.Error, EOFError, OSError, ValueError) as exc:
        raise SabtError(f"unreadable DOCX: {reason(exc)}") from exc
    return reading


def _read_image(path: Path, limits: Limits) -> Reading:
    from PIL import ExifTags, Image, UnidentifiedImageError

    meta: dict[str, Any] = {}
    try:
        with Image.open(path) as image:
            meta["width"], meta["height"] = image.size
            pixels = image.size[0] * image.size[1]
            if pixels > limits.pixels:
                return Reading(Image.MIME.get(image.format or "", ""), meta=meta, skipped=[
                    f"metadata not read: {pixels:,} pixels (limit pixels={limits.pixels}; "
                    "change it with SABT_LIMIT_PIXELS)"])
            exif = image.getexif()
            for tag, value in exif.items():
                key = ExifTags.TAGS.get(tag, str(tag))
                meta.setdefault("exif", {})[key] = value if isinstance(value, int | str) \
                    else str(value)
            media = Image.MIME.get(image.format or "", None)
    except Image.DecompressionBombError as exc:
        return Reading("", skipped=[f"metadata not read: {reason(exc)} (limit pixels="
                                    f"{limits.pixels}; change it with SABT_LIMIT_PIXELS)"])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, IndexError,
            struct.error) as exc:  # Pillow's plugins raise these on damaged headers
        return Reading("application/octet-stream",
                       skipped=[f"not a readable image: {reason(exc)}"])
    return Reading(media or "", meta=meta)


def _read_audio(path: Path, limits: Limits) -> Reading:
    import wave

    meta: dict[str, Any] = {}
    try:
        with wave.open(str(path), "rb") as wav:
            meta = {"channels": wav.getnchannels(), "sample_rate": wav.getframerate(),
                    "duration_s": round(wav.getnframes() / max(1, wav.getframerate()), 3)}
    except (wave.Error, EOFError, ValueError, struct.error, OSError):
        pass  # a damaged header: stored without audio metadata
    return Reading("audio/wav", meta=meta)


def safe_member_name(name: str) -> bool:
    """False for archive member names that could escape a folder (``../``, absolute, drive)."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or ":" in name.split("/")[0]:
        return False
    return ".." not in PurePosixPath(name.replace("\\", "/")).parts


def warc_members(opener: Callable[[], IO[bytes]], container: str) -> Iterator[Member]:
    """Each ``response`` record of a WARC as a Member whose stream is its decoded payload.

    Whatever warcio or the decompressor raises on a damaged archive becomes one SabtError
    naming the record.
    """
    from warcio.archiveiterator import ArchiveIterator

    try:
        fh = opener()
        records = iter(ArchiveIterator(fh))
    except Exception as exc:  # a damaged zip member or compressed header
        raise SabtError(f"unreadable WARC {container}: {reason(exc)}") from exc
    with fh:
        index = 0
        while True:
            try:
                record = next(records)
                if record.rec_type != "response":
                    index += 1
                    continue
                member = Member(
                    name=f"{container}#record-{index}",
                    stream=record.content_stream(),
                    origin_url=record.rec_headers.get_header("WARC-Target-URI"),
                    captured_at=record.rec_headers.get_header("WARC-Date"),
                )
            except StopIteration:
                return
            except Exception as exc:  # ArchiveLoadFailed, zlib.error, ValueError …
                raise SabtError(f"unreadable WARC {container} at record {index}: "
                                f"{reason(exc)}") from exc
            yield member
            index += 1


def _read_warc(path: Path, limits: Limits) -> Reading:
    return Reading("application/warc",
                   members=lambda: warc_members(lambda: open(path, "rb"), path.name))


def _read_wacz(path: Path, limits: Limits) -> Reading:
    reading = Reading("application/wacz")
    warcs: list[str] = []
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > limits.archive_members:
            raise limits.refuse("archive_members", f"the WACZ has {len(infos):,} members")
        for info in infos:
            if not safe_member_name(info.filename):
                reading.skipped.append(f"unsafe archive member name {info.filename!r} skipped")
            elif info.filename == "datapackage.json" and info.file_size < (1 << 20):
                try:
                    reading.meta["datapackage"] = load_json(
                        zf.read(info).decode("utf-8"), "datapackage.json", limits)
                except (SabtError, ValueError, zipfile.BadZipFile) as exc:
                    reading.skipped.append(
                        f"datapackage.json is not readable JSON ({reason(exc)})")
            elif info.filename.startswith("archive/") and info.filename.endswith(
                    (".warc", ".warc.gz")):
                warcs.append(info.filename)

    def members() -> Iterator[Member]:
        with zipfile.ZipFile(path) as archive:
            for member in warcs:
                def opener(name: str = member) -> IO[bytes]:
                    return archive.open(name)

                yield from warc_members(opener, member)

    reading.members = members
    return reading


_TEXT_BEARING = {"text/plain", "text/html", "application/pdf",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

_READERS: dict[str, Callable[[Path, Limits], Reading]] = {
    "text/plain": _read_text,
    "text/html": _read_html,
    "application/pdf": _read_pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _read_docx,
    "image/jpeg": _read_image,
    "image/png": _read_image,
    "image/gif": _read_image,
    "image/tiff": _read_image,
    "image/webp": _read_image,
    "audio/wav": _read_audio,
    "application/warc": _read_warc,
    "application/wacz": _read_wacz,
}
