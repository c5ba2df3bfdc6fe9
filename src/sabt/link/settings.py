"""The linkage model, declared once: comparisons, blocking rules and training plan for splink 5.

Everything here is plain SQL over the columns of `sabt.link.features`, written so that splink
translates it for DuckDB and Spark alike (``abs``, ``=``, splink's Jaro-Winkler and array levels).

Names (given, family, father) use the cross-script keys, strongest first: the same exact key
(same script), the same canonical spelling (any script; both term-frequency adjusted, so a
shared common name counts for less), a shared romanisation candidate (a Persian spelling whose
romanisations include the Latin one), two different names the dictionary attests that look
alike (Mohammad / Mahmoud: other names, not typos), best Jaro-Winkler ≥ 0.92 over the
romanisation candidates, one typing error (Damerau-Levenshtein 1, as written, in canonical
Latin, or across scripts against a Latin spelling's attested name in Persian letters), equal
consonant skeleton, [given and father: one spelling ends with the other, a glued prefix],
Jaro-Winkler ≥ 0.8. The family comparison also recognises given and family name written the
other way round: the same spellings, only the same skeletons, or one of them with a typing
error (the given comparison sees those swaps as no evidence, so they count once).
Places and provinces: the same words, or a shared word (as skeletons); places also a similar
word. Sex: exact. List: the same list or not (lists are mostly free of duplicates).
Death and birth dates compare Gregorian day bounds (exact; one written part wrong: the year,
the month by one, or day and month read in the other calendar; within 3 days, within 14 days),
then the same month in the Solar Hijri or the Gregorian calendar, then the same year.
Birth year: exact, ±1, ±3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, SettingsCreator, block_on

from sabt.link import extra
from sabt.link.features import NAME_FEATURES
from sabt.link.options import LinkSettings
from sabt.link.splink_adapter import ComparisonLevelCreator, SplinkDialect

#: Blocking rules for prediction: a pair is scored if any of them holds.
BLOCKING_RULES: tuple[tuple[str, ...] | str, ...] = (
    ("given_skel", "family_skel"),
    ("family_skel", "father_skel"),
    ("given_skel", "father_skel"),
    ("family_skel", "birth_year"),
    ("given_skel", "family_skel2"),
    ("given_skel", "family_end2"),
    ("family_skel", "given_end2"),
    ("family_skel", "given_skel1"),   # family names vary less than first names' spelling
    ("family_end2", "given_skel2", "death_lo"),
    ("given_skel2", "family_skel2", "birth_year"),
    ("given_skel2", "family_skel2", "death_jym"),
    ("birth_lo", "given_skel2"),
    ("birth_lo", "family_skel2"),
    ("given_canon", "family_canon"),
    ("given_sorted", "family_skel"),
    ("family_sorted", "given_skel"),
    ("given_skel", "birth_year"),
    ("given_skel", "death_lo"),
    ("family_skel", "death_lo"),
    ("father_skel", "birth_year"),
    "l.given_skel = r.family_skel and l.family_skel = r.given_skel",
    # given/family swapped and one of them misspelt (pairs are ordered, so both directions)
    "l.given_skel = r.family_skel and l.birth_year = r.birth_year",
    "l.family_skel = r.given_skel and l.birth_year = r.birth_year",
    "l.given_skel = r.family_skel and l.death_lo = r.death_lo",
    "l.family_skel = r.given_skel and l.death_lo = r.death_lo",
    "l.given_skel = r.family_skel and l.father_skel = r.father_skel",
    "l.family_skel = r.given_skel and l.father_skel = r.father_skel",
)
#: Categorical fields compared by their words. Affiliation is left out: lists name the same
#: group with unrelated words (PMOI, Mojahedin, مجاهدین خلق), so disagreement is no evidence,
#: and on the simulator's `hard` lists leaving it out raised recall at equal precision.
TOKEN_FIELDS: tuple[str, ...] = ("place", "province")
#: How much of the term-frequency adjustment the exact-name levels apply (1 = splink's full
#: adjustment). Full TF made a shared common name nearly worthless, so true pairs whose other
#: fields are missing were lost; on `hard`, 0.3 raised recall by 0.02 (cross-script 0.04) for
#: 0.004 precision. With the typing-error levels, 0.5: namesakes (a common name, nothing else
#: known on both sides) were most of the false links; seed 2 precision 0.979 → 0.982 for 0.0005
#: recall (docs/linkage.md, third round).
TF_WEIGHT = 0.5
#: Shortest spellings the "one typing error" level compares: in shorter ones (Ali / Abi) one
#: letter changes the name.
_EDIT_MIN = 4
#: m = u of a level that is no evidence either way (a swapped name seen by the given comparison)
_NEUTRAL = 0.01
#: Blocking rules for the EM sessions (each trains the comparisons it does not block on).
TRAINING_RULES: tuple[tuple[str, ...], ...] = (
    ("given_skel", "family_skel"),
    ("father_skel", "birth_year"),
    ("death_lo", "place"),   # trains the names once more, on pairs that share no name key
)
#: Rules that almost only hold for true matches, for the prior match probability (λ).
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("given_skel", "family_skel", "father_skel", "birth_year"),
    ("given_key", "family_key", "father_key"),
    ("given_key", "family_key", "birth_lo"),
)


def _rule(rule: tuple[str, ...] | str) -> Any:
    return rule if isinstance(rule, str) else block_on(*rule)


def prediction_rules(present: set[str], extra_rules: Sequence[tuple[str, ...]] = (),
                     ) -> list[tuple[str, ...] | str]:
    """The prediction blocking rules that only read non-empty columns, plus `extra_rules` (on
    the mapping's [compare] columns, `sabt.link.extra.blocking_rules`)."""
    return [*(r for r in BLOCKING_RULES if rule_columns(r) <= present), *extra_rules]


def blocking_rules(present: set[str], extra_rules: Sequence[tuple[str, ...]] = ()) -> list[Any]:
    """`prediction_rules` as splink creators on the feature columns themselves."""
    return [_rule(r) for r in prediction_rules(present, extra_rules)]


class SharedElementLevel(ComparisonLevelCreator):
    """The two arrays share an element: splink's `ArrayIntersectLevel(col, 1)` without building
    the intersection (DuckDB ``list_has_any``, Spark ``arrays_overlap``; our lists hold no nulls).
    With `right_col`, the left record's `col` against the right record's `right_col`."""

    def __init__(self, col_name: str, right_col: str | None = None) -> None:
        self.col_expression = ColumnExpression.instantiate_if_str(col_name)
        self.right_expression = ColumnExpression.instantiate_if_str(right_col or col_name)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.col_expression.sql_dialect = sql_dialect
        self.right_expression.sql_dialect = sql_dialect
        left, right = self.col_expression.name_l, self.right_expression.name_r
        fn = "list_has_any" if sql_dialect.sql_dialect_str == "duckdb" else "arrays_overlap"
        return f"{fn}({left}, {right})"

    def create_label_for_charts(self) -> str:
        return "a shared element"


class BestCandidateJaroWinkler(ComparisonLevelCreator):
    """Jaro-Winkler of the closest pair of romanisation candidates is at least `threshold`.

    For a Persian spelling against a Latin one this compares every romanisation of the first
    with the second, not just the top one. SQL per backend (DuckDB list lambdas, Spark
    higher-order functions).
    """

    def __init__(self, col_name: str, threshold: float) -> None:
        self.col_expression = ColumnExpression.instantiate_if_str(col_name)
        self.threshold = threshold

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.col_expression.sql_dialect = sql_dialect
        left, right = self.col_expression.name_l, self.col_expression.name_r
        jw = sql_dialect.jaro_winkler_function_name
        if sql_dialect.sql_dialect_str == "duckdb":
            best = (f"list_max(list_transform({left}, x -> list_max(list_transform({right}, "
                    f"y -> {jw}(x, y)))))")
        else:
            best = (f"array_max(transform({left}, x -> array_max(transform({right}, "
                    f"y -> {jw}(x, y)))))")
        return f"{best} >= {self.threshold}"

    def create_label_for_charts(self) -> str:
        return f"best romanisation Jaro-Winkler >= {self.threshold}"


class LookAlikeNames(ComparisonLevelCreator):
    """Two different names that the dictionary attests, spelt alike (canonical Jaro-Winkler ≥
    `threshold`): Mohammad / Mahmoud, Rezaei / Rajaei are other names, not typing errors."""

    def __init__(self, prefix: str, threshold: float) -> None:
        self.prefix = prefix
        self.threshold = threshold

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        jw = sql_dialect.jaro_winkler_function_name
        p = self.prefix
        return (f"{p}_attested_l <> {p}_attested_r and "
                f"{jw}({p}_canon_l, {p}_canon_r) >= {self.threshold}")

    def create_label_for_charts(self) -> str:
        return "two different attested names, spelt alike"


def name_comparison(prefix: str, *, swapped_with: str | None = None,
                    part: str = "all") -> cl.CustomComparison:
    """Cross-script comparison of one name field (see the module docstring for the levels).

    `part` "own" makes the swap levels never hold (SQL ``false``), "swap" all the others but
    the null and else levels: the same levels in the same order, as `sabt.link.distinct`
    evaluates them (the own field once per distinct pair of spellings, the swaps only on pairs
    that meet `SWAP_FIELDS`)."""
    own: list[Any] = [
        cll.ExactMatchLevel(f"{prefix}_key", term_frequency_adjustments=True).configure(
            tf_adjustment_weight=TF_WEIGHT),
        cll.ExactMatchLevel(f"{prefix}_canon", term_frequency_adjustments=True).configure(
            label_for_charts="same canonical spelling (any script)",
            tf_adjustment_weight=TF_WEIGHT),
        SharedElementLevel(f"{prefix}_roman").configure(
            label_for_charts="shared romanisation candidate"),
        LookAlikeNames(prefix, 0.8),
        BestCandidateJaroWinkler(f"{prefix}_roman", 0.92),
        _one_edit_level(prefix),
        cll.ExactMatchLevel(f"{prefix}_skel").configure(label_for_charts="same skeleton"),
    ]
    if prefix != "family":
        own.append(_ends_with_level(f"{prefix}_canon"))
    swap = _swapped_levels(prefix, swapped_with) if swapped_with is not None else []
    if prefix == "given":   # the family comparison counts the swap; here it is no evidence
        for level in swap:
            level.configure(m_probability=_NEUTRAL, u_probability=_NEUTRAL,
                            fix_m_probability=True, fix_u_probability=True)
    after: list[Any] = [cll.JaroWinklerLevel(f"{prefix}_canon", 0.8)]
    if part == "own":
        swap = [_never(level) for level in swap]
    elif part == "swap":
        own, after = [_never(level) for level in own], [_never(level) for level in after]
    levels = [cll.NullLevel(f"{prefix}_skel"), *own, *swap, *after, cll.ElseLevel()]
    return cl.CustomComparison(levels, output_column_name=prefix)


def _never(level: Any) -> Any:
    """A level that never holds, in `level`'s place (keeps the other levels' numbering)."""
    return cll.CustomLevel("false", label_for_charts=level.create_label_for_charts())


def _one_edit_level(prefix: str) -> Any:
    """One typing error (a letter added, dropped, changed or two neighbours swapped:
    Damerau-Levenshtein 1) in the spelling as written or in the canonical Latin one: "Fayemeh" /
    "Fatemeh", "مسحن" / "محسن"."""
    return cll.CustomLevel(typo_sql(prefix, prefix), label_for_charts="one typing error")


#: The fields the swap levels read across. Every swap level needs the left record's given
#: skeleton to equal the right one's family skeleton, or the other way round
#: (`sabt.link.distinct` scores only such pairs' swaps; tested).
SWAP_FIELDS = ("given", "family")


def _swapped_levels(prefix: str, other: str) -> list[Any]:
    """Given and family name written the other way round: both spelt alike (the same
    canonical spellings), only the same skeletons (Saadi Mohsen / سعید محسنی share them), or one
    of the two misspelt."""
    skeletons = f"{prefix}_skel_l = {other}_skel_r and {other}_skel_l = {prefix}_skel_r"
    return [
        cll.CustomLevel(f"{skeletons} and {prefix}_canon_l = {other}_canon_r and "
                        f"{other}_canon_l = {prefix}_canon_r",
                        label_for_charts=f"{prefix} and {other} swapped"),
        cll.CustomLevel(skeletons, label_for_charts=f"{prefix} and {other} swapped, "
                        "same skeletons only"),
        _swapped_typo_level(prefix, other),
    ]


def _swapped_typo_level(prefix: str, other: str) -> Any:
    """Given and family name written the other way round, one of them with a typing error."""
    # `sabt.link.distinct` relies on this shape: a skeleton meeting across and typo_sql on
    # the other two names (see its `_swap`)
    return cll.CustomLevel(
        f"({prefix}_skel_l = {other}_skel_r and {typo_sql(other, prefix)}) or "
        f"({other}_skel_l = {prefix}_skel_r and {typo_sql(prefix, other)})",
        label_for_charts=f"{prefix} and {other} swapped, one misspelt")


def typo_sql(left: str, right: str) -> str:
    """The left record's `left` name and the right record's `right` name are one edit apart,
    as written (``<f>_edit``: one byte per letter, as DuckDB counts bytes), in canonical Latin,
    or a Persian spelling against the Persian letters of a Latin one's attested name
    (``<f>_attested``: مرضی / Morteza), both of at least `_EDIT_MIN` letters. Cheap tests that one
    edit implies (lengths at most 1 apart, same first or same last letter) go first, so the edit
    distance runs on few pairs."""
    def one_edit(a: str, b: str) -> str:
        return (f"(length({a}) >= {_EDIT_MIN} and length({b}) >= {_EDIT_MIN} and "
                f"abs(length({a}) - length({b})) <= 1 and "
                f"(left({a}, 1) = left({b}, 1) or right({a}, 1) = right({b}, 1)) "
                f"and damerau_levenshtein({a}, {b}) <= 1)")

    pairs = [(f"{left}_{k}_l", f"{right}_{k}_r") for k in ("edit", "canon")]
    # across scripts: the Persian spelling against the Persian letters of the Latin one's name
    # (a Latin spelling is lower case, Persian letters are upper case and digits: Latin–Latin
    # pairs never meet here, Persian–Persian ones only as on the written keys)
    pairs += [(f"{left}_edit_l", f"{right}_attested_r"), (f"{left}_attested_l", f"{right}_edit_r")]
    return "(" + " or ".join(one_edit(a, b) for a, b in pairs) + ")"


def _ends_with_level(col: str) -> Any:
    """One spelling ends with the other, of at least 4 letters: a prefix glued to a first name
    ("seyedalimohamad" / "alimohamad", a misspelt "shahid" before it)."""
    left, right = f"{col}_l", f"{col}_r"
    return cll.CustomLevel(
        f"(length({right}) >= 4 and right({left}, length({right})) = {right}) or "
        f"(length({left}) >= 4 and right({right}, length({left})) = {left})",
        label_for_charts="one ends with the other (a glued prefix)")


def token_comparison(col: str, *, similar: bool = False) -> cl.CustomComparison:
    """A place or group given as word skeletons: the same words, a shared word, with `similar`
    a similar word (Jaro-Winkler ≥ 0.85 of two skeletons: "Diesel Abad" / "دیزل‌آباد"), or
    neither."""
    levels: list[Any] = [
        cll.NullLevel(col),
        cll.ExactMatchLevel(col).configure(label_for_charts="same words"),
        SharedElementLevel(col).configure(label_for_charts="a shared word"),
    ]
    if similar:   # precomputed: `features.near_words`, at `features.PLACE_NEAR`
        levels.append(SharedElementLevel(col, f"{col}_near").configure(
            label_for_charts="a similar word"))
    return cl.CustomComparison([*levels, cll.ElseLevel()], output_column_name=col)


def date_comparison(prefix: str, name: str) -> cl.CustomComparison:
    """Solar-Hijri-aware fuzzy dates: day bounds, then month, then year in either calendar."""
    lo, hi = f"{prefix}_lo", f"{prefix}_hi"
    day = f"{lo}_l = {hi}_l and {lo}_r = {hi}_r"
    return cl.CustomComparison([
        cll.NullLevel(lo),
        cll.CustomLevel(f"{day} and {lo}_l = {lo}_r", label_for_charts="same day"),
        *_one_part_levels(prefix, day),
        cll.CustomLevel(f"{day} and abs({lo}_l - {lo}_r) <= 3",
                        label_for_charts="within 3 days"),
        cll.CustomLevel(f"{day} and abs({lo}_l - {lo}_r) <= 14",
                        label_for_charts="within 14 days"),
        cll.CustomLevel(f"{prefix}_jym_l = {prefix}_jym_r or {prefix}_gym_l = {prefix}_gym_r",
                        label_for_charts="same month (Solar Hijri or Gregorian)"),
        cll.CustomLevel(f"{prefix}_jyear_l = {prefix}_jyear_r or {prefix}_year_l = {prefix}_year_r",
                        label_for_charts="same year"),
        cll.ElseLevel(),
    ], output_column_name=name)


def _one_part_levels(prefix: str, day: str) -> list[Any]:
    """Two dates known to the day that differ in one written part: the year, the month by one,
    or day and month read in the other calendar (1367/08/15 written for 15 August 1988)."""
    jmd, gmd, jym, gym = (f"{prefix}_{k}" for k in ("jmd", "gmd", "jym", "gym"))
    adjacent = " or ".join(
        f"({md}_l % 100 = {md}_r % 100 and abs({ym}_l - {ym}_r) = 1)"
        for md, ym in ((jmd, jym), (gmd, gym)))
    return [
        cll.CustomLevel(f"{day} and ({jmd}_l = {jmd}_r or {gmd}_l = {gmd}_r)",
                        label_for_charts="same day and month, another year"),
        cll.CustomLevel(f"{day} and ({adjacent})",
                        label_for_charts="same day of the month, adjacent month"),
        cll.CustomLevel(f"{day} and ({jmd}_l = {gmd}_r or {gmd}_l = {jmd}_r)",
                        label_for_charts="day and month read in the other calendar"),
    ]


def birth_year_comparison() -> cl.CustomComparison:
    """Birth year (given, from a birth date, or death year minus age): exact, ±1, ±3."""
    return cl.CustomComparison([
        cll.NullLevel("birth_year"),
        cll.ExactMatchLevel("birth_year"),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", label_for_charts="±1 year"),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 3", label_for_charts="±3 years"),
        cll.ElseLevel(),
    ], output_column_name="birth_year")


