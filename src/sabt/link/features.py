"""Records → the flat table the linkage model compares (script-independent name and date keys).

For every name field (given, family, father) the table has seven columns computed with
`sabt.text`, each on distinct values only so a million rows cost what their vocabulary costs:

* ``<f>_key``  exact key in the name's own script (term-frequency adjusted),
* ``<f>_canon`` canonical Latin spelling (Persian script is romanised first),
* ``<f>_skel`` cross-script consonant skeleton (blocking key and a weak level),
* ``<f>_roman`` the canonical forms of the top romanisation candidates (a list),
* ``<f>_edit`` the key with one ASCII byte per letter, for byte-wise edit distances,
* ``<f>_attested`` the Persian key of the dictionary name the spelling is, if attested, written
  as ``<f>_edit`` writes Persian keys (a Latin spelling's name in Persian letters).

Places (prison and place of death together), province and affiliation become the skeletons of
their words (`token_columns`); ``place_near`` lists the place words similar to a record's
(`near_words`). ``<f>_skel2`` and ``<f>_end2`` (first and last two skeleton
letters) and ``given_skel1`` serve blocking.
Dates become Gregorian day numbers (``<d>_lo``/``<d>_hi`` bounds of a `FuzzyDate`) plus Solar
Hijri and Gregorian month/year numbers, so that "same month" holds in the calendar the source used,
and (for dates known to the day) month · 100 + day in each calendar, for the one-part errors.
Birth year comes from the birth year, else the birth date, else death year minus age.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache, partial
from typing import Any

import jdatetime
import numpy as np
import pandas as pd

from sabt.link.extra import feature_columns as extra_feature_columns
from sabt.model.dates import FuzzyDate
from sabt.text.features import name_features
from sabt.text.keys import name_key, skeleton_token
from sabt.text.lexicon import attested_name
from sabt.text.names import parse_name

NAME_FEATURES: tuple[str, ...] = ("given", "family", "father")
_SOURCE_FIELDS = {"given": "given_name", "family": "family_name", "father": "father_name"}
# Words that name a kind of place or group rather than which one; they prove nothing.
_STOPWORDS = frozenset({
    "prison", "jail", "central", "city", "the", "of", "e", "party", "organisation",
    "organization", "supporter", "supporters", "iran", "khalq", "zendan", "markazi",
    "زندان", "مرکزی", "شهر", "سازمان", "حزب", "هوادار", "خلق", "ایران",
    "cemetery", "in", "area", "گورستان",
})
# "-abad" (آباد) is written joined, with a ZWNJ or as its own word: always joined here
_ABAD = re.compile(r"[\s\-\u200c]+((?:abad|آباد)\b)", re.IGNORECASE)
#: Told (done, total) while a long step works through countable items (a progress bar).
Counter = Callable[[int, int], None]
_TOKEN_SPLIT = re.compile(r"[\s()\[\],;/\-]+")
_EPOCH = date(1970, 1, 1).toordinal()
#: Jaro-Winkler of two place words that counts as "a similar word" (`place_near`)
PLACE_NEAR = 0.85
#: Persian letters of a name key (`sabt.text.keys.name_key`), each written as one ASCII byte
#: not used by Latin keys (upper case, digits): DuckDB's edit distance counts bytes, and a
#: Persian letter is two, so one mistyped letter would count as two edits (and not on Spark).
_ONE_BYTE = str.maketrans(dict(zip("ابتثجحخدذرزسشصضطظعغفقلمنهوپچژکگی",
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", strict=True)))
_MONTH_SPAN = 31   # a date known to within this many days has a month
_YEAR_SPAN = 366   # ... and within this many a year


def _name_values(value: str) -> tuple[str, str, str, list[str]]:
    feats = name_features(value)
    return feats["key"], feats["canon"], feats["skeleton"], sorted(feats["roman"])


def _per_unique(values: pd.Series, fn: Callable[[str], Any]) -> tuple[np.ndarray, list[Any]]:
    """Each row's code (-1: missing) and `fn` of each distinct value (None if not text); whatever
    `fn` romanises is batched (`sabt.text.romanize.map_batched`)."""
    from sabt.text.romanize import map_batched

    codes, uniques = pd.factorize(values)
    table = map_batched(fn, uniques)
    return codes, [table[u] if isinstance(u, str) else None for u in uniques]


def _spread(codes: np.ndarray, per_unique: list[Any]) -> list[Any]:
    """The per-unique values back over the rows (None where the code is -1)."""
    table = np.empty(len(per_unique) + 1, dtype=object)   # the last one stays None
    for i, value in enumerate(per_unique):
        table[i] = value   # one by one: lists and tuples stay single objects
    out: list[Any] = table[codes].tolist()
    return out


def _map_unique(values: pd.Series, fn: Callable[[str], Any]) -> list[Any]:
    """`fn` of each distinct value, spread over the rows (see `_per_unique`)."""
    return _spread(*_per_unique(values, fn))


def name_feature_columns(values: pd.Series, prefix: str) -> pd.DataFrame:
    """The comparison columns (key, canon, skel, roman, edit, attested) for one name field."""
    clean = values.where(values.notna() & (values.astype("string").str.strip() != ""))
    codes, rows = _per_unique(clean, _name_values)
    names = ("key", "canon", "skel", "roman")
    frame = pd.DataFrame({
        f"{prefix}_{name}": _spread(codes, [r[k] if r is not None else None for r in rows])
        for k, name in enumerate(names)
    }, index=values.index)
    for col in (f"{prefix}_key", f"{prefix}_canon", f"{prefix}_skel"):
        frame[col] = frame[col].where(frame[col].astype("string") != "", None)
    frame[f"{prefix}_edit"] = _spread(   # per distinct key, as the other columns
        codes, [r[0].translate(_ONE_BYTE) if r is not None and r[0] else None for r in rows])
    attested = [_attested(r[0], r[1]) if r is not None else None for r in rows]
    # typed as text: it may be empty in every row (no name the dictionary knows), and an untyped
    # empty column reaches the database as a number
    frame[f"{prefix}_attested"] = pd.Series(
        _spread(codes, [a.translate(_ONE_BYTE) if a else None for a in attested]),
        dtype="string")
    return frame


def _attested(key: str, canon: str) -> str | None:
    """The attested name a spelling is (`sabt.text.lexicon.attested_name`): a Persian spelling
    by its key, a Latin one by its canonical form."""
    return attested_name(canon if key.isascii() else key) if key else None


def _word_skeletons(value: str) -> set[str]:
    value = _ABAD.sub(r"\1", value)
    toks = [t for t in _TOKEN_SPLIT.split(value) if t and name_key(t) not in _STOPWORDS]
    return {sk for sk in (t if t.isdigit() else skeleton_token(t) for t in toks) if sk}


@lru_cache(maxsize=1)
def place_aliases() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """The gazetteer: word skeletons of every sourced name of a place → its tokens.

    Read from the case data (`sabt/data/case1988/places.csv`: English and Persian name and the
    sourced ``other_names``), so that "Gohardasht", "Rajaei Shahr" and "زندان رجایی‌شهر" all
    become ``qhrd$t`` (the joined skeletons of the English name). A place with a ``city`` also
    stands for its city (Gohardasht → Karaj, Evin → Tehran), as lists give either. Longest
    aliases first; an alias shared by two places is dropped.
    """
    from importlib.resources import files

    text = files("sabt.data.case1988").joinpath("places.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    owners: dict[frozenset[str], set[str]] = {}
    for row in rows:
        names = [row.get("name_en") or "", row.get("name_fa") or "",
                 *(row.get("other_names") or "").split(";")]
        for name in names:
            skels = frozenset(_word_skeletons(name.strip()))
            if skels:
                owners.setdefault(skels, set()).add(_place_token(row))
    unique = [(k, next(iter(v))) for k, v in owners.items() if len(v) == 1]
    by_length = [(alias, frozenset({place})) for alias, place in
                 sorted(unique, key=lambda kv: (-len(kv[0]), sorted(kv[0]), kv[1]))]
    cities = {_place_token(row): _replace_aliases(_word_skeletons(row["city"]), by_length)
              for row in rows if row.get("city")}
    return tuple((alias, places | cities.get(next(iter(places)), frozenset()))
                 for alias, places in by_length)


def _place_token(row: dict[str, str]) -> str:
    return "".join(sorted(_word_skeletons(row["name_en"]))) or row["place_id"]


def _replace_aliases(skels: set[str],
                     aliases: Iterable[tuple[frozenset[str], frozenset[str]]]) -> set[str]:
    """Replace each known alias among a value's word skeletons by its tokens."""
    for alias, tokens in aliases:
        if alias <= skels:
            skels = (skels - alias) | tokens
    return skels


