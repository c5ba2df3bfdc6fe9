"""Scoring by distinct values (DuckDB): splink's own comparison and weight SQL, evaluated once
per distinct pair of the values a comparison reads instead of once per record pair.

A million records give some 60 million blocked pairs, but far fewer distinct pairs of given
names (or fathers' names, dates, places) among them: each comparison's levels run on those, and
every record pair then adds up its comparisons' weights by two integer look-ups. The given and
family comparisons also read the other name for their swap levels; they are evaluated on their
own field (`settings.name_comparison(part="own")`: the same levels, the swaps never hold), and
the swap levels alone (``part="swap"``) only on the pairs that may be swapped
(`settings.SWAP_FIELDS`); a swap outranks only the levels after it.
Match weights equal splink's ``predict`` on the same pairs up to float rounding (tested).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sabt.errors import SabtError
from sabt.link import _lookup, splink_adapter
from sabt.link.settings import SWAP_FIELDS

CODE_PREFIX = "_v_"   # + a comparison's output name: a record's code for the values it reads
_DENSE = 1 << 26      # up to this many possible code pairs, distinct ones are found by flags


@dataclass
class Predicted:
    """Every blocked pair (record positions, int32) with its match weight; probabilities are
    computed for the pairs asked for (at a million records, each float array is 480 MB)."""

    left: np.ndarray
    right: np.ndarray
    match_weight: np.ndarray

    def at_least(self, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the pairs with probability ≥ `floor`, and those probabilities."""
        return _lookup.at_least(self.match_weight, floor)

    def below(self, ceiling: float, groups: np.ndarray | None = None) -> np.ndarray:
        """Positions of the pairs with probability < `ceiling` (with `groups`: whose two
        records are in one group)."""
        return _lookup.below(self.match_weight, ceiling, self.left, self.right,
                             np.zeros(0, np.int64) if groups is None else groups)


def value_codes(features: pd.DataFrame, comparisons: Iterable[Any]) -> dict[str, np.ndarray]:
    """Per comparison, one integer per record: equal codes exactly when every column the
    comparison reads holds equal values (missing values equal each other); and the codes of the
    given and family skeletons in one numbering (``SWAP_FIELDS``, missing: never equal)."""
    column_codes: dict[str, np.ndarray] = {}
    out = {}
    for comparison in comparisons:
        combined = np.zeros(len(features), dtype=np.int64)
        for col in read_columns(comparison):
            if col not in column_codes:
                column_codes[col] = _column_codes(features[col])
            codes = column_codes[col]
            combined, _ = pd.factorize(combined * (int(codes.max()) + 1) + codes)
            combined = combined.astype(np.int64)
        out[_code(comparison.output_column_name)] = combined.astype(np.int32)
    skeletons = [f"{field}_skel" for field in SWAP_FIELDS]
    if all(c in features.columns for c in skeletons):
        both, _ = pd.factorize(pd.concat([features[c] for c in skeletons], ignore_index=True),
                               use_na_sentinel=True)
        n = len(features)
        for i, col in enumerate(skeletons):   # missing: −1 and −2, never equal
            part = both[i * n:(i + 1) * n].astype(np.int32)
            out[_code(col)] = np.where(part < 0, -1 - i, part).astype(np.int32)
    return out


def _code(name: str) -> str:
    return CODE_PREFIX + name


def read_columns(comparison: Any) -> list[str]:
    return [c.unquote().name for c in splink_adapter.input_columns(comparison)]


def _column_codes(series: pd.Series) -> np.ndarray:
    """Codes of one column's values, 0 for a missing value; a list is coded by its elements
    (joined by pyarrow, not element by element in Python)."""
    first = series.first_valid_index()
    if series.dtype == object and isinstance(series.get(first), list | tuple | np.ndarray):
        import pyarrow as pa
        import pyarrow.compute as pc

        joined = pc.binary_join(pa.array(series, from_pandas=True), "\x1f")
        series = pd.Series(joined.to_pandas(), index=series.index)
    codes, _ = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int64) + 1


