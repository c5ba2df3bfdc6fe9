"""Build the name-matching evaluation set in tests/data/text/ from the romanizer's dictionary.

Reads the IR rows of the Wikidata-derived ``names.sqlite3`` shipped with arabic-name-romanizer
(installed package data, no network), writes Persian key ↔ Latin spelling rows with counts,
split into tune / held-out halves by `sabt.text.evalset.split_of` (a hash of the Persian key):

    tests/data/text/ir_tokens_{tune,heldout}.tsv      single name units
    tests/data/text/ir_fullnames_{tune,heldout}.tsv   whole names (English labels only)

Run: ``.venv/bin/python benchmarks/build_text_evalset.py``. The output is deterministic.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

import arabic_name_romanizer

from sabt.text.evalset import persian_from_index_key, split_of

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "text"
INDEX = Path(arabic_name_romanizer.__file__).parent / "resources" / "names.sqlite3"


def _write(path: Path, rows: dict[tuple[str, str], int], what: str) -> None:
    lines = [
        f"# {what}: IR rows of arabic-name-romanizer {arabic_name_romanizer.__version__} "
        "names.sqlite3 (Wikidata, CC0); built by benchmarks/build_text_evalset.py",
        "persian\tlatin\tcount",
    ]
    lines += [f"{p}\t{latin}\t{c}" for (p, latin), c in sorted(rows.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    conn = sqlite3.connect(f"file:{INDEX}?mode=ro", uri=True)
    OUT.mkdir(parents=True, exist_ok=True)
    for table, stem in (("units", "ir_tokens"), ("full_names", "ir_fullnames")):
        halves: dict[str, dict[tuple[str, str], int]] = {"tune": defaultdict(int),
                                                          "heldout": defaultdict(int)}
        # Whole names: English labels only (aliases hold epithets such as "The Shadow Commander").
        only_en = " AND latin_lang = 'en'" if table == "full_names" else ""
        rows = conn.execute(
            f"SELECT arabic_key, latin, count FROM {table} WHERE country = 'IR'{only_en}"
        ).fetchall()
        for key, latin, count in rows:
            latin = " ".join(latin.replace("\t", " ").split())
            if not latin or not any(ch.isalpha() for ch in latin):
                continue
            persian = persian_from_index_key(key)
            halves[split_of(persian)][(persian, latin)] += int(count)
        for half, data in halves.items():
            _write(OUT / f"{stem}_{half}.tsv", data, f"{stem} {half}")
            print(f"{stem}_{half}.tsv: {len(data)} rows, {len({p for p, _ in data})} keys")
    conn.close()


if __name__ == "__main__":
    main()
