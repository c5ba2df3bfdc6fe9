"""One organisation's list from the population: capture, copying, duplicates, noise, formatting.

A list is built in two steps. `build_records` draws who is on the list and writes each row's values
with the list's habits and errors into a *record* (plain arrays: name strings already in the
row's script, date ordinals, category codes, error flags). Copied rows are records taken verbatim
from an earlier list. `format_list` then lays the records out in the list's own columns, headers,
date formats and labels. Every random choice uses one of the list's named random streams, whose
number of draws does not depend on the error rates, so changing one rate leaves the rest equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sabt.simulate import dates
from sabt.simulate.catalog import (
    AFFILIATIONS,
    BURIALS,
    HEADER_SETS,
    PRISONS,
    SAYYID_EN,
    SAYYID_FA,
    SEX,
    SYNTHETIC_HEADER,
    SYNTHETIC_VALUE,
    Label,
)
from sabt.simulate.config import DATE_ERROR_KINDS, ListSpec
from sabt.simulate.names import (
    Vocabulary,
    arabic_letters,
    latin_form,
    typo,
)
from sabt.simulate.population import AFFILIATION_CODES, PROVINCE_CODES

STREAMS = (
    "capture",
    "copy",
    "duplicate",
    "script",
    "names",
    "typo",
    "missing",
    "dates",
    "format",
    "order",
)
ORIGINS = ("own", "copy", "duplicate")
NAME_FIELDS = ("given", "surname", "father")


def streams(seed_seq: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """The list's independent random streams, by purpose."""
    return {
        name: np.random.default_rng(s)
        for name, s in zip(STREAMS, seed_seq.spawn(len(STREAMS)), strict=True)
    }


def capture_probability(spec: ListSpec, pop: pd.DataFrame) -> np.ndarray:
    """P(person on the list before copying): logistic in covariates, mean equal to coverage."""
    eta = np.zeros(len(pop))
    aff = np.array([spec.affiliation_effect.get(c, 0.0) for c in AFFILIATION_CODES])
    eta += aff[pop["_affiliation"].to_numpy()]
    prison = np.array([spec.prison_effect.get(p.label.code, 0.0) for p in PRISONS])
    eta += prison[pop["_prison"].to_numpy()]
    eta += spec.female_effect * (pop["sex"].to_numpy() == "F")
    eta += spec.visibility * pop["_visibility"].to_numpy()
    alpha = float(np.log(spec.coverage / (1 - spec.coverage)))
    for _ in range(50):  # Newton on the intercept: mean(sigmoid(alpha + eta)) = coverage
        p = 1.0 / (1.0 + np.exp(-(alpha + eta)))
        gap = float(p.mean()) - spec.coverage
        if abs(gap) < 1e-9:
            break
        alpha -= gap / max(float((p * (1 - p)).mean()), 1e-12)
    result: np.ndarray = 1.0 / (1.0 + np.exp(-(alpha + eta)))
    return result


@dataclass(frozen=True)
class Records:
    """The rows of one list before layout: one array per value, all the same length."""

    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.values["person_id"])

    def take(self, index: np.ndarray) -> Records:
        """The rows at `index`, in that order."""
        return Records({k: v[index] for k, v in self.values.items()})

    @staticmethod
    def concat(parts: list[Records]) -> Records:
        """Rows of several record sets, one after the other."""
        keys = parts[0].values.keys()
        return Records({k: np.concatenate([p.values[k] for p in parts]) for k in keys})