def exact_comparison(col: str) -> cl.CustomComparison:
    """A categorical field: exact or not."""
    return cl.CustomComparison(
        [cll.NullLevel(col), cll.ExactMatchLevel(col), cll.ElseLevel()], output_column_name=col)


def comparisons(present: set[str], *, part: str = "all") -> list[Any]:
    """The model's comparisons, leaving out fields no record has (`present`: non-empty columns);
    `part` of the name comparisons (`name_comparison`)."""
    out: list[Any] = []
    for prefix in NAME_FEATURES:
        if f"{prefix}_skel" in present:
            other = {"given": "family", "family": "given"}.get(prefix)
            # both halves of a swapped name are evidence: each comparison sees its own half
            swap = other if other is not None and f"{other}_skel" in present else None
            out.append(name_comparison(prefix, swapped_with=swap, part=part))
    # places are spelt many ways (a prison's name); provinces are few, each spelt alike
    out += [token_comparison(c, similar=c == "place") for c in TOKEN_FIELDS if c in present]
    if "death_lo" in present:
        out.append(date_comparison("death", "death_date"))
    if "birth_lo" in present:
        out.append(date_comparison("birth", "birth_date"))
    if "birth_year" in present:
        out.append(birth_year_comparison())
    if "sex" in present:
        out.append(exact_comparison("sex"))
    out.append(exact_comparison("source_list"))
    return out + extra.comparisons(present)   # the mapping's [compare] columns


def settings_creator(present: set[str], settings: LinkSettings,
                     extra_rules: Sequence[tuple[str, ...]] = (), *,
                     part: str = "all") -> SettingsCreator:
    """The splink settings for records with the given non-empty columns (`part`: see
    `name_comparison`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(present, part=part),
        blocking_rules_to_generate_predictions=blocking_rules(present, extra_rules),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
        max_iterations=settings.em_iterations,
        em_convergence=1e-4,
    )


def rule_columns(rule: tuple[str, ...] | str) -> set[str]:
    """The feature columns a blocking rule reads."""
    if isinstance(rule, str):
        return {w.split(".", 1)[1] for w in rule.split() if w.startswith(("l.", "r."))}
    return set(rule)