def predict(linker: Any, own: dict[str, Any], swap: dict[str, Any],
            codes: dict[str, np.ndarray], left: np.ndarray, right: np.ndarray) -> Predicted:
    """The pairs (`left`, `right`: record positions) scored by `linker`'s model. `own` and
    `swap`: the comparisons by name as `settings.name_comparison` parts; `codes`: their
    `value_codes` by record position."""
    con = splink_adapter.duckdb_connection(splink_adapter.linker_db_api(linker))
    settings = splink_adapter.linker_settings(linker)
    full = {c.output_column_name: c for c in settings.comparisons}
    crossed = {n: swap_gammas(swap[n]) for n in full
               if len(read_columns(full[n])) != len(read_columns(own[n]))}
    sides = (_lookup.crossed(left, right, *(codes[_code(f"{f}_skel")] for f in SWAP_FIELDS))
             if crossed else np.zeros(len(left), dtype=np.int8))
    # one record of each code, as `_distinct_weights` and `_cross_typo` read them
    firsts = {n: np.unique(codes[_code(n)], return_index=True)[1] for n in full}
    records = splink_adapter.records_with_term_frequencies(linker)
    rec = records.physical_name
    total = np.zeros(len(left), dtype=np.float64)
    tables: dict[str, tuple[np.ndarray, ...]] = {}
    for n in full:
        found = _distinct_weights(con, full[n], own[n], rec, codes[_code(n)], firsts[n], left,
                                  right)
        slot_key, slot_pos = _lookup.build(found["k"])
        if _lookup.add_weights(total, left, right, codes[_code(n)], slot_key, slot_pos,
                               found["w"]):
            raise SabtError(f"scoring: a pair of {n!r} values was not evaluated")
        if n in crossed:   # the swaps need the own levels again; the others' tables go now
            tables[n] = (slot_key, slot_pos, found["gamma"], found["w"])
    if crossed:
        _swap(con, rec, {n: (swap[n], full[n], g) for n, g in crossed.items()}, tables,
              codes, firsts, sides, left, right, total)
    records.drop_table_from_database_and_remove_from_cache()
    total += splink_adapter.prob_to_match_weight(splink_adapter.prior(settings))
    return Predicted(left, right, total)


def _distinct_keys(left: np.ndarray, right: np.ndarray, lcodes: np.ndarray,
                   rcodes: np.ndarray) -> np.ndarray:
    """`_lookup.distinct_keys`, by flags when there are few possible code pairs."""
    lsize, rsize = int(lcodes.max(initial=0)) + 1, int(rcodes.max(initial=0)) + 1
    if lsize * rsize <= _DENSE:
        return _lookup.distinct_keys_dense(left, right, lcodes, rcodes, lsize, rsize)
    return _lookup.distinct_keys(left, right, lcodes, rcodes)


def _distinct_weights(con: Any, full: Any, own: Any, rec: str, codes: np.ndarray,
                      first: np.ndarray, left: np.ndarray, right: np.ndarray,
                      ) -> dict[str, np.ndarray]:
    """One comparison's level (``gamma``) and weight (``w``) for each distinct pair of its
    codes among the pairs (key ``k``: left code << 31 + right code), evaluated on one record
    of each code (`first`: the first record of code 0, 1, …)."""
    import pyarrow as pa

    keys = _distinct_keys(left, right, codes, codes)
    view = f"__sabt_values_{uuid.uuid4().hex[:10]}"
    con.register(view, pa.table({"k": keys, "uid_l": first[keys >> 31].astype(np.int32),
                                 "uid_r": first[keys & ((1 << 31) - 1)].astype(np.int32)}))
    try:   # one query: each reads the records table twice, whatever its size
        return dict(con.sql(distinct_weights_sql(full, own, rec, view)).fetchnumpy())
    finally:
        con.unregister(view)


