"""Column-header detection: map a list's headers (Persian, English, variants) to canonical fields.

Victim lists arrive with headers such as ``نام خانوادگی``, ``Surname``, ``LAST_NAME`` or
``Family name``. Linkage needs one vocabulary, so every header is normalised (Unicode NFKC,
Arabic→Persian letters, case, spacing and punctuation folded) and looked up in a table of known
forms. Anything the table does not know can be mapped with a ``mapping.toml`` file::

    [columns]
    "Nom de famille" = "family_name"
    "Notes internes" = ""          # an empty target ignores the column

    [options]
    encoding = "cp1256"            # optional: the file's text encoding (default UTF-8)
    sheet = "Liste"                # optional: the XLSX sheet to read (default: the first)

    [compare]                      # optional: more columns for the linkage model to compare
    "Street number" = "code"       # kinds: text, code, number (see `sabt.link.extra`)
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sabt.errors import SabtError
from sabt.safety import reason
from sabt.text.normalize import to_ascii_digits

CANONICAL_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "father_name",
    "full_name",
    "sex",
    "birth_year",
    "birth_date",
    "death_date",
    "age",
    "prison",
    "place_of_death",
    "province",
    "affiliation",
)
NAME_FIELDS: tuple[str, ...] = ("given_name", "family_name", "full_name")
#: How a ``[compare]`` column is compared (the levels are in `sabt.link.extra`).
COMPARE_KINDS: tuple[str, ...] = ("text", "code", "number")
_MAPPING_TABLES = ("columns", "options", "compare")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def compare_number(text: str) -> float | None:
    """A ``[compare]`` cell of kind number as a float (Persian digits too; decimal point,
    comma or the Arabic decimal separator ٫); None when it is not a number."""
    digits = to_ascii_digits(text).strip()
    match = _NUMBER.fullmatch(digits.replace(",", ".").replace("٫", "."))
    return float(match[0]) if match else None

_LETTER_MAP = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا"})
_DROP = re.compile(r"[\u200d\u200e\u200f\ufeff\u064b-\u065f\u0670\u0640]")
_ELIDED = re.compile(r"[.'’`\"]")
_SEPARATORS = re.compile(r"[\s\u200c_\-/:()\[\]،,]+")

# Known header forms, written naturally; they are normalised with `normalise_header` on load.
_ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": (
        "given_name", "given name", "given", "first name", "firstname", "first", "forename",
        "christian name", "prenom", "prénom", "نام", "اسم", "نام کوچک",
    ),
    "family_name": (
        "family_name", "family name", "family", "surname", "last name", "lastname", "last",
        "nom", "nom de famille", "نام خانوادگی", "نام‌خانوادگی", "شهرت", "فامیلی",
    ),
    "father_name": (
        "father_name", "father name", "father's name", "fathers name", "father", "name of father",
        "patronymic", "نام پدر", "اسم پدر", "فرزند",
    ),
    "full_name": (
        "full_name", "full name", "name", "names", "person", "victim", "victim name",
        "name of victim", "complete name", "نام و نام خانوادگی", "نام کامل", "اسم و فامیل",
        "نام و نام‌خانوادگی",
    ),
    "sex": ("sex", "gender", "m/f", "جنسیت", "جنس"),
    "birth_year": (
        "birth_year", "birth year", "year of birth", "yob", "born", "year born",
        "سال تولد", "متولد",
    ),
    "birth_date": ("birth_date", "birth date", "date of birth", "dob", "birthday", "تاریخ تولد"),
    "death_date": (
        "death_date", "death date", "date of death", "dod", "execution date",
        "date of execution", "executed", "date executed", "تاریخ اعدام", "تاریخ فوت",
        "تاریخ شهادت", "تاریخ مرگ", "تاریخ جانباختن",
    ),
    "age": ("age", "age at death", "age at execution", "سن", "سن هنگام اعدام"),
    "prison": ("prison", "prison name", "place of detention", "detention", "زندان", "محل زندان"),
    "place_of_death": (
        "place_of_death", "place of death", "place of execution", "execution place",
        "location of execution", "محل اعدام", "محل فوت", "محل شهادت", "محل جانباختن",
    ),
    "province": ("province", "state", "region", "ostan", "استان"),
    "affiliation": (
        "affiliation", "political affiliation", "organization", "organisation", "party", "group",
        "وابستگی", "وابستگی سیاسی", "وابستگی سازمانی", "سازمان", "گرایش", "گرایش سیاسی",
    ),
}


def normalise_header(text: str) -> str:
    """Fold a header to a lookup key: NFKC, Persian letters, lower case, separators → one space."""
    folded = unicodedata.normalize("NFKC", text).translate(_LETTER_MAP)
    folded = _DROP.sub("", folded).casefold()
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return _SEPARATORS.sub(" ", _ELIDED.sub("", folded)).strip()


def compact_header(text: str) -> str:
    """A header's lookup key without any space: ``نامخانوادگی``, ``نام‌خانوادگی`` (ZWNJ),
    ``نام‌‍خانوادگی`` (ZWJ) and ``نام خانوادگی`` all fold to one key."""
    return normalise_header(text).replace(" ", "")


_LOOKUP: dict[str, str] = {
    compact_header(alias): canonical
    for canonical, aliases in _ALIASES.items()
    for alias in aliases
}


@dataclass(frozen=True)
class Mapping:
    """A user's mapping file: header → canonical field ("" to ignore) plus reading options."""

    columns: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    sheet: str | None = None
    compare: dict[str, str] = field(default_factory=dict)   # header → kind (COMPARE_KINDS)

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """Read and check a ``mapping.toml`` file; unknown targets are refused with the reason."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            raise SabtError(f"cannot read mapping file: {reason(exc)}", file=str(path)) from exc
        unknown_tables = [k for k in data if k not in _MAPPING_TABLES]
        if unknown_tables:
            raise SabtError(f"unknown key {unknown_tables[0]!r} (the tables are "
                            f"{', '.join(f'[{t}]' for t in _MAPPING_TABLES)})", file=str(path))
        columns = data.get("columns", {})
        options = data.get("options", {})
        compare = data.get("compare", {})
        if not all(isinstance(t, dict) for t in (columns, options, compare)):
            raise SabtError("[columns], [options] and [compare] must be tables", file=str(path))
        for header, target in columns.items():
            if not isinstance(target, str) or (target and target not in CANONICAL_FIELDS):
                raise SabtError(
                    f"column {header!r} maps to {target!r}, which is not one of "
                    f"{', '.join(CANONICAL_FIELDS)} (or \"\" to ignore)",
                    file=str(path),
                )
        for header, kind in compare.items():
            if kind not in COMPARE_KINDS:
                raise SabtError(f"[compare] key {header!r}: kind {kind!r} is not one of "
                                f"{', '.join(COMPARE_KINDS)}", file=str(path))
        unknown = set(options) - {"encoding", "sheet"}
        if unknown:
            raise SabtError(f"unknown option(s) {sorted(unknown)}", file=str(path))
        return cls(
            columns={str(k): str(v) for k, v in columns.items()},
            encoding=str(options["encoding"]) if "encoding" in options else None,
            sheet=str(options["sheet"]) if "sheet" in options else None,
            compare={str(k): str(v) for k, v in compare.items()},
        )


def lookup_field(header: str) -> str:
    """Canonical field of a header ("" if none); spaces, ZWNJ and ZWJ do not matter, and a
    bilingual header ("نام / Name") maps by its first known part."""
    key = compact_header(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    for part in re.split(r"[/|]", header):
        target = _LOOKUP.get(compact_header(part))
        if target:
            return target
    return ""


def compared_columns(headers: list[str], mapping: Mapping | None = None, *,
                     file: str | None = None) -> dict[str, str]:
    """The mapping's ``[compare]`` columns as header in the file → kind (headers matched folded).

    A compared header the file lacks is refused, naming the file and the key.
    """
    if mapping is None or not mapping.compare:
        return {}
    by_key = {normalise_header(h): h for h in headers}
    out: dict[str, str] = {}
    for header, kind in mapping.compare.items():
        found = by_key.get(normalise_header(header))
        if found is None:
            raise SabtError(f"[compare] key {header!r} names a column not in the file", file=file)
        out[found] = kind
    return out


def detect_columns(headers: list[str], mapping: Mapping | None = None, *,
                   file: str | None = None) -> dict[str, str]:
    """Map each header to a canonical field (unmapped headers are left out).

    A header matches a known form of a field; a bilingual header by its first part that does;
    a lone "name" column with no family-name column is taken as full names. Refuses, naming
    the file: empty or duplicate headers, two headers claiming one canonical
    field, and lists without any name column (given, family or full name).
    """
    mapping = mapping or Mapping()
    seen: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        if not key:
            raise SabtError("a column has an empty header", file=file)
        if key in seen:
            raise SabtError(f"duplicate column headers {seen[key]!r} and {header!r}", file=file)
        seen[key] = header
    explicit = {normalise_header(k): v for k, v in mapping.columns.items()}
    missing = set(explicit) - set(seen)
    if missing:
        raise SabtError(
            f"the mapping names column(s) not in the file: {sorted(missing)}", file=file
        )
    result: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        target = explicit[key] if key in explicit else lookup_field(header)
        if not target:
            continue
        if target in claimed:
            raise SabtError(
                f"columns {claimed[target]!r} and {header!r} both map to {target!r}; "
                "say which one to use in a mapping file",
                file=file,
            )
        claimed[target] = header
        result[header] = target
    fields = set(result.values())
    if "given_name" in fields and not fields & {"family_name", "full_name"}:
        # A list whose only name column is "name"/"نام" writes whole names in it.
        header = claimed["given_name"]
        if normalise_header(header) not in explicit:
            result[header] = "full_name"
    if not any(t in NAME_FIELDS for t in result.values()):
        raise SabtError(
            "no name column found (need one of given name, family name or full name; "
            f"headers were {headers}); map one in a mapping file",
            file=file,
        )
    return result
