"""How often a name unit is a given name or a surname, from the romanizer's dictionary.

`arabic-name-romanizer` ships a read-only SQLite index of Wikidata labels (installed package
data, CC0) whose unit rows carry a role. Counting the IR rows by role gives a prior that a token
is a given name, used by `sabt.text.names` to recognise "Surname Given" order. Loaded once, on
first use; if the index is missing the prior is uninformative.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from sabt.text.keys import canon_token, name_key


def _index_path() -> Path | None:
    try:
        import arabic_name_romanizer
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    path = Path(arabic_name_romanizer.__file__).parent / "resources" / "names.sqlite3"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def role_counts() -> dict[str, tuple[int, int]]:
    """(given, surname) counts per Persian name key and per canonical Latin token."""
    path = _index_path()
    counts: dict[str, list[int]] = {}
    if path is None:
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT arabic_key, latin, role, count FROM units "
            "WHERE country = 'IR' AND role IN ('given', 'surname')"
        ).fetchall()
    finally:
        conn.close()
    for arabic, latin, role, count in rows:
        slot = 0 if role == "given" else 1
        for key in {name_key(arabic), canon_token(latin)}:
            if key:
                counts.setdefault(key, [0, 0])[slot] += int(count)
    return {k: (v[0], v[1]) for k, v in counts.items()}


def given_prior(key: str) -> float:
    """P(token is a given name) with add-one smoothing; 0.5 when the token is unknown."""
    given, surname = role_counts().get(key, (0, 0))
    return (given + 1) / (given + surname + 2)


#: Fewer Wikidata labels than this and a spelling is not taken as an attested name (one-off
#: labels include typos and mistranscriptions).
MIN_ATTESTED = 3


@lru_cache(maxsize=1)
def _attested() -> dict[str, str]:
    """Persian name key of every attested name unit, by that key and by each canonical Latin
    spelling of it (the key it is most often a spelling of)."""
    path = _index_path()
    if path is None:
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT arabic_key, latin, count FROM units WHERE country = 'IR'").fetchall()
    finally:
        conn.close()
    per_key: dict[str, int] = {}
    per_latin: dict[str, dict[str, int]] = {}
    for arabic, latin, count in rows:
        key, canon = name_key(arabic), canon_token(latin)
        if key:
            per_key[key] = per_key.get(key, 0) + int(count)
            if canon:
                spelt = per_latin.setdefault(canon, {})
                spelt[key] = spelt.get(key, 0) + int(count)
    out = {k: k for k, n in per_key.items() if n >= MIN_ATTESTED}
    for canon, keys in per_latin.items():
        if sum(keys.values()) >= MIN_ATTESTED:
            out.setdefault(canon, max(sorted(keys), key=keys.__getitem__))
    return out


def attested_name(token: str) -> str | None:
    """The Persian key of the name `token` spells (a Persian name key, or a canonical Latin
    spelling) when the dictionary attests it; None for unknown or rare spellings (typos).
    Two different attested names that look alike (Mohammad / Mahmoud, Rezaei / Rajaei) are
    told apart by this key, where a typing error is not."""
    return _attested().get(token)
