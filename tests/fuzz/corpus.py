"""A corpus of hostile files, generated here from valid SYNTHETIC seeds (nothing downloaded).

`SEEDS` builds one valid file of each kind; `mutate` turns bytes into a hostile variant with
random mutations (flip, insert, delete, duplicate, truncate, splice of magic bytes) and, for
zip packages (XLSX, DOCX, WACZ), the same mutations applied to one part inside the package;
`structured` builds the hostile shapes an attacker would pick on purpose (huge cells, deep
nesting, long numbers, many columns, compression bombs, stale sizes, control characters).
`run_one` feeds one input to the reader or importer of its kind and says what happened.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import struct
import traceback
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sabt.errors import SabtError

NAMES = ["حسین", "فاطمه", "Ali", "Maryam", "رضایی", "SYNTHETIC", "Karimi", "علي"]
CASE = Path(__file__).parents[2] / "src" / "sabt" / "data" / "case1988"
KINDS = ("csv", "tsv", "xlsx", "json", "jsonl", "case", "html", "pdf", "docx", "warc", "wacz",
         "png", "jpeg", "gif", "text")
SUFFIX = {"csv": ".csv", "tsv": ".tsv", "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl",
          "html": ".html", "pdf": ".pdf", "docx": ".docx", "warc": ".warc.gz",
          "wacz": ".wacz", "png": ".png", "jpeg": ".jpg", "gif": ".gif", "text": ".txt"}


def _rows(rng: random.Random, n: int) -> list[list[str]]:
    return [[rng.choice(NAMES), rng.choice(NAMES), str(rng.randint(1300, 1370)),
             rng.choice(["m", "f", "زن", "مرد"]), f"1367/05/{rng.randint(1, 30):02d}"]
            for _ in range(n)]


HEADER = ["نام", "نام خانوادگی", "سال تولد", "جنسیت", "تاریخ اعدام"]


def seed_csv(rng: random.Random, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(_rows(rng, rng.randint(1, 8)))
    return ("# SYNTHETIC\n" + out.getvalue()).encode("utf-8")


def seed_xlsx(rng: random.Random) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in _rows(rng, rng.randint(1, 8)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seed_json(rng: random.Random) -> bytes:
    items = [dict(zip(HEADER, row, strict=True)) for row in _rows(rng, rng.randint(1, 8))]
    return json.dumps({"records": items}, ensure_ascii=False).encode("utf-8")


def seed_jsonl(rng: random.Random) -> bytes:
    lines = [{"format": "sabt-jsonl", "version": 1, "schema": []},
             {"table": "revision", "row": {"id": 1, "created_at": "2026-01-01T00:00:00",
                                           "author": "SYNTHETIC", "reason": "seed"}},
             {"table": "entity", "row": {"id": "P1", "kind": "person",
                                         "label": rng.choice(NAMES), "status": "active",
                                         "merged_into": None, "revision_id": 1}}]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def seed_html(rng: random.Random) -> bytes:
    body = " ".join(f"{rng.choice(NAMES)} was executed in 1988." for _ in range(30))
    return (f"<!DOCTYPE html><html><head><title>SYNTHETIC</title></head><body><nav>Home</nav>"
            f"<article><h1>SYNTHETIC</h1><p>{body}</p></article></body></html>").encode()


def seed_pdf(rng: random.Random) -> bytes:
    from tests.ingest.test_vault_readers import make_pdf

    return make_pdf([f"SYNTHETIC page {i} {rng.randint(0, 99999)}"
                     for i in range(rng.randint(1, 3))])


def seed_docx(rng: random.Random) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "SYNTHETIC"
    for _ in range(rng.randint(1, 5)):
        document.add_paragraph(" ".join(rng.choice(NAMES) for _ in range(10)))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_warc(rng: random.Random) -> bytes:
    from tests.ingest.test_vault_readers import _page, _warc_bytes

    return _warc_bytes({f"https://example.org/{i}": _page("SYNTHETIC " * rng.randint(5, 50))
                        for i in range(rng.randint(1, 3))})


def seed_wacz(rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("datapackage.json", '{"profile": "data-package"}')
        zf.writestr("archive/data.warc.gz", seed_warc(rng))
    return buffer.getvalue()


def seed_image(rng: random.Random, fmt: str) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (rng.randint(1, 32), rng.randint(1, 32)), "red")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


SEEDS: dict[str, Callable[[random.Random], bytes]] = {
    "csv": seed_csv, "tsv": lambda r: seed_csv(r, "\t"), "xlsx": seed_xlsx, "json": seed_json,
    "jsonl": seed_jsonl, "case": lambda r: b"", "html": seed_html, "pdf": seed_pdf,
    "docx": seed_docx, "warc": seed_warc, "wacz": seed_wacz,
    "png": lambda r: seed_image(r, "PNG"), "jpeg": lambda r: seed_image(r, "JPEG"),
    "gif": lambda r: seed_image(r, "GIF"),
    "text": lambda r: " ".join(r.choice(NAMES) for _ in range(50)).encode(),
}

_MAGIC = [b"\x00", b"\xff", b"\x1b[2J", "\u202e".encode(), b'"',
          b"\r\n", b"\n", b",", b";", b"\t", b"[", b"{", b"<", b"</p>", b"<!--", b"%PDF-",
          b"PK\x03\x04", b"WARC/1.0\r\n", b"\x1f\x8b", b"9" * 400, b"=cmd|' /C calc'!A0",
          "\u200c".encode(), "نام".encode(), b"\xef\xbb\xbf", b"\xc3", b"stream\n", b"obj"]


def mutate_bytes(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """Random mutations: flips, inserts, deletes, duplicated chunks, truncation, magic splices."""
    buf = bytearray(data or b" ")
    for _ in range(rounds if rounds is not None else rng.randint(1, 8)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:
            del buf[at:at + rng.randint(1, 64)]
        elif op == 3:
            chunk = buf[at:at + rng.randint(1, 256)]
            buf[at:at] = chunk * rng.randint(1, 50)
        elif op == 4:
            del buf[rng.randrange(len(buf) + 1):]
        else:
            buf[at:at] = rng.choice(_MAGIC) * rng.choice((1, 1, 2, 10, 100))
        if not buf:
            buf = bytearray(b"\x00")
    return bytes(buf)


def mutate_zip_part(data: bytes, rng: random.Random) -> bytes:
    """The same random mutations applied to one part inside a zip package."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            infos = src.infolist()
            victim = rng.choice(infos).filename
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in infos:
                    body = src.read(info)
                    if info.filename == victim:
                        body = mutate_bytes(body, rng)
                    dst.writestr(info.filename, body)
            return out.getvalue()
    except zipfile.BadZipFile:
        return mutate_bytes(data, rng)


