"""A SYNTHETIC workspace with every sensitivity level and every field a memorial page shows,
and the values that must never reach the public site (each written so that it can be found
byte for byte in the output, in Latin and in Persian script)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sabt.model.statements import EntityRef, Locator, Quantity, Reference, Text
from sabt.service import Workspace

# Every value here is SYNTHETIC. Withheld values, and why each must be withheld:
WITHHELD = {
    "Zzfatherrestricted": "P1 father name cites a restricted source (S4)",
    "پدرمحرمانه": "P1 father name (Persian) cites a confidential source (S5)",
    "Zzaffiliationinternal": "P1 affiliation: statement never marked public",
    "Zznosourcepublic": "P1 province: public, but its only source (S3) is internal",
    "Zzconfidentialstatement": "P1 burial marked confidential",
    "Zzpropertymarked": "P1 'what happened': public, but the property is marked restricted",
    "Zzrestrictedrow": "P1 place of death: public, cites S1 row 9 marked restricted",
    "Zzunpublishedperson": "P2's name: P2 is not marked publishable",
    "نامناشر": "P2's Persian name: P2 is not marked publishable",
    "Zznonameprison": "P3's prison: P3 has no publishable name",
    "Zzlivingwitness": "P4's name: a living witness",
    "شاهدزنده": "P4's Persian name: a living witness",
    "Zzrestrictedperson": "P6's name: P6 is marked restricted",
    "Zzhiddenname": "P3's name: never marked public",
    "SYNTHETIC label never shown": "a person's label (never shown: only published names are)",
}


@dataclass
class Case:
    ws: Workspace
    root: Path
    statements: dict[str, int] = field(default_factory=dict)


def _ref(source: str, row: int, column: str = "name") -> list[Reference]:
    return [Reference(source, Locator(row=row, column=column))]


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    from sabt.text import parse_date

    ws = Workspace.create(tmp_path / "ws", admin="boss")
    me = ws.actor("boss")
    st: dict[str, int] = {}

    def add(key: str, person: str, prop: str, value: object, refs: list[Reference],
            level: str | None = "public") -> None:
        st[key] = ws.entities.add_statement(me, person, prop, value, references=refs)  # type: ignore[arg-type]
        if level:
            ws.entities.mark(me, str(st[key]), level)

    for sid, title, level in (("S1", "SYNTHETIC list A (Latin script)", "public"),
                              ("S2", "SYNTHETIC list B (Persian script)", "public"),
                              ("S3", "SYNTHETIC internal notes", "internal"),
                              ("S4", "SYNTHETIC restricted interview", "restricted"),
                              ("S5", "SYNTHETIC confidential file", "confidential")):
        ws.entities.add_source(me, title, id=sid)
        ws.entities.mark(me, sid, level)
    ws.entities.mark(me, "S1#9", "restricted")
    ws.entities.add(me, "place", "SYNTHETIC Evin-like prison", id="L1")
    ws.entities.mark(me, "L1", "public")

    # P1: published, with every field, and withheld fields of every kind.
    ws.entities.add(me, "person", "SYNTHETIC label never shown", id="P1")
    add("p1_name_en", "P1", "name", Text("Hossein Rezaei", "en"), _ref("S1", 1))
    add("p1_name_fa", "P1", "name", Text("حسین رضایی", "fa"), _ref("S2", 1))
    add("p1_death", "P1", "date of death", parse_date("1367-05-08"), _ref("S2", 1, "date"))
    add("p1_birth", "P1", "year of birth", Quantity(1960), _ref("S1", 1, "born"))
    add("p1_age", "P1", "age at death", Quantity(28), _ref("S1", 1, "age"))
    add("p1_prison", "P1", "prison", EntityRef("L1"), _ref("S1", 1, "prison"))
    add("p1_place", "P1", "place of death", Text("Synthabad"), _ref("S1", 1, "place"))
    add("p1_sex", "P1", "sex", Text("male"), _ref("S1", 1, "sex"))
    add("p1_happened", "P1", "what happened",
        Text("Executed after a SYNTHETIC retrial"), _ref("S1", 1, "notes"))
    add("p1_father", "P1", "father name", Text("Zzfatherrestricted"), _ref("S4", 1))
    add("p1_father_fa", "P1", "father name", Text("پدرمحرمانه", "fa"), _ref("S5", 1))
    add("p1_affiliation", "P1", "affiliation", Text("Zzaffiliationinternal"), _ref("S1", 1),
        level=None)
    add("p1_province", "P1", "province", Text("Zznosourcepublic"), _ref("S3", 1))
    add("p1_burial", "P1", "burial", Text("Zzconfidentialstatement"), _ref("S1", 1),
        level="confidential")
    add("p1_propmark", "P1", "cause", Text("Zzpropertymarked"), _ref("S1", 1))
    ws.entities.mark(me, "P1", "restricted", property="cause")
    add("p1_row", "P1", "place of death", Text("Zzrestrictedrow"), _ref("S1", 9, "place"))
    ws.entities.mark(me, "P1", "public")

    # P2: names public, the person not marked publishable.
    ws.entities.add(me, "person", "P2", id="P2")
    add("p2_name", "P2", "name", Text("Zzunpublishedperson"), _ref("S1", 2))
    add("p2_name_fa", "P2", "name", Text("نامناشر", "fa"), _ref("S2", 2))
    # P3: publishable, but no publishable name.
    ws.entities.add(me, "person", "P3", id="P3")
    ws.entities.mark(me, "P3", "public")
    add("p3_name", "P3", "name", Text("Zzhiddenname"), _ref("S1", 3), level=None)
    add("p3_prison", "P3", "prison", Text("Zznonameprison"), _ref("S1", 3, "prison"))
    # P4: a living witness (role witness, no date of death).
    ws.entities.add(me, "person", "P4", id="P4")
    ws.entities.mark(me, "P4", "public")
    add("p4_name", "P4", "name", Text("Zzlivingwitness"), _ref("S1", 4))
    add("p4_name_fa", "P4", "name", Text("شاهدزنده", "fa"), _ref("S2", 4))
    add("p4_role", "P4", "role", Text("witness"), _ref("S1", 4, "role"))
    # P5: a witness who died: published.
    ws.entities.add(me, "person", "P5", id="P5")
    ws.entities.mark(me, "P5", "public")
    add("p5_given", "P5", "given name", Text("Maryam", "en"), _ref("S1", 5, "given"))
    add("p5_family", "P5", "family name", Text("Ahmadi", "en"), _ref("S1", 5, "family"))
    add("p5_name_fa", "P5", "name", Text("مریم احمدی", "fa"), _ref("S2", 5))
    add("p5_role", "P5", "role", Text("witness"), _ref("S1", 5, "role"))
    add("p5_death", "P5", "date of death", parse_date("1988-09-01"), _ref("S1", 5, "date"))
    add("p5_prison", "P5", "prison", Text("Synthdasht"), _ref("S1", 5, "prison"))
    # P6: a restricted person.
    ws.entities.add(me, "person", "P6", id="P6")
    ws.entities.mark(me, "P6", "restricted")
    add("p6_name", "P6", "name", Text("Zzrestrictedperson"), _ref("S1", 6))
    try:
        yield Case(ws, tmp_path, st)
    finally:
        ws.close()


def site_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