def _token_skeletons(value: str, gazetteer: bool = False) -> list[str] | None:
    skels = _word_skeletons(value)
    if gazetteer:
        skels = _replace_aliases(skels, place_aliases())
    return sorted(skels) or None


def token_columns(values: pd.Series, gazetteer: bool = False) -> list[list[str] | None]:
    """Sorted distinct consonant skeletons of a place or group's words, stopwords left out.

    "Tabriz central prison" and "زندان مرکزی تبریز" share ``tbrz``; "Evin" and "زندان اوین"
    share ``vn``. Categories are written so differently that a shared word is the evidence.
    Numbers (postcodes, street numbers) are kept as they are. With `gazetteer`, the words of a
    known place's name or alias are replaced by its place id (`place_aliases`).
    """
    out: list[list[str] | None] = _map_unique(values, partial(_token_skeletons,
                                                               gazetteer=gazetteer))
    return out


def near_words(values: pd.Series, threshold: float) -> list[list[str] | None]:
    """Per token list, the words of the whole column within Jaro-Winkler ≥ `threshold` of one
    of its words (DuckDB's Jaro-Winkler, computed once over the column's vocabulary).

    "Some word of l is similar to some word of r" is then ``r`` sharing a word with ``l``'s
    near words: a list lookup per scored pair instead of every pairing of their words.
    """
    import duckdb

    vocab = sorted({w for v in values if isinstance(v, list) for w in v})
    with duckdb.connect() as con:
        rows = con.execute(
            "select a.w, list(b.w order by b.w) from unnest(?::varchar[]) a(w), "
            f"unnest(?::varchar[]) b(w) where jaro_winkler_similarity(a.w, b.w) >= {threshold} "
            "group by a.w", [vocab, vocab]).fetchall()
    near: dict[str, list[str]] = dict(rows)

    table = {}   # per distinct word list: a million records hold a few thousand places
    out: list[list[str] | None] = []
    for words in values:
        if not isinstance(words, list):
            out.append(None)
            continue
        key = tuple(words)
        if key not in table:
            table[key] = sorted({n for w in words for n in near[w]})
        out.append(table[key])
    return out