def _zip_with(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def structured(kind: str, rng: random.Random) -> bytes:
    """A deliberately hostile input of this kind (one of several shapes, picked by rng)."""
    shape = rng.randrange(6)
    if kind in ("csv", "tsv"):
        sep = "," if kind == "csv" else "\t"
        head = sep.join(HEADER) + "\n"
        shapes = [
            head + '"' + "x" * rng.choice((10, 200_000, 2_000_000)),          # open quote
            head + ("a" + sep) * rng.choice((10, 5000)) + "\n",                 # wide row
            head + "حسین\n" * rng.choice((10, 100_000)),                        # short rows
            head + "\x00\x1b[31m" + sep + "\u202e\r\n" * 50,                    # controls
            sep.join(["نامخانوادگی", "نام\u200cخانوادگی", "x"]) + "\nA,B,C\n",  # header twins
            head + "=HYPERLINK(\"x\")" + sep + "+1\n" * 1000,
        ]
        return shapes[shape].encode("utf-8", "surrogatepass")
    if kind == "json":
        depth = rng.choice((50, 10_000, 200_000))
        shapes = [b"[" * depth + b"]" * depth, b'[{"name": ' + b"9" * 10_000 + b"}]",
                  b'[{"name": "' + b"x" * 300_000 + b'"}]',
                  json.dumps([{f"k{i}": i for i in range(3000)}]).encode(),
                  b'{"records": "nope"}', b'[{"name": {"a": [1, {"b": null}]}}, 1, "x"]']
        return shapes[shape]
    if kind == "jsonl":
        head = b'{"format": "sabt-jsonl", "version": 1, "schema": []}\n'
        shapes = [head + b'{"table": "entity", "row": ' + b"[" * 100_000 + b"]" * 100_000
                  + b"}\n", head + b'"row"\n', b"\xff\xfe\x00junk\n",
                  head + b'{"table": "revision", "row": {"id": 1, "created_at": "never"}}\n',
                  head + b'{"table": "entity", "row": {"id": ["P"], "kind": 1}}\n',
                  b'{"format": "sabt-jsonl", "schema": {"a": 1}}\n']
        return shapes[shape]
    if kind == "xlsx":
        base = seed_xlsx(rng)
        if shape == 0:   # a stale <dimension>
            return _replace_part(base, "xl/worksheets/sheet1.xml",
                                 lambda t: t.replace(b'<dimension ref="', b'<dimension ref="A1:A1'
                                                     b'" x="'))
        if shape == 1:   # a cell of many megabytes (compresses to almost nothing)
            return _replace_part(base, "xl/worksheets/sheet1.xml", lambda t: t.replace(
                b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>'
                + b"x" * 20_000_000 + b"</t></is></c></row></sheetData>"))
        if shape == 2:   # a cell at the last possible row and column
            return _replace_part(base, "xl/worksheets/sheet1.xml", lambda t: t.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                b"</sheetData>"))
        if shape == 3:   # billion laughs in the shared strings
            return _replace_part(base, "xl/worksheets/sheet1.xml", lambda t: _laughs(t))
        return mutate_zip_part(base, rng)
    if kind == "docx":
        base = seed_docx(rng)
        if shape == 0:
            return _replace_part(base, "word/document.xml", lambda t: t.replace(
                b"</w:body>", b"<w:p/>" * 2_000_000 + b"</w:body>"))
        if shape == 1:
            return _replace_part(base, "word/document.xml", _laughs)
        if shape == 2:
            return _replace_part(base, "word/document.xml", lambda t: t.replace(
                b"</w:body>", b"<w:p>" * 100_000 + b"</w:body>"))
        return mutate_zip_part(base, rng)
    if kind == "html":
        shapes = [b"<div>" * 200_000, b"<html><body>" + b"<p>" + b"SYNTHETIC " * 1_000_000,
                  b"<html>" + b"<!--" * 100_000, b"<html><body><table>" + b"<tr><td>x" * 200_000,
                  seed_html(rng).replace(b"SYNTHETIC", "\x1b[2J\u202e".encode() * 100),
                  b"<!DOCTYPE html><html><head><meta charset=utf-16>" + b"\xff" * 10_000]
        return shapes[shape]
    if kind == "pdf":
        bomb = zlib.compress(b"\x00" * 50_000_000, 9)
        shapes = [seed_pdf(rng).replace(b"/Count", b"/Count 99999999 /X"),
                  b"%PDF-1.4\n1 0 obj << /Length " + str(len(bomb)).encode() +
                  b" /Filter /FlateDecode >>\nstream\n" + bomb + b"\nendstream\nendobj\n"
                  b"trailer << /Root 1 0 R >>\n%%EOF",
                  b"%PDF-1.4\n" + b"[" * 100_000,
                  b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << "
                  b"/Root 1 0 R >>\n%%EOF"]
        return shapes[shape % len(shapes)] if shape < 4 else mutate_bytes(seed_pdf(rng), rng)
    if kind in ("warc", "wacz"):
        if shape == 0:   # a gzip bomb in a record
            from tests.ingest.test_vault_readers import _page, _warc_bytes

            data = _warc_bytes({"https://example.org/z": _page("z" * 30_000_000)})
            return data if kind == "warc" else _zip_with({"archive/a.warc.gz": data})
        if shape == 1 and kind == "wacz":
            return _zip_with({f"archive/{i}.warc": b"WARC/1.0\r\n" for i in range(20_000)})
        data = seed_warc(rng) if kind == "warc" else seed_wacz(rng)
        return mutate_bytes(data, rng) if kind == "warc" else mutate_zip_part(data, rng)
    if kind in ("png", "jpeg", "gif"):
        if kind == "png" and shape < 3:
            return _png_header(rng.choice((30_000, 65_535, 1)), rng.choice((30_000, 1)))
        return mutate_bytes(SEEDS[kind](rng), rng)
    return mutate_bytes(SEEDS[kind](rng), rng)


