"""Hostile and careless input: every case refuses with one line naming file, row and limit,
or imports every row with a warning. Every file is built here (SYNTHETIC names)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from sabt.errors import SabtError
from sabt.ingest.case import plan_case
from sabt.ingest.headers import lookup_field
from sabt.ingest.lists import read_list
from sabt.store.workspace import Store
from sabt.vault import readers
from sabt.vault.vault import Provenance, Vault

CASE = Path(__file__).parents[2] / "src" / "sabt" / "data" / "case1988"


def one_line(exc: pytest.ExceptionInfo[SabtError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_part(data: bytes, part: str, change: object) -> bytes:
    """A copy of a zip package with one part's text changed by ``change(text) -> text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = change(body.decode("utf-8")).encode("utf-8")  # type: ignore[operator]
            dst.writestr(info, body)
    return out.getvalue()


# --- lists ---------------------------------------------------------------------------------


def test_xlsx_with_stale_dimension_imports_every_row(tmp_path: Path) -> None:
    rows = [["given name", "family name"]] + [[f"Name{i}", f"SYNTHETIC{i}"] for i in range(5)]
    data = _rewrite_part(_xlsx(rows), "xl/worksheets/sheet1.xml",
                         lambda t: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:B2"', t))
    assert b'ref="A1:B2"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    path = tmp_path / "stale.xlsx"
    path.write_bytes(data)
    parsed = read_list(path)
    assert parsed.records["given_name"].tolist() == [f"Name{i}" for i in range(5)]


@pytest.mark.parametrize("header", ["نامخانوادگی", "نام\u200cخانوادگی", "نام\u200dخانوادگی",
                                    "نام خانوادگی", "نام  خانوادگي", "Last_Name", "LASTNAME"])
def test_family_name_header_variants_map_to_family_name(tmp_path: Path, header: str) -> None:
    assert lookup_field(header) == "family_name"
    path = tmp_path / "fa.csv"
    path.write_text(f"نام,{header}\nحسین,رضایی\n", encoding="utf-8")
    parsed = read_list(path)
    assert parsed.columns == {"نام": "given_name", header: "family_name"}
    assert parsed.records["family_name"].tolist() == ["رضایی"]


def test_every_unmapped_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("نام,Kommentar,Quelle\nSYNTHETIC A,x,y\n", encoding="utf-8")
    parsed = read_list(path)
    header = [(w.field, w.message) for w in parsed.warnings if w.row == 0]
    assert [f for f, _ in header if "not mapped" in _] == ["Kommentar", "Quelle"]
    assert any("read as full names" in m for _, m in header)   # lone "نام" column


def test_short_rows_warn_naming_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("given name,family name,age\nAli,SYNTHETIC,30\nReza\n", encoding="utf-8")
    parsed = read_list(path)
    assert parsed.records["given_name"].tolist() == ["Ali", "Reza"]
    short = [w for w in parsed.warnings if "missing ones are read as empty" in w.message]
    assert [w.row for w in short] == [2]


def test_nul_and_controls_warn_and_are_cleaned_only_in_the_normalised_value(
        tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes("given name,family name\nAl\x00i,SYN\x1b[2JTHETIC\u202e\n".encode())
    parsed = read_list(path)
    rec = parsed.records.iloc[0]
    assert rec["given_name"] == "Ali" and rec["family_name"] == "SYN[2JTHETIC"
    raw = json.loads(rec["raw"])
    assert raw["given name"] == "Al\x00i" and "\x1b" in raw["family name"]   # raw untouched
    warned = {(w.row, w.field) for w in parsed.warnings if "control" in w.message}
    assert warned == {(1, "given name"), (1, "family name")}
    assert str(parsed.path) == str(path)


def test_blank_rows_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("name\nSYNTHETIC A\n,\n\nSYNTHETIC B\n", encoding="utf-8")
    parsed = read_list(path)
    assert len(parsed.records) == 2
    assert any("blank row(s) skipped" in w.message for w in parsed.warnings)


def test_csv_cell_over_the_limit_is_refused_with_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("name\nSYNTHETIC\n\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with pytest.raises(SabtError) as exc:
        read_list(path)
    assert "huge.csv, row 2" in one_line(exc) and "cell_chars=100000" in str(exc.value)


def test_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SABT_LIMIT_ROWS", "3")
    path = tmp_path / "many.csv"
    path.write_text("name\n" + "".join(f"SYNTHETIC {i}\n" for i in range(10)), encoding="utf-8")
    with pytest.raises(SabtError, match="limit rows=3"):
        read_list(path)


def test_bad_limit_setting_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SABT_LIMIT_ROWS", "lots")
    path = tmp_path / "a.csv"
    path.write_text("name\nSYNTHETIC\n", encoding="utf-8")
    with pytest.raises(SabtError, match="SABT_LIMIT_ROWS"):
        read_list(path)


def test_json_nested_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(SabtError) as exc:
        read_list(path)
    assert "deep.json" in one_line(exc) and "json_depth" in str(exc.value)


def test_json_number_with_thousands_of_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "num.json"
    path.write_text('[{"name": "SYNTHETIC", "age": ' + "9" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(SabtError) as exc:
        read_list(path)
    assert "number_digits=100" in one_line(exc)


def test_xlsx_that_unzips_too_large_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_xlsx([["name"], ["x" * 30_000]]))
    monkeypatch.setenv("SABT_LIMIT_UNZIPPED_BYTES", "20000")
    with pytest.raises(SabtError) as exc:
        read_list(path)
    assert "bomb.xlsx" in one_line(exc) and "unzipped_bytes=20000" in str(exc.value)


def test_xlsx_values_right_of_the_header_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_xlsx([["name", "age"], ["SYNTHETIC A", 30, "stray note"]]))
    parsed = read_list(path)
    assert len(parsed.records) == 1
    assert any(w.row == 1 and "right of the last header" in w.message and
               w.value == "stray note" for w in parsed.warnings)


def test_damaged_xlsx_is_one_line(tmp_path: Path) -> None:
    data = _rewrite_part(_xlsx([["name"], ["SYNTHETIC"]]), "xl/worksheets/sheet1.xml",
                         lambda t: t[: len(t) // 2])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data)
    with pytest.raises(SabtError) as exc:
        read_list(path)
    assert "cut.xlsx" in one_line(exc)


# --- JSONL import --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.create(tmp_path_factory.mktemp("jsonl") / "ws")


HEADER = '{"format": "sabt-jsonl", "version": 1, "schema": []}\n'


@pytest.mark.parametrize(("body", "expected"), [
    (b"\xff\xfe not utf-8\n", "row 1: not UTF-8"),
    (b'["not", "an", "object"]\n', "row 1: not a JSON object"),
    (HEADER.encode() + b'"a string"\n', "row 2: not a JSON object but str"),
    (HEADER.encode() + b'{"table": "revision", "row": {"id": 1, "created_at": "yesterday", '
     b'"author": "a", "reason": ""}}\n', "row 2, field 'created_at': not an ISO date"),
    (HEADER.encode() + b'{"table": "revision", "row": {"id": "one"}}\n',
     "row 2, field 'id': str value where the column holds int"),
    (HEADER.encode() + b'{"table": "revision", "row": {"id": ' + b"1" * 5000 + b"}}\n",
     "row 2: a number has 5,000 characters"),
    (HEADER.encode() + b'{"table": "revision", "row": ' + b"[" * 50_000 + b"]" * 50_000
     + b"}\n", "json_depth"),
    (HEADER.encode() + b'{"table": "nope", "row": {}}\n', "unknown table 'nope'"),
    (b'{"format": "sabt-jsonl", "schema": "x"}\n', "schema"),
])
def test_jsonl_hostile_inputs_are_refused_with_the_line(
        tmp_path: Path, empty_store: Store, body: bytes, expected: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(body)
    with pytest.raises(SabtError) as exc:
        empty_store.import_jsonl(path)
    assert "in.jsonl" in one_line(exc) and expected in str(exc.value)


# --- case data -----------------------------------------------------------------------------


def _case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    return folder


def _edit_row(folder: Path, name: str, index: int, changes: dict[str, str]) -> None:
    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows[index].update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_case_huge_quote_is_refused_with_the_row(tmp_path: Path) -> None:
    folder = _case(tmp_path)
    _edit_row(folder, "claims", 0, {"quote": "q" * 300_000})
    with pytest.raises(SabtError) as exc:
        plan_case(folder, "SYNTHETIC")
    assert "claims.csv, row 2" in one_line(exc) and "cell_chars" in str(exc.value)


def test_case_bad_latitude_names_file_and_row(tmp_path: Path) -> None:
    folder = _case(tmp_path)
    with (folder / "places.csv").open(encoding="utf-8") as fh:
        index = next(i for i, r in enumerate(csv.DictReader(fh)) if r["lat"] and r["lon"])
    _edit_row(folder, "places", index, {"lat": "north-ish"})
    with pytest.raises(SabtError) as exc:
        plan_case(folder, "SYNTHETIC")
    assert f"places.csv, row {index + 2}" in one_line(exc)


def test_case_short_rows_and_controls_warn(tmp_path: Path) -> None:
    folder = _case(tmp_path)
    _edit_row(folder, "persons", 0, {"note": "bell\x07 and \x1b[31mred"})
    with (folder / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("SRC-SYNTHETIC,A short row\n")
    plan = plan_case(folder, "SYNTHETIC")
    assert any("persons.csv, row 2, field 'note': control characters" in w
               for w in plan.warnings)
    assert any("sources.csv" in w and "missing ones are read as empty" in w
               for w in plan.warnings)
    notes = [st for st in plan.statements if st.property == "note"]
    assert notes and all("\x1b" not in str(st.value) for st in notes)


# --- vault readers -------------------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_png_declaring_30000_by_30000_pixels_is_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header(30_000, 30_000))
    reading = readers.read(path)
    assert reading.skipped and "limit pixels=" in reading.skipped[0]


def test_warc_gz_with_a_corrupt_gzip_header_is_one_line(tmp_path: Path) -> None:
    from tests.ingest.test_vault_readers import _page, _warc_bytes

    data = bytearray(_warc_bytes({"https://example.org/a": _page("A " * 50)}))
    data[3] = 0xFF   # reserved FLG bits set: an invalid gzip header
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(bytes(data))
    ws = Store.create(tmp_path / "ws")
    report = Vault(ws).add([path], Provenance("tester"))
    ws.close()
    assert not report.added or all(a["name"] == "bad.warc.gz" for a in report.added)


def test_archive_members_count_against_max_size(tmp_path: Path) -> None:
    from tests.ingest.test_vault_readers import _page, _warc_bytes

    data = _warc_bytes({"https://example.org/a": _page("z" * 2_000_000)})
    assert len(data) < 50_000
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(data)
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    report = vault.add([path], Provenance("tester"), max_bytes=1_000_000)
    assert report.added == []
    assert report.skipped[0]["file"] == "bomb.warc.gz"
    assert "--max-size" in report.skipped[0]["reason"]
    assert "record-0" in report.skipped[0]["reason"]
    assert vault.blobs.staged_files() == []   # nothing staged is left behind
    ws.close()


def test_archive_expansion_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ingest.test_vault_readers import _page, _warc_bytes

    monkeypatch.setenv("SABT_LIMIT_ARCHIVE_FLOOR_BYTES", "100000")
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(_warc_bytes({"https://example.org/a": _page("z" * 2_000_000)}))
    reading = readers.read(path)
    assert reading.members is not None
    with pytest.raises(SabtError, match="archive_expansion"):
        for member in reading.members():
            member.stream.read()


def test_docx_that_unzips_too_large_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import docx

    document = docx.Document()
    for _ in range(200):
        document.add_paragraph("SYNTHETIC " * 100)
    path = tmp_path / "big.docx"
    document.save(str(path))
    assert "SYNTHETIC" in (readers.read(path).text or "")
    monkeypatch.setenv("SABT_LIMIT_UNZIPPED_BYTES", "100000")
    with pytest.raises(SabtError) as exc:
        readers.read(path)
    assert "big.docx" in one_line(exc) and "unzipped_bytes" in str(exc.value)


def test_docx_with_a_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'
                       for i in range(1, 12))
    body = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "ha">{entities}]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            'main"><w:body><w:p><w:r><w:t>&l11;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", body)
    with pytest.raises(SabtError) as exc:
        readers.read(path)
    assert "laughs.docx" in one_line(exc)


# --- other files Sabt reads ----------------------------------------------------------------


def test_mapping_file_nested_deep_is_one_line(tmp_path: Path) -> None:
    from sabt.ingest.headers import Mapping

    path = tmp_path / "mapping.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(SabtError) as exc:
        Mapping.load(path)
    assert "mapping.toml" in one_line(exc)


@pytest.mark.parametrize("body", [b"a,b,count\n\"" + b"x" * 200_000 + b"\",1,2\n",
                                  b"\xff\xfea,b\n1,0\n"])
def test_capture_and_review_csvs_that_cannot_be_read_are_one_line(tmp_path: Path,
                                                                  body: bytes) -> None:
    from sabt.estimate.reader import read_capture_csv
    from sabt.link.workspace import import_decisions

    path = tmp_path / "in.csv"
    path.write_bytes(body)
    with pytest.raises(SabtError) as exc:
        read_capture_csv(path)
    assert "in.csv" in one_line(exc)
    ws = Store.create(tmp_path / "ws")
    with pytest.raises(SabtError) as exc:
        import_decisions(ws, path, reviewer="SYNTHETIC")
    ws.close()
    assert "in.csv" in one_line(exc)


def test_case_file_linked_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    folder = _case(tmp_path)
    outside = tmp_path / "persons-elsewhere.csv"
    (folder / "persons.csv").replace(outside)
    (folder / "persons.csv").symlink_to(outside)
    with pytest.raises(SabtError) as exc:
        plan_case(folder, "SYNTHETIC")
    assert "symbolic link" in one_line(exc) and str(outside) in str(exc.value)
    (folder / "persons.csv").unlink()
    (folder / "persons.csv").symlink_to(folder / "places.csv")   # inside: followed
    with pytest.raises(SabtError, match="missing column"):
        plan_case(folder, "SYNTHETIC")