def _token_tables(
    spec: ListSpec, vocab: Vocabulary, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-token spellings for this list: Latin (habit, 3 other attested) and Persian forms.

    Persian columns: standard, with a space, joined, and an orthographic variant; the third
    table is the Persian one typed on an Arabic keyboard (ي/ك).
    """
    n = len(vocab.fa)
    latin = np.empty((n, 4), dtype=object)
    persian = np.empty((n, 4), dtype=object)
    persian[:, :3] = vocab.fa_forms
    u = rng.random((n, 4))
    for t in range(n):
        variants = vocab.latin[t]
        latin[t, 0] = latin_form(variants, spec.latin_habits)
        cdf = np.cumsum(np.sqrt(vocab.latin_counts[t]))
        for s, pick in enumerate(np.searchsorted(cdf / cdf[-1], u[t, :3], side="right").tolist()):
            latin[t, 1 + s] = variants[min(pick, len(variants) - 1)]
        options = vocab.fa_variants[t]
        persian[t, 3] = options[int(u[t, 3] * len(options))]
    if "upper" in spec.latin_habits:  # "AHMADI, Ali": surnames in capitals
        surnames = vocab.surnames
        latin[surnames] = np.vectorize(str.upper, otypes=[object])(latin[surnames])
    arabic = np.asarray([arabic_letters(x) for x in persian.ravel().tolist()], dtype=object)
    return latin, persian, arabic.reshape(n, 4)


def _zwnj_slot(policy: str, u: np.ndarray) -> np.ndarray:
    if policy == "keep":
        return np.zeros(len(u), dtype=np.int64)
    if policy == "space":
        return np.ones(len(u), dtype=np.int64)
    if policy == "join":
        return np.full(len(u), 2, dtype=np.int64)
    return np.searchsorted([0.5, 0.8], u, side="right")  # mixed: 50% keep, 30% space, 20% join


def own_records(
    spec: ListSpec,
    pop: pd.DataFrame,
    persons: np.ndarray,
    vocab: Vocabulary,
    rs: dict[str, np.random.Generator],
    origin: int,
    tables: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> Records:
    """Rows written by this list itself for `persons` (indices into the population)."""
    n = len(persons)
    latin_table, persian_table, arabic_table = tables
    r = rs["script"]
    share = {"persian": 1.0, "latin": 0.0, "mixed": spec.persian_share}[spec.script]
    persian = r.random(n) < share
    arabic = persian & (r.random(n) < spec.arabic_letters_rate)

    names = rs["names"]
    values: dict[str, np.ndarray] = {
        "person_id": pop["person_id"].to_numpy()[persons],
        "origin": np.full(n, origin, dtype=np.int8),
        "persian": persian,
    }
    female = pop["sex"].to_numpy()[persons] == "F"
    for name in NAME_FIELDS:
        tokens = pop[f"_{name}"].to_numpy()[persons]
        u_slot, u_variant, u_zwnj = names.random(n), names.random(n), names.random(n)
        lat_slot = np.where(
            u_slot < spec.spelling_inconsistency, 1 + np.floor(u_variant * 3).astype(np.int64), 0
        )
        fa_slot = np.where(u_variant < spec.persian_variant_rate, 3, _zwnj_slot(spec.zwnj, u_zwnj))
        fa_text = np.where(arabic, arabic_table[tokens, fa_slot], persian_table[tokens, fa_slot])
        text = np.where(persian, fa_text, latin_table[tokens, lat_slot])
        values[name] = text
    # Sayyid prefix on the given name, unless this list drops it.
    sayyid = pop["sayyid"].to_numpy()[persons] & (names.random(n) >= spec.sayyid_drop_rate)
    en_m = SAYYID_EN["M"][int(names.integers(len(SAYYID_EN["M"])))]
    en_f = SAYYID_EN["F"][int(names.integers(len(SAYYID_EN["F"])))]
    fa_sayyid = np.where(female, SAYYID_FA["F"], SAYYID_FA["M"])
    ar_sayyid = np.where(female, arabic_letters(SAYYID_FA["F"]), arabic_letters(SAYYID_FA["M"]))
    prefix = np.where(persian, np.where(arabic, ar_sayyid, fa_sayyid), np.where(female, en_f, en_m))
    values["given"] = np.where(sayyid, prefix + " " + values["given"], values["given"])
    # Memorial lists in Persian often write the honorific شهید ("martyr") before the name.
    title = persian & (names.random(n) < spec.title_rate)
    honorific = np.where(arabic, arabic_letters("شهید "), "شهید ")
    values["given"] = np.where(title, honorific + values["given"], values["given"])

    typo_rng = rs["typo"]
    hits = typo_rng.random((n, len(NAME_FIELDS))) < spec.typo_rate
    for j, name in enumerate(NAME_FIELDS):
        column = values[name].copy()
        idx = np.flatnonzero(hits[:, j] & (column != ""))
        draws = typo_rng.random((len(idx), 3)).tolist()
        column[idx] = [
            typo(text, (a, b, c))
            for text, (a, b, c) in zip(column[idx].tolist(), draws, strict=True)
        ]
        values[name] = column
        values[f"typo_{name}"] = hits[:, j] & (column != "")
    m = rs["missing"].random((n, 8))
    values["father"] = np.where(m[:, 0] < spec.missing_father_rate, "", values["father"])
    values["typo_father"] &= values["father"] != ""
    values["sex"] = np.where(m[:, 1] < spec.missing_rate, -1, female.astype(np.int8))
    values["birth_missing"] = m[:, 2] < spec.missing_rate
    values["exec_missing"] = m[:, 3] < spec.missing_rate
    for j, name in enumerate(("prison", "province", "affiliation", "burial")):
        codes = pop[f"_{name}"].to_numpy()[persons]
        values[name] = np.where(m[:, 4 + j] < spec.missing_rate, -1, codes)

    values.update(
        _date_errors(
            spec,
            pop["_exec_day"].to_numpy()[persons],
            pop["_birth_day"].to_numpy()[persons],
            rs["dates"],
        )
    )
    return Records(values)


def _date_errors(
    spec: ListSpec, exec_day: np.ndarray, birth_day: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Apply date errors: days off (±1–5), wrong month (±1), ±1 year, calendar confusion."""
    n = len(exec_day)
    u = rng.random((n, 6))
    kinds = np.array(DATE_ERROR_KINDS)
    mix = np.array([spec.date_error_mix.get(k, 0.0) for k in DATE_ERROR_KINDS])
    mix = mix / mix.sum() if mix.sum() > 0 else np.full(len(mix), 1 / len(mix))
    kind = np.minimum(np.searchsorted(np.cumsum(mix), u[:, 1], side="right"), len(mix) - 1)
    erred = u[:, 0] < spec.date_error_rate
    error = np.where(erred, kind + 1, 0).astype(np.int8)  # 0 = none, else 1 + kind index
    sign = np.where(u[:, 2] < 0.5, -1, 1)
    day = exec_day + np.where(
        error == 1 + list(kinds).index("days"),
        sign * (1 + np.floor(u[:, 3] * 5).astype(np.int64)),
        0,
    )
    y, mo, d = dates.to_sh(day)
    month_err = error == 1 + list(kinds).index("month")
    year_err = error == 1 + list(kinds).index("year")
    mo = np.where(month_err, np.clip(mo + sign, 1, 12), mo)
    mo = np.where(month_err & (mo == dates.to_sh(day)[1]), mo - sign, mo)  # at Farvardin/Esfand
    y = np.where(year_err, y + sign, y)
    day = dates.from_sh(y, mo, d)
    birth_err = u[:, 4] < spec.birth_error_rate
    birth = birth_day + np.where(birth_err, np.where(u[:, 5] < 0.5, -366, 366), 0)
    return {
        "exec_day": day,
        "exec_error": error,
        "exec_swapped": error == 1 + list(kinds).index("calendar"),
        "exec_month_only": rng.random(n) < spec.month_only_rate,
        "birth_day": birth,
        "birth_error": birth_err,
    }


def build_records(
    spec: ListSpec,
    pop: pd.DataFrame,
    vocab: Vocabulary,
    p_capture: np.ndarray,
    rs: dict[str, np.random.Generator],
    source: Records | None,
) -> Records:
    """All rows of the list: own captures, rows copied from `source`, within-list duplicates."""
    n = len(pop)
    tables = _token_tables(spec, vocab, rs["names"])
    captured = rs["capture"].random(n) < p_capture
    parts: list[Records] = []
    copied_ids = np.zeros(0, dtype=np.int64)
    if source is not None:
        firsts = np.flatnonzero(source.values["origin"] != ORIGINS.index("duplicate"))
        pick = firsts[rs["copy"].random(len(firsts)) < spec.copy_rate]
        copied = source.take(pick)
        copied.values["origin"] = np.full(len(pick), ORIGINS.index("copy"), dtype=np.int8)
        copied_ids = copied.values["person_id"]
        parts.append(copied)
    captured[copied_ids] = False  # a copied person is not written a second time
    persons = np.flatnonzero(captured)
    parts.insert(0, own_records(spec, pop, persons, vocab, rs, ORIGINS.index("own"), tables))
    on_list = np.concatenate([persons, copied_ids])
    dup = on_list[rs["duplicate"].random(len(on_list)) < spec.duplicate_rate]
    parts.append(own_records(spec, pop, dup, vocab, rs, ORIGINS.index("duplicate"), tables))
    records = Records.concat(parts)
    return records.take(rs["order"].permutation(len(records)))


# --- layout -----------------------------------------------------------------------------------


def _labels(options: tuple[Label, ...], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """This list's way of writing each category: (Persian labels, Latin labels), one per code."""
    fa = np.asarray([o.fa[int(rng.integers(len(o.fa)))] for o in options], dtype=object)
    en = np.asarray([o.en[int(rng.integers(len(o.en)))] for o in options], dtype=object)
    return fa, en


def _category(
    codes: np.ndarray, persian: np.ndarray, labels: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    safe = np.maximum(codes, 0)
    out = np.where(persian, labels[0][safe], labels[1][safe])
    return np.where(codes < 0, "", out)


def _formats(weights: Mapping[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    names = list(weights)
    w = np.array([weights[k] for k in names], dtype=float)
    pick = np.minimum(
        np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right"), len(names) - 1
    )
    return np.array([dates.FORMATS.index(k) for k in names])[pick]


def full_name(
    given: np.ndarray,
    surname: np.ndarray,
    father: np.ndarray,
    persian: np.ndarray,
    female: np.ndarray,
    layout: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """One name column: given-first, surname-first (Latin sometimes "Surname, Given"), or with
    the father's name ("فرزند X", "son of X", "s/o X")."""
    n = len(given)
    if layout == "full_surname_first":
        comma = np.where(persian | (rng.random(n) < 0.5), " ", ", ")
        first: np.ndarray = surname + comma + given
        return first
    name: np.ndarray = given + " " + surname
    if layout == "full_with_father":
        latin_link = np.where(
            rng.random(n) < 0.5,
            np.where(female, " daughter of ", " son of "),
            np.where(female, " d/o ", " s/o "),
        )
        link = np.where(persian, " فرزند ", latin_link)
        name = np.where(father == "", name, name + link + father)
    return name


def format_list(spec: ListSpec, records: Records, rng: np.random.Generator) -> pd.DataFrame:
    """The list as its organisation would publish it: its columns, headers, labels, dates."""
    v = records.values
    n = len(records)
    persian = v["persian"]
    headers = HEADER_SETS[spec.header_set]
    columns: dict[str, np.ndarray | list[str]] = {
        SYNTHETIC_HEADER: np.full(n, SYNTHETIC_VALUE, dtype=object)
    }
    female = v["sex"] == 1
    sex_labels = (
        np.asarray([s.fa[0] for s in SEX], dtype=object),
        np.asarray([s.en[int(rng.integers(2))] for s in SEX], dtype=object),
    )
    prison_labels = _labels(tuple(p.label for p in PRISONS), rng)
    city_labels = _labels(tuple(p.city for p in PRISONS), rng)
    province_labels = _labels(tuple(dict.fromkeys(p.province for p in PRISONS)), rng)
    assert len(province_labels[0]) == len(PROVINCE_CODES)
    affiliation_labels = _labels(tuple(a for a, _, _ in AFFILIATIONS), rng)
    burial_labels = _labels(BURIALS, rng)
    fa_digits = persian & (rng.random(n) < spec.persian_digits_rate)
    fmt_fa = _formats(spec.date_formats_fa, n, rng)
    fmt_latin = _formats(spec.date_formats_latin, n, rng)
    fmt = np.where(persian, fmt_fa, fmt_latin)
    for col in spec.columns:
        if col == "row_no":
            value: np.ndarray | list[str] = np.arange(1, n + 1).astype(str).astype(object)
        elif col in ("given", "surname", "father"):
            value = v[col]
        elif col == "full_name":
            value = full_name(
                v["given"],
                v["surname"],
                v["father"] if "father" not in spec.columns else np.full(n, ""),
                persian,
                female,
                spec.name_layout,
                rng,
            )
        elif col == "sex":
            value = _category(v["sex"].astype(np.int64), persian, sex_labels)
        elif col == "birth_year":
            sh_year = dates.to_sh(v["birth_day"])[0]
            g_year = dates.to_gregorian(v["birth_day"])[0]
            year = sh_year if spec.birth_calendar_latin == "solar_hijri" else g_year
            text = np.where(persian, sh_year, year).astype(str).astype(object)
            text[fa_digits] = dates.persian_digits(text[fa_digits])
            value = np.where(v["birth_missing"], "", text)
        elif col == "birth_date":
            value = dates.render(
                v["birth_day"],
                fmt,
                persian,
                fa_digits,
                np.zeros(n, dtype=bool),
                np.zeros(n, dtype=bool),
                v["birth_missing"],
            )
        elif col == "age":
            age = (dates.to_sh(v["exec_day"])[0] - dates.to_sh(v["birth_day"])[0]).astype(str)
            text = age.astype(object)
            text[fa_digits] = dates.persian_digits(text[fa_digits])
            value = np.where(v["birth_missing"], "", text)
        elif col == "exec_date":
            value = dates.render(
                v["exec_day"],
                fmt,
                persian,
                fa_digits,
                v["exec_month_only"],
                v["exec_swapped"],
                v["exec_missing"],
            )
            # The older month name امرداد / Amordad for Mordad (jdatetime does not parse it).
            old_name = np.flatnonzero(rng.random(n) < spec.month_variant_rate)
            value[old_name] = [
                x.replace("مرداد", "امرداد").replace("Mordad", "Amordad")
                for x in value[old_name].tolist()
            ]
        elif col == "prison":
            value = _category(v["prison"], persian, prison_labels)
        elif col == "exec_place":
            city = _category(v["prison"], persian, city_labels)
            value = np.where(
                rng.random(n) < 0.3, city, _category(v["prison"], persian, prison_labels)
            )
        elif col == "province":
            value = _category(v["province"], persian, province_labels)
        elif col == "affiliation":
            value = _category(v["affiliation"], persian, affiliation_labels)
        elif col == "burial":
            value = _category(v["burial"], persian, burial_labels)
        else:
            raise KeyError(col)
        columns[headers.get(col, col)] = value
    return pd.DataFrame(columns)