def _swap(con: Any, rec: str, parts: dict[str, tuple[Any, Any, list[int]]],
          tables: dict[str, tuple[np.ndarray, ...]], codes: dict[str, np.ndarray],
          firsts: dict[str, np.ndarray], sides: np.ndarray, left: np.ndarray, right: np.ndarray,
          total: np.ndarray) -> None:
    """Give the pairs at which a swap level holds its weight in `total`, where it outranks the
    own-field level (a level after the swaps, not the null level).

    Only pairs whose given and family skeletons meet across can be swapped
    (`settings.SWAP_FIELDS`). Where they meet both ways, the swap levels run as SQL; where
    one way, only the last level can hold (one name misspelt), and it holds exactly when the
    other two names are one typing error apart (`settings.typo_sql`), which depends on the
    two names alone: evaluated once per distinct pair of them. `sides`: `_lookup.crossed`."""
    given, family = SWAP_FIELDS
    hits = _swap_both(con, rec, parts, np.flatnonzero(sides == 3), left, right)
    for way, (lname, rname) in ((1, (family, given)), (2, (given, family))):
        pos = np.flatnonzero(sides == way)   # given→family meet: family_l vs given_r misspelt
        typo = _cross_typo(con, rec, (lname, rname), codes, firsts, left[pos], right[pos])
        hits.append((pos[typo], {n: (g[-1], level_weight(full, g[-1]))
                                 for n, (_, full, g) in parts.items()}))
    for pos, levels in hits:
        for n, (gamma, weight) in levels.items():
            slot_key, slot_pos, own_gamma, own_weight = tables[n]
            code = codes[_code(n)]
            found = _lookup.positions(left[pos], right[pos], code, code, slot_key, slot_pos)
            own = own_gamma[found]
            outranks = (own >= 0) & (own < min(parts[n][2])) & (np.asarray(gamma) >= 0)
            total[pos[outranks]] += (np.broadcast_to(weight, pos.shape)[outranks]
                                     - own_weight[found[outranks]])


def level_weight(comparison: Any, gamma: int) -> float:
    """The match weight of one level of `comparison` (a swap level: no frequency term)."""
    level = next(lvl for lvl in comparison.comparison_levels
                 if lvl.comparison_vector_value == gamma)
    return splink_adapter.level_match_weight(level)


def _swap_both(con: Any, rec: str, parts: dict[str, tuple[Any, Any, list[int]]],
               pos: np.ndarray, left: np.ndarray, right: np.ndarray,
               ) -> list[tuple[np.ndarray, dict[str, tuple[Any, Any]]]]:
    """The swap levels and weights (SQL) of the pairs at `pos`; −1 where none holds."""
    import pyarrow as pa

    view = f"__sabt_swap_{uuid.uuid4().hex[:10]}"
    con.register(view, pa.table({"pos": pos, "unique_id_l": left[pos].astype(np.int64),
                                 "unique_id_r": right[pos].astype(np.int64)}))
    try:
        found = con.sql(_swap_weights_sql(parts, rec, view)).fetchnumpy()
    finally:
        con.unregister(view)
    levels = {}
    for n in parts:
        gamma = np.ma.filled(np.ma.asarray(found[f"g_{n}"]).astype(np.int64), -1)
        levels[n] = (gamma, np.ma.filled(np.ma.asarray(found[f"w_{n}"]), 0.0))
    return [(np.asarray(found["pos"], dtype=np.int64), levels)]


def _cross_typo(con: Any, rec: str, names: tuple[str, str], codes: dict[str, np.ndarray],
                firsts: dict[str, np.ndarray], left: np.ndarray, right: np.ndarray,
                ) -> np.ndarray:
    """Per pair: are the left record's `names[0]` name and the right one's `names[1]` name
    one typing error apart? Evaluated once per distinct pair of the two names' own codes."""
    import pyarrow as pa

    lname, rname = names
    lcodes, rcodes = codes[_code(lname)], codes[_code(rname)]
    keys = _distinct_keys(left, right, lcodes, rcodes)
    lfirst, rfirst = firsts[lname], firsts[rname]
    view = f"__sabt_typo_{uuid.uuid4().hex[:10]}"
    con.register(view, pa.table({"k": keys, "uid_l": lfirst[keys >> 31],
                                 "uid_r": rfirst[keys & ((1 << 31) - 1)]}))
    try:
        found = con.sql(typo_pairs_sql(lname, rname, rec, view)).fetchnumpy()
    finally:
        con.unregister(view)
    slot_key, slot_pos = _lookup.build(found["k"])
    hit = np.asarray(found["hit"], dtype=bool)
    return np.asarray(hit[_lookup.positions(left, right, lcodes, rcodes, slot_key, slot_pos)])


def swap_gammas(swap: Any) -> list[int]:
    """The levels (comparison vector values) a `swap` part can reach besides null and else."""
    return [lvl.comparison_vector_value for lvl in swap.comparison_levels
            if not (lvl.is_null_level or splink_adapter.is_else_level(lvl)
                    or lvl.sql_condition == "false")]


