"""Blocking rules as precomputed, size-capped block keys (pure: tables in, tables out).

A blocking rule pairs records that agree on some columns (``("given_skel", "birth_year")``) or
on a left and a right column (``l.given_skel = r.family_skel and …``, a swapped name). Each rule
becomes one integer key per record side; the scored pairs are then simple equi-joins on one
integer column, for every backend. A key shared by so many records that its pairs outgrow
``max_block`` (left count × right count > ``max_block``², i.e. a block of more than
``max_block`` records) is dropped: such blocks grow with the square of the data (a common
given name and a birth year hold thousands of records among a million), and the pairs in them
are reached by the rules that add another field. On `hard` at 17 k records a cap of 60 leaves
out 27 blocks and no true pair; at a million it keeps the pairs linear in the records
(docs/linkage.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sabt.errors import SabtError

_EQUALITY = re.compile(r"^l\.(\w+)\s*=\s*r\.(\w+)$")


@dataclass(frozen=True)
class RuleKey:
    """One rule's key columns: `left` on the left record equals `right` on the right one."""

    left: str
    right: str
    dropped_blocks: int
    dropped_pairs: int   # for a rule comparing different columns: ordered pairs, about twice

    @property
    def sql(self) -> str:
        """The rule as splink blocking SQL on the key columns."""
        return f"l.{self.left} = r.{self.right}"


@dataclass
class BlockKeys:
    """The key columns to add to the features and the rules that read them."""

    columns: dict[str, pd.Series] = field(default_factory=dict)
    rules: list[RuleKey] = field(default_factory=list)

    def stats(self) -> dict[str, int]:
        """Blocks and pairs dropped by the size cap, over all rules (saved with a run)."""
        return {"dropped_blocks": sum(r.dropped_blocks for r in self.rules),
                "dropped_pairs": sum(r.dropped_pairs for r in self.rules)}


def sides(rule: tuple[str, ...] | str) -> tuple[list[str], list[str]]:
    """The columns a rule compares, left record's and right record's, in matching order."""
    if not isinstance(rule, str):
        return list(rule), list(rule)
    left, right = [], []
    for part in re.split(r"\s+and\s+", rule.strip(), flags=re.IGNORECASE):
        match = _EQUALITY.match(part.strip())
        if match is None:
            raise SabtError(f"blocking rule {rule!r}: only 'l.a = r.b' joined by 'and' can be "
                            "turned into block keys")
        left.append(match.group(1))
        right.append(match.group(2))
    return left, right


def _codes(features: pd.DataFrame, left: list[str], right: list[str]) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """Integer codes of the left and the right column tuples in one code space (−1: a part is
    missing, so the rule cannot hold)."""
    n = len(features)
    parts = []
    for lcol, rcol in zip(left, right, strict=True):
        both = pd.concat([features[lcol], features[rcol]], ignore_index=True)
        codes, _ = pd.factorize(both, use_na_sentinel=True)
        parts.append(codes.astype(np.int64))
    combined = parts[0]
    missing = combined < 0
    for codes in parts[1:]:
        missing |= codes < 0
        # pair the running code with the next one and renumber, so codes stay small
        combined, _ = pd.factorize(combined * (codes.max() + 2) + codes + 1)
        combined = combined.astype(np.int64)
    combined[missing] = -1
    return combined[:n], combined[n:]


def rule_key(features: pd.DataFrame, rule: tuple[str, ...] | str, index: int,
             max_block: int) -> tuple[RuleKey, dict[str, pd.Series]]:
    """One rule's key column(s), with keys of blocks larger than `max_block` removed."""
    left_cols, right_cols = sides(rule)
    lcode, rcode = _codes(features, left_cols, right_cols)
    size = int(max(lcode.max(initial=-1), rcode.max(initial=-1))) + 1
    lcount = np.bincount(lcode[lcode >= 0], minlength=size).astype(np.int64)
    rcount = np.bincount(rcode[rcode >= 0], minlength=size).astype(np.int64)
    symmetric = left_cols == right_cols
    pairs = lcount * (lcount - 1) // 2 if symmetric else lcount * rcount
    too_big = lcount * rcount > max_block * max_block
    for code in (lcode, rcode):
        code[(code >= 0) & too_big[np.maximum(code, 0)]] = -1
    name = f"bk{index}"
    key = RuleKey(name if symmetric else f"{name}a", name if symmetric else f"{name}b",
                  dropped_blocks=int(too_big.sum()), dropped_pairs=int(pairs[too_big].sum()))
    columns = {key.left: _nullable(lcode, features.index)}
    if not symmetric:
        columns[key.right] = _nullable(rcode, features.index)
    return key, columns


def _nullable(codes: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(np.where(codes >= 0, codes, 0), dtype="Int32"),
                     index=index).mask(codes < 0)


def block_keys(features: pd.DataFrame, rules: Sequence[tuple[str, ...] | str],
               max_block: int) -> BlockKeys:
    """Key columns for every rule (named ``bk<i>``, or ``bk<i>a``/``bk<i>b`` for a rule
    comparing different columns) and the rules rewritten to join on them; keys of more than
    `max_block` records (for a rule comparing different columns: left × right records more
    than its square) are left out."""
    out = BlockKeys()
    for i, rule in enumerate(rules):
        key, columns = rule_key(features, rule, i, max_block)
        out.rules.append(key)
        out.columns.update(columns)
    return out


def key_matrices(keys: BlockKeys) -> tuple[np.ndarray, np.ndarray]:
    """Each rule's left and right keys as the columns of two int32 matrices (−1: no key)."""
    def matrix(names: list[str]) -> np.ndarray:
        return np.column_stack([keys.columns[c].to_numpy(dtype=np.int32, na_value=-1)
                                for c in names])

    return (matrix([r.left for r in keys.rules]), matrix([r.right for r in keys.rules]))


def blocked_pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (x < y, int32 positions) for which some rule's keys agree (`key_matrices`),
    each once: the pairs splink's blocking on the same rules gives, without a database table
    of them (tens of millions at a million records). Rules run on parallel threads (the
    compiled kernel lets go of the interpreter); the result is in rule order."""
    from concurrent.futures import ThreadPoolExecutor

    import numba

    from sabt.link import _blocked

    def one(rule: int) -> tuple[np.ndarray, np.ndarray]:
        lkey, rkey = left[:, rule], right[:, rule]
        lorder, rorder = (np.flatnonzero(k >= 0) for k in (lkey, rkey))
        lorder = lorder[np.argsort(lkey[lorder], kind="stable")]
        rorder = rorder[np.argsort(rkey[rorder], kind="stable")]
        size = int(max(lkey.max(initial=-1), rkey.max(initial=-1))) + 1
        most = int((np.bincount(lkey[lorder], minlength=size).astype(np.int64)
                    * np.bincount(rkey[rorder], minlength=size)).sum())
        return _blocked.rule_pairs(left, right, rule, lorder, rorder, most)

    with ThreadPoolExecutor(numba.get_num_threads()) as pool:
        parts = list(pool.map(one, range(left.shape[1])))
    if not parts:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])