def split_full_names(records: pd.DataFrame) -> pd.DataFrame:
    """Fill given/family/father from the full name where a list only has full names."""
    out = records.copy()
    need = out["full_name"].notna() & out["given_name"].isna() & out["family_name"].isna()
    if need.any():
        parsed = _map_unique(out.loc[need, "full_name"], parse_name)
        for fld, attr in (("given_name", "given"), ("family_name", "family"),
                          ("father_name", "father")):
            vals = [getattr(p, attr, None) or None for p in parsed]
            current = out.loc[need, fld]
            parsed_vals = pd.Series(vals, index=current.index)
            out.loc[need, fld] = current.where(current.notna(), parsed_vals)
    return out


def _date_columns(dates: Iterable[FuzzyDate | None], prefix: str) -> pd.DataFrame:
    cols: dict[str, list[int | None]] = {k: [] for k in ("lo", "hi", "gym", "jym", "year",
                                                          "jyear", "gmd", "jmd")}
    for fd in dates:
        if not isinstance(fd, FuzzyDate) or fd.earliest is None or fd.latest is None:
            for values in cols.values():
                values.append(None)
            continue
        a, b = fd.earliest.toordinal() - _EPOCH, fd.latest.toordinal() - _EPOCH
        mid = date.fromordinal((a + b) // 2 + _EPOCH)
        j = jdatetime.date.fromgregorian(date=mid)
        month, year = b - a <= _MONTH_SPAN, b - a <= _YEAR_SPAN
        cols["lo"].append(a)
        cols["hi"].append(b)
        cols["gym"].append(mid.year * 12 + mid.month - 1 if month else None)
        cols["jym"].append(j.year * 12 + j.month - 1 if month else None)
        cols["year"].append(mid.year if year else None)
        cols["jyear"].append(j.year if year else None)
        # month and day (month · 100 + day) of a date known to the day, in each calendar
        cols["gmd"].append(mid.month * 100 + mid.day if a == b else None)
        cols["jmd"].append(j.month * 100 + j.day if a == b else None)
    return pd.DataFrame({f"{prefix}_{k}": pd.array(v, dtype="Int64") for k, v in cols.items()})


def date_columns(dates: pd.Series, prefix: str) -> pd.DataFrame:
    """`_date_columns` computed once per distinct date (a million records hold a few thousand
    dates) and spread back over the records."""
    by_edtf = {fd.edtf: fd for fd in dates if isinstance(fd, FuzzyDate)}
    codes, uniques = pd.factorize(
        pd.Series([fd.edtf if isinstance(fd, FuzzyDate) else None for fd in dates],
                  dtype=object), use_na_sentinel=True)
    table = _date_columns([*(by_edtf[e] for e in uniques), None], prefix)
    return table.iloc[np.where(codes < 0, len(uniques), codes)].reset_index(drop=True)



def _romanise_ahead(recs: pd.DataFrame, counter: Counter | None) -> None:
    """Romanise every Persian name token in one batched pass (`sabt.text.romanize.prefetch`).

    The per-name features below then find each token's spellings ready; asking the model one
    token at a time cost most of the normalisation time.
    """
    from sabt.text.romanize import prefetch

    names = pd.unique(recs[["full_name", *_SOURCE_FIELDS.values()]].to_numpy().ravel())
    prefetch(names, counter)


def build_features(records: pd.DataFrame, counter: Counter | None = None) -> pd.DataFrame:
    """The model's input table, one row per record, ``unique_id`` = position in `records`.

    `records` has the canonical columns of `sabt.ingest.lists.RECORD_COLUMNS` plus ``source``
    (the list name); missing columns are treated as empty. `counter` is told (done, total) as
    the romaniser's model works through the names its dictionary lacks.
    """
    from sabt.ingest.lists import RECORD_COLUMNS

    recs = records.reset_index(drop=True).copy()
    for col in RECORD_COLUMNS:
        if col not in recs.columns:
            recs[col] = None
    _romanise_ahead(recs, counter)
    recs = split_full_names(recs)   # units it joins (Hossein Zadeh) are batched by _map_unique
    parts = [pd.DataFrame({
        "unique_id": np.arange(len(recs), dtype=np.int64),
        "source_list": recs["source"].astype(str).to_numpy(),
    })]
    for feat in NAME_FEATURES:
        parts.append(name_feature_columns(recs[_SOURCE_FIELDS[feat]], feat)
                     .reset_index(drop=True))
    parts.append(date_columns(recs["death_date_fd"], "death"))
    parts.append(date_columns(recs["birth_date_fd"], "birth"))
    places = recs["prison"].fillna("").astype(str) + " " + \
        recs["place_of_death"].fillna("").astype(str)
    extra = pd.DataFrame({
        "sex": recs["sex_code"].astype("string").to_numpy(),
        "place": token_columns(places.str.strip().replace("", None), gazetteer=True),
        "province": token_columns(recs["province"], gazetteer=True),
        "affiliation": token_columns(recs["affiliation"]),
    })
    extra["place_near"] = pd.Series(near_words(extra["place"], PLACE_NEAR), dtype=object)
    parts.append(extra)
    frame = pd.concat(parts, axis=1)
    for feat in ("given", "family"):
        frame[f"{feat}_skel2"] = frame[f"{feat}_skel"].str[:2]
        # last two letters: a typo near the start of a name keeps them ("bhm"/"brhm")
        frame[f"{feat}_end2"] = frame[f"{feat}_skel"].str[-2:]
        # letters in order: a transposition or moved vowel ("mhd"/"hmd") keeps the key
        frame[f"{feat}_sorted"] = frame[f"{feat}_skel"].map(
            lambda v: "".join(sorted(v)) if isinstance(v, str) else None)
    frame["given_skel1"] = frame["given_skel"].str[:1]
    frame["birth_year"] = _birth_year(recs, frame)
    # the mapping's [compare] columns (x_<kind>_<header>), see sabt.link.extra
    return pd.concat([frame, extra_feature_columns(recs["compare"])], axis=1)


def _birth_year(recs: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    from_field = recs["birth_year_num"].astype("Int64").to_numpy(dtype="float64",
                                                                 na_value=np.nan)
    from_date = np.array(
        [fd.earliest.year if isinstance(fd, FuzzyDate) and fd.earliest and fd.latest
         and (fd.latest - fd.earliest).days <= _YEAR_SPAN else np.nan
         for fd in recs["birth_date_fd"]], dtype="float64")
    death_year = frame["death_year"].to_numpy(dtype="float64", na_value=np.nan)
    ages = recs["age_num"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
    best = np.where(np.isnan(from_field), from_date, from_field)
    best = np.where(np.isnan(best), death_year - ages, best)
    return pd.Series(best).round().astype("Int64")