def weight_sql(comparison: Any) -> tuple[list[str], str]:
    """The columns splink computes a comparison's weight from, and its weight (match weight
    plus term-frequency adjustment) as one SQL sum."""
    return splink_adapter.weight_sql(comparison)


def side_columns(read: Iterable[Any], weigh: Iterable[Any]) -> list[str]:
    """Both records' columns the `read` comparisons read and the term frequencies the `weigh`
    comparisons' weights use, named as splink names them (``"given_key_l"``)."""
    cols: list[str] = []
    for comparison in read:
        for col in splink_adapter.input_columns(comparison):
            cols += [col.l_name_as_l, col.r_name_as_r]
    for comparison in weigh:
        for col in splink_adapter.tf_columns(comparison):
            cols += col.l_r_tf_names_as_l_r
    return list(dict.fromkeys(cols))


def tf_names(comparison: Any) -> list[str]:
    return list(dict.fromkeys(n for col in splink_adapter.tf_columns(comparison)
                              for n in col.tf_name_l_r))


def distinct_weights_sql(full: Any, own: Any, rec: str, values: str) -> str:
    """Level and weight for the `values` (``k, uid_l, uid_r``): the own-field levels decide the
    level (same numbering as the full comparison), the full comparison's m and u weigh it."""
    parts, weight = weight_sql(full)
    return (
        f"with cols as (select v.k, {', '.join(side_columns([own], [full]))} from {values} v "
        f"join {rec} l on l.unique_id = v.uid_l join {rec} r on r.unique_id = v.uid_r),"
        f" cv as (select k, {splink_adapter.case_statement(own)}"
        f"{''.join(', ' + t for t in tf_names(full))} from cols),"
        f" parts as (select k, {', '.join(parts)} from cv)"
        f" select k, {splink_adapter.gamma_column(full)} as gamma, {weight} as w from parts")


def typo_pairs_sql(lname: str, rname: str, rec: str, values: str) -> str:
    """For the `values` (``k, uid_l, uid_r``): whether the left record's `lname` name and the
    right one's `rname` name are one typing error apart (``hit``, `settings.typo_sql`)."""
    from sabt.link.settings import typo_sql

    cols = [f"l.{lname}_{k} as {lname}_{k}_l, r.{rname}_{k} as {rname}_{k}_r"   # bare: any SQL
            for k in ("edit", "canon", "attested")]
    return (f"select v.k, coalesce({typo_sql(lname, rname)}, false) as hit from "
            f"(select v.k, {', '.join(cols)} from {values} v join {rec} l "
            f"on l.unique_id = v.uid_l join {rec} r on r.unique_id = v.uid_r) v")


def _swap_weights_sql(parts: dict[str, tuple[Any, Any, list[int]]], rec: str,
                      candidates: str) -> str:
    """For the `candidates` (``pos, unique_id_l, unique_id_r``) at which a swap level holds:
    per comparison ``n`` (its swap part, the full comparison, the swap levels) that level
    (``"g_<n>"``, else null) and its weight (``"w_<n>"``)."""
    cases = [splink_adapter.case_statement(swap) for swap, _, _ in parts.values()]
    tfs = dict.fromkeys(t for _, full, _ in parts.values() for t in tf_names(full))
    weight_parts = dict.fromkeys(p for _, full, _ in parts.values() for p in weight_sql(full)[0])
    hit = {n: f"{splink_adapter.gamma_column(full)} in ({', '.join(map(str, gammas))})"
           for n, (_, full, gammas) in parts.items()}
    out = [f'case when {hit[n]} then {splink_adapter.gamma_column(full)} end as "g_{n}", '
           f'{weight_sql(full)[1]} as "w_{n}"' for n, (_, full, _) in parts.items()]
    read = side_columns([s for s, _, _ in parts.values()], [f for _, f, _ in parts.values()])
    return (
        f"with cols as (select c.pos, {', '.join(read)} from {candidates} c "
        f"join {rec} l on l.unique_id = c.unique_id_l join {rec} r on r.unique_id = c.unique_id_r),"
        f" cv as (select pos, {', '.join(cases)}{''.join(', ' + t for t in tfs)} from cols),"
        f" parts as (select pos, {', '.join(weight_parts)} from cv)"
        f" select pos, {', '.join(out)} from parts where {' or '.join(hit.values())}")
