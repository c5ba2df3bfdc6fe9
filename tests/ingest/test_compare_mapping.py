"""A mapping file's [compare] table: parsed, checked (errors name the file and key), carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from sabt.errors import SabtError
from sabt.ingest.headers import Mapping, compare_number
from sabt.ingest.lists import read_list

LIST = ("given_name,surname,Street No,Post code,Weight\n"
        "Maryam,Karimi,12,2 000,61.5\nReza,Mousavi,,,\n")


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("toml", "message"), [
    ('[compare]\n"Post code" = "zip"\n',
     r"\[compare\] key 'Post code': kind 'zip' is not one of text, code, number"),
    ('[compare]\n"Post code" = 3\n', r"\[compare\] key 'Post code': kind 3 is not one of"),
    ('[comapre]\n"Post code" = "code"\n', r"unknown key 'comapre'"),
    ('compare = "code"\n', r"\[compare\] must be tables"),
])
def test_bad_compare_tables_are_refused_naming_file_and_key(tmp_path: Path, toml: str,
                                                            message: str) -> None:
    path = _mapping(tmp_path, toml)
    with pytest.raises(SabtError, match=message) as info:
        Mapping.load(path)
    assert info.value.file == str(path)


def test_a_compared_column_missing_from_the_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "SYNTHETIC_list.csv"
    data.write_text(LIST, encoding="utf-8")
    mapping = Mapping.load(_mapping(tmp_path, '[compare]\n"Postcode" = "code"\n'))
    with pytest.raises(SabtError, match=r"\[compare\] key 'Postcode' names a column not in"
                       ) as info:
        read_list(data, mapping=mapping)
    assert info.value.file == str(data)


def test_compared_columns_are_carried_as_written(tmp_path: Path) -> None:
    data = tmp_path / "SYNTHETIC_list.csv"
    data.write_text(LIST, encoding="utf-8")
    # headers match folded (case, spacing), like [columns]
    mapping = Mapping.load(_mapping(
        tmp_path, '[compare]\n"street no" = "code"\n"POST CODE" = "code"\n"Weight" = "number"\n'))
    parsed = read_list(data, mapping=mapping)
    assert parsed.compared == {"Street No": "code", "Post code": "code", "Weight": "number"}
    assert "Post code" not in parsed.columns     # compared, not a canonical field
    assert parsed.records["compare"].tolist() == [
        {"code:Street No": "12", "code:Post code": "2 000", "number:Weight": "61.5"},
        None,                                    # a row with no compared value
    ]


def test_compact_dates_are_read(tmp_path: Path) -> None:
    data = tmp_path / "SYNTHETIC_dates.csv"
    # 8 Mordad 1367 = 30 July 1988; 31 April does not exist
    data.write_text("name,date of birth\nA B,19560409\nC D,13670508\nE F,19560431\n",
                    encoding="utf-8")
    parsed = read_list(data)
    days = [fd.earliest.isoformat() if fd else None for fd in parsed.records["birth_date_fd"]]
    assert days == ["1956-04-09", "1988-07-30", None]
    assert [(w.row, w.field) for w in parsed.warnings] == [(3, "birth_date")]


def test_a_number_that_is_not_one_is_kept_with_a_warning(tmp_path: Path) -> None:
    data = tmp_path / "SYNTHETIC_list.csv"
    data.write_text("given_name,surname,Weight\nMaryam,Karimi,about 60\nReza,Mousavi,۶۱٫۵\n"
                    "Ali,Rahimi,62,5\n".replace("62,5", '"62,5"'), encoding="utf-8")
    mapping = Mapping.load(_mapping(tmp_path, '[compare]\n"Weight" = "number"\n'))
    parsed = read_list(data, mapping=mapping)
    # Row 1 is not a number: imported as written, one warning naming row and field. Row 2
    # (Persian digits, Arabic decimal separator) and row 3 (decimal comma) are numbers.
    assert [(w.row, w.field, w.value) for w in parsed.warnings] == [(1, "Weight", "about 60")]
    assert parsed.records["compare"].tolist()[0] == {"number:Weight": "about 60"}
    assert [compare_number(v) for v in ("۶۱٫۵", "62,5", "۱۲", "1.2.3")] == [61.5, 62.5, 12.0, None]