def _laughs(text: bytes) -> bytes:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'
                       for i in range(1, 14))
    head = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "ha">{entities}]>'.encode()
    body = text.split(b"?>", 1)[-1]
    return head + body.replace(b"</w:body>", b"<w:p><w:r><w:t>&l13;</w:t></w:r></w:p></w:body>"
                               ).replace(b"</sheetData>", b"</sheetData><x>&l13;</x>")


def _replace_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def make_input(kind: str, rng: random.Random, structured_share: float = 0.3) -> bytes:
    """One hostile input of a kind: a random mutation of a seed, or (with the given chance)
    a structured shape."""
    if kind == "case":
        return b""
    if rng.random() < structured_share:
        return structured(kind, rng)
    seed = SEEDS[kind](rng)
    if kind in ("xlsx", "docx", "wacz") and rng.random() < 0.7:
        return mutate_zip_part(seed, rng)
    return mutate_bytes(seed, rng)


@dataclass
class Outcome:
    """What one input did: ``ok`` (read), ``refused`` (a SabtError) or ``crash`` (a traceback)."""

    kind: str
    status: str
    detail: str = ""


def write_case(folder: Path, rng: random.Random) -> None:
    """A copy of the bundled case dataset with one of its files mutated."""
    shutil.copytree(CASE, folder)
    victim = folder / f"{rng.choice(['sources', 'claims', 'persons', 'organizations', 'posts', 'places', 'events'])}.csv"  # noqa: E501
    data = victim.read_bytes()
    if rng.random() < 0.3:
        lines = data.split(b"\n")
        at = rng.randrange(1, max(2, len(lines)))
        cell = rng.choice([b"x" * 200_000, b"\x00\x1b[2J", b"abc", b"-1e999", b'"', b";;;",
                           b"9" * 5000, b""])
        lines[at] = lines[at].replace(b",", b"," + cell + b",", 1) if rng.random() < 0.5 \
            else cell
        data = b"\n".join(lines)
    else:
        data = mutate_bytes(data, rng)
    victim.write_bytes(data)


