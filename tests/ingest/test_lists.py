"""Reading list files: header detection, parsing, warnings and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from sabt.errors import SabtError
from sabt.ingest.headers import Mapping, detect_columns, normalise_header
from sabt.ingest.lists import read_list

DATA = Path(__file__).parents[1] / "data" / "ingest"


def test_persian_headers_are_detected_and_values_parsed() -> None:
    parsed = read_list(DATA / "SYNTHETIC_list_fa.csv", name="fa")
    assert parsed.columns == {
        "نام": "given_name", "نام خانوادگی": "family_name", "نام پدر": "father_name",
        "جنسیت": "sex", "سال تولد": "birth_year", "تاریخ اعدام": "death_date",
        "زندان": "prison", "محل اعدام": "place_of_death", "استان": "province",
    }
    recs = parsed.records
    assert recs["row"].tolist() == [1, 2, 3]
    assert recs["given_name"].tolist() == ["حسین", "فاطمه", "علي"]   # raw text kept as written
    assert recs["sex_code"].tolist() == ["m", "f", "m"]
    # ۱۳۴۰ and 1342 are Solar Hijri years: 1340 SH began in March 1961.
    assert recs["birth_year_num"].tolist()[:2] == [1961, 1963]
    # 8 Mordad 1367 = 30 July 1988 (1 Mordad 1367 = 23 July 1988).
    fd = recs["death_date_fd"][0]
    assert fd.earliest.isoformat() == "1988-07-30" == fd.latest.isoformat()
    assert json.loads(recs["raw"][0])["نام"] == "حسین"


def test_unparseable_date_imports_with_a_warning() -> None:
    parsed = read_list(DATA / "SYNTHETIC_list_fa.csv")
    row3 = parsed.records.iloc[2]
    assert row3["death_date"] == "نامعلوم" and row3["death_date_fd"] is None
    assert [(w.row, w.field) for w in parsed.warnings] == [(0, "ردیف"), (3, "death_date")]
    assert "not mapped" in parsed.warnings[0].message   # the row-number column, reported


def test_json_with_english_variants() -> None:
    parsed = read_list(DATA / "SYNTHETIC_list_en.json")
    assert parsed.columns["Father's name"] == "father_name"
    assert parsed.columns["Date of execution"] == "death_date"
    assert "SYNTHETIC" not in parsed.columns      # unknown column: kept raw, not mapped
    assert json.loads(parsed.records["raw"][1])["SYNTHETIC"] == "yes"
    assert parsed.records["birth_year_num"].tolist() == [1961, 1963]


def test_xlsx_and_mapping(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Prenom_x", "Nom", "Notes", "Age"])
    sheet.append(["Maryam", "Karimi", "x", 27])
    sheet.append([None, None, None, None])
    sheet.append(["Reza", "Mousavi", "y", "twenty"])
    path = tmp_path / "SYNTHETIC.xlsx"
    book.save(path)
    parsed = read_list(path, mapping=Mapping.load(DATA / "SYNTHETIC_mapping.toml"))
    assert parsed.columns == {"Prenom_x": "given_name", "Nom": "family_name", "Age": "age"}
    assert parsed.records["row"].tolist() == [1, 3]     # the empty row 2 is skipped
    assert parsed.records["age_num"].tolist()[0] == 27
    assert [(w.row, w.field) for w in parsed.warnings] == [(2, ""), (3, "age")]
    assert "1 blank row(s) skipped" in parsed.warnings[0].message   # reported, not silent


def test_wrong_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.csv"
    path.write_bytes("نام,نام خانوادگي\nحسين,رضايي\n".encode("cp1256"))
    with pytest.raises(SabtError, match="not valid utf-8-sig"):
        read_list(path)
    mapping = tmp_path / "m.toml"
    mapping.write_text('[options]\nencoding = "cp1256"\n', encoding="utf-8")
    assert read_list(path, mapping=Mapping.load(mapping)).records["family_name"][0] == "رضايي"


@pytest.mark.parametrize(("header", "reason"), [
    ("Surname,Surname\nA,B\n", "duplicate column headers"),
    ("Surname,Last name\nA,B\n", "both map to 'family_name'"),
    ("Prison,Age\nEvin,30\n", "no name column"),
])
def test_bad_headers_are_refused(tmp_path: Path, header: str, reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(SabtError, match=reason) as info:
        read_list(path)
    assert info.value.file == str(path)


def test_ragged_row_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Name,Age\nA,1\nB,2,extra\n", encoding="utf-8")
    with pytest.raises(SabtError) as info:
        read_list(path)
    assert info.value.row == 2


def test_header_normalisation_folds_script_and_case() -> None:
    assert normalise_header("  نام‌خانوادگي ") == normalise_header("نام خانوادگی")
    assert normalise_header("LAST_NAME") == "last name"
    assert detect_columns(["FULL NAME", "D.O.B."]) == {"FULL NAME": "full_name",
                                                       "D.O.B.": "birth_date"}
