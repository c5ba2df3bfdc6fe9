"""Publication rules, the dry run, the static site and re-publishing (SYNTHETIC data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sabt.errors import SabtError
from sabt.model.statements import Text
from tests.publish.conftest import WITHHELD, Case, _ref, site_bytes


def test_dry_run_counts_every_reason(case: Case) -> None:
    plan = case.ws.publish.plan(case.ws.actor("boss")).to_dict()
    # Expected by hand from the fixture: P1 and P5 published; P2 and P6 not publishable,
    # P3 without a publishable name, P4 a living witness.
    assert plan["persons_published"] == 2
    assert plan["persons_withheld"] == {"living witness": 1,
                                        "person has no publishable name": 1,
                                        "person not marked publishable": 2}
    fields = plan["fields"]
    assert fields["father name"] == {"cites a restricted source": 2}
    assert fields["affiliation"] == {"statement not marked public": 1}
    assert fields["province"] == {"no public source to cite": 1}
    assert fields["burial"] == {"statement not marked public": 1}
    assert fields["cause"] == {"statement not marked public": 1}
    assert fields["place of death"] == {"published": 1, "cites a restricted source": 1}
    assert fields["name"] == {"published": 3, "person not marked publishable": 3,
                              "statement not marked public": 1, "living witness": 2}
    assert fields["prison"] == {"published": 2, "person has no publishable name": 1}
    assert fields["role"] == {"published": 1, "living witness": 1}
    published = {p["id"]: p for p in plan["persons"] if p["published"]}
    assert set(published) == {"P1", "P5"}
    values = {f["value"] for f in published["P1"]["fields"]}
    assert {"Hossein Rezaei", "حسین رضایی", "Synthabad"} <= values
    assert not values & set(WITHHELD)


def test_site_holds_no_byte_of_a_withheld_value(case: Case) -> None:
    out = case.root / "site"
    report = case.ws.publish.site(case.ws.actor("boss"), out, contact="memorial@example.org")
    assert (report.persons, report.withheld_persons) == (2, 4)
    files = site_bytes(out)
    for value, why in WITHHELD.items():
        needle = value.encode()
        leaks = [name for name, data in files.items() if needle in data]
        assert not leaks, f"{value!r} ({why}) is in {leaks}"
    for page in ("en/p/P2.html", "en/p/P3.html", "en/p/P4.html", "en/p/P6.html"):
        assert page not in files
    fa = files["fa/p/P1.html"].decode()
    assert 'dir="rtl"' in fa and "حسین رضایی" in fa and "Hossein Rezaei" in fa
    assert "۱۳۶۷" in fa                                # Solar Hijri, Persian digits
    en = files["en/p/P1.html"].decode()
    assert 'dir="ltr"' in en and "SYNTHETIC list A (Latin script)" in en
    assert "1988" in en and "1367" in en               # both calendars
    assert "SYNTHETIC Evin-like prison" in en          # the prison's name, and its page
    assert "en/prison/L1.html" in files
    assert "mailto:memorial@example.org" in en
    assert files["assets/NotoNaskhArabic-Regular.ttf"][:4] == b"\x00\x01\x00\x00"
    assert b"SIL OPEN FONT LICENSE" in files["assets/OFL.txt"].upper()
    for name, data in files.items():     # nothing loaded from elsewhere
        if name.endswith((".html", ".css", ".js")):
            assert b"//cdn" not in data and b"googleapis" not in data, name
            assert b"<script>" not in data, f"inline script in {name}"


def test_republish_drops_a_withdrawn_field_and_keeps_unchanged_files(case: Case) -> None:
    boss = case.ws.actor("boss")
    out = case.root / "site"
    case.ws.publish.site(boss, out)
    before = site_bytes(out)
    stamp = (out / "en/p/P1.html").stat().st_mtime_ns
    assert b"Synthdasht" in before["en/p/P5.html"]
    case.ws.entities.mark(boss, str(case.statements["p5_prison"]), "internal")
    report = case.ws.publish.site(boss, out)
    after = site_bytes(out)
    assert not [n for n, d in after.items() if b"Synthdasht" in d]
    assert report.removed == 2                        # the prison's page, in each language
    assert after["en/p/P1.html"] == before["en/p/P1.html"]
    assert (out / "en/p/P1.html").stat().st_mtime_ns == stamp
    assert after["en/p/P5.html"] != before["en/p/P5.html"]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site.")]


def test_a_failed_publish_leaves_the_previous_site(case: Case,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    boss = case.ws.actor("boss")
    out = case.root / "site"
    case.ws.publish.site(boss, out)
    before = site_bytes(out)
    case.ws.entities.mark(boss, str(case.statements["p5_prison"]), "internal")
    written = []
    real = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:   # type: ignore[override]
        written.append(self)
        if len(written) > 3:
            raise OSError("disk full (simulated)")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(OSError, match="simulated"):
        case.ws.publish.site(boss, out)
    monkeypatch.undo()
    assert site_bytes(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site.")]


def test_publish_refuses_a_folder_it_did_not_write(case: Case) -> None:
    out = case.root / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("mine")
    with pytest.raises(SabtError, match="not a memorial"):
        case.ws.publish.site(case.ws.actor("boss"), out)
    assert (out / "thesis.txt").read_text() == "mine"


def test_only_those_who_mark_may_publish(case: Case) -> None:
    from sabt.errors import Forbidden
    from sabt.service.users import new_actor

    boss = case.ws.actor("boss")
    case.ws.users.add(boss, new_actor("vi", ["viewer"]))
    with pytest.raises(Forbidden):
        case.ws.publish.plan(case.ws.actor("vi"))


def test_bulk_marks_by_list_property_and_persons(tmp_path: Path) -> None:
    from sabt.model.statements import Locator, Reference, Text
    from sabt.policy import PUBLIC
    from sabt.service import Workspace

    with Workspace.create(tmp_path / "ws", admin="boss") as ws:
        boss = ws.actor("boss")
        ws.entities.add_source(boss, "SYNTHETIC list", id="S1")
        ws.entities.add_source(boss, "SYNTHETIC other list", id="S2")
        for n in range(1, 4):
            ws.entities.add(boss, "person", f"P{n}", id=f"P{n}")
            for prop, src in (("name", "S1"), ("prison", "S1"), ("name", "S2")):
                ws.entities.add_statement(boss, f"P{n}", prop, Text(f"SYNTHETIC {n}"),
                                          references=[Reference(src, Locator(row=n))])
        done = ws.entities.mark_many(boss, "public", source="S1")
        assert (done.what, done.marked, done.skipped) == ("statements", 6, 0)
        done = ws.entities.mark_many(boss, "public", source="S1", property="name")
        assert done.marked == 3
        done = ws.entities.mark_many(boss, "public", source="S2", entities=True)
        assert (done.what, done.marked) == ("entities", 3)
        ws.entities.mark(boss, "S1", "public")
        view = ws.entities.get(PUBLIC, "P2")
        assert sorted(st.property for st in view.statements) == ["name", "prison"]
        done = ws.entities.mark_many(boss, "internal", property="prison")
        assert done.marked == 3
        assert [st.property for st in ws.entities.get(PUBLIC, "P2").statements] == ["name"]
        with pytest.raises(SabtError):
            ws.entities.mark_many(boss, "public")


def test_cli_publish_dry_run_and_site(case: Case) -> None:
    from typer.testing import CliRunner

    from sabt.cli import app
    from sabt.cli.app import _Acting

    case.ws.close()
    _Acting.name = "boss"
    try:
        runner = CliRunner()
        ws = str(case.root / "ws")
        result = runner.invoke(app, ["publish", "--dry-run", "-w", ws])
        assert result.exit_code == 0, result.output
        assert "P4: withhold (living witness)" in result.output
        assert "cites a restricted source" in result.output
        result = runner.invoke(app, ["publish", "--out", str(case.root / "site"), "-w", ws,
                                     "--synthetic", "--contact", "https://example.org/form"])
        assert result.exit_code == 0, result.output
        assert "published 2 persons" in result.output
        page = (case.root / "site/en/p/P5.html").read_text()
        assert "SYNTHETIC" in page and "https://example.org/form" in page
        result = runner.invoke(app, ["mark", "--list", "S2", "--persons", "public", "-w", ws])
        assert result.exit_code == 0 and "marked 4 entities public" in result.output
    finally:
        _Acting.name = None
        os.environ.pop("SABT_USER", None)


def test_server_memorial_rebuilds_only_changed_persons_identically(case: Case) -> None:
    from sabt.policy import PUBLIC
    from sabt.publish.site import site_files
    from sabt.service.publish import TITLE, collect

    ws, me = case.ws, case.ws.actor("boss")
    persons = len(ws.store.entities("person"))     # all active, none merged

    def check(decided: int | None) -> None:
        """The server's memorial is byte for byte the full build's, and decided `decided`
        persons (None: all of them)."""
        served = site_files(ws.publish.memorial())
        full = site_files(collect(ws.store, title=TITLE, synthetic=False).memorial)
        assert served == full
        assert ws.publish.last_decided == (persons if decided is None else decided)

    check(None)                                     # the first build decides everyone
    check(0)                                        # nothing changed: nothing decided
    name = ws.entities.add_statement(me, "P5", "name", Text("SYNTHETIC Maryam Ahmadi-Zz", "en"),
                                     references=_ref("S1", 5))
    ws.entities.mark(me, str(name), "public")
    check(1)                                        # P5 only
    ws.entities.mark(me, "P2", "public")            # P2 becomes publishable
    check(1)
    ws.entities.mark(me, "S3", "public")            # a source: every person citing it
    check(1)                                        # (only P1 cites S3)
    ws.entities.mark(me, "S1#9", "public")          # a list row: every person citing S1
    check(6)
    ws.entities.retract(me, str(case.statements["p1_sex"]), "SYNTHETIC: wrong")
    check(1)
    ws.entities.add(me, "person", "SYNTHETIC P7", id="P7")
    ws.entities.mark(me, "P7", "public")
    seven = ws.entities.add_statement(me, "P7", "name", Text("SYNTHETIC Zzseven", "en"),
                                      references=_ref("S1", 7))
    ws.entities.mark(me, str(seven), "public")
    persons += 1
    check(1)
    ws.entities.merge(me, "P7", "P5", "SYNTHETIC: one person")
    persons -= 1
    check(1)                                        # P5, now showing P7's name too
    ws.corrections.submit(PUBLIC, "P1", "SYNTHETIC message")   # not a revision of persons
    check(0)
    ws.entities.add(me, "place", "SYNTHETIC place", id="L2")   # another kind: all again
    check(None)