def run_one(kind: str, data: bytes, tmp: Path, rng: random.Random, *,
            store: Any = None) -> Outcome:
    """Feed one input to its reader or importer; never raises."""
    from sabt.ingest.case import plan_case
    from sabt.ingest.lists import read_list
    from sabt.vault import readers

    try:
        if kind == "case":
            folder = tmp / "case"
            if folder.exists():
                shutil.rmtree(folder)
            write_case(folder, rng)
            plan_case(folder, "SYNTHETIC")
            return Outcome(kind, "ok")
        path = tmp / f"input{SUFFIX[kind]}"
        path.write_bytes(data)
        if kind in ("csv", "tsv", "xlsx", "json"):
            read_list(path)
        elif kind == "jsonl":
            _import_jsonl(store, path)
        else:
            reading = readers.read(path, path.name, max_bytes=50 << 20)
            if reading.members is not None:
                for member in reading.members():
                    while member.stream.read(1 << 20):
                        pass
        return Outcome(kind, "ok")
    except SabtError as exc:
        text = str(exc)
        if "\n" in text:
            return Outcome(kind, "crash", f"error of more than one line: {text[:300]!r}")
        return Outcome(kind, "refused", text[:200])
    except Exception:
        return Outcome(kind, "crash", traceback.format_exc())


def _import_jsonl(store: Any, path: Path) -> None:
    """Import into the empty store inside a transaction that is always rolled back."""
    from sabt.store import jsonl
    from sabt.store.workspace import _reachable  # as `Store.import_jsonl` reports failures

    with _reachable(store.engine), store.engine.connect() as conn:
        trans = conn.begin()
        try:
            jsonl.import_jsonl(conn, path)
        finally:
            trans.rollback()
