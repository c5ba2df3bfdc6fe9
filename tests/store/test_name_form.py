"""`name_form`: the prepared form stored for every indexed name (and each of its words) equals
the form `sabt.text.similarity.name_rep` prepares for it from scratch, after each write path
(one entity or statement, the bulk change, a JSON Lines import, a rebuild, the migration that
creates the table); a search scores the same with and without stored forms, ignores a form of
another version, and prepares no candidate's name when the forms are stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.command import downgrade
from sqlalchemy import select, update

from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.service import Workspace
from sabt.service import search as search_module
from sabt.store import migrate, name_index
from sabt.store import schema as t
from sabt.store.workspace import Store
from sabt.text import similarity
from sabt.text.similarity import NameRep, name_rep, rep_from_plain

# SYNTHETIC names: both scripts, a compound, a second surname, words the dictionary lacks (the
# romanisation model's), a father's name, a name of one word and one with a hyphen.
LATIN = ["SYNTHETIC Hosein Rezayi", "Mohammad-Ali Khosravi Savadjani", "Maryam Ghassemi-Shall",
         "Seyedmojtaba Farahani", "Zhilvan Qorbanzadeh", "Aliakbari"]
PERSIAN = ["حسین رضایی", "محمدعلی خسروی ساوجانی", "سیدحسین فرحانی", "ژیلوان قربانزاده",
           "علی فرزند حسن کریمی", "قایمی"]


def _clear_caches() -> None:
    """Forget every prepared name, so the next `name_rep` prepares it from scratch."""
    for fn in (similarity.name_rep, similarity.make_field, similarity._token_cands,
               similarity.attested_of, search_module.match_forms,
               search_module._word_similarity):
        fn.cache_clear()
    search_module._FORMS.clear()
    search_module._WORDS.clear()


def _stored(store: Store) -> dict[str, tuple[int, NameRep]]:
    with store.connect() as conn:
        rows = conn.execute(select(name_index.name_form)).all()
    return {r.name: (r.version, rep_from_plain(json.loads(r.rep))) for r in rows}


def _indexed_names(store: Store) -> set[str]:
    with store.connect() as conn:
        labels = conn.execute(select(t.entity.c.label)).scalars().all()
        names = conn.execute(select(t.statement.c.value_text).where(
            t.statement.c.property == "name")).scalars().all()
    return {s for n in (*labels, *names) if n for s in name_index.form_names(n)}


def _check_forms(store: Store) -> None:
    """Every indexed name and word has a stored form of this version, equal to a fresh one."""
    stored = _stored(store)
    wanted = _indexed_names(store)
    assert wanted and wanted <= set(stored)
    _clear_caches()
    for text in wanted:
        version, rep = stored[text]
        assert version == similarity.REP_VERSION
        assert rep == name_rep(text), text


@pytest.fixture
def ws(tmp_path: Path, database_url: str | None) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    yield ws
    ws.close()


def _fill_one_by_one(ws: Workspace) -> None:
    boss = ws.actor("boss")
    ws.entities.add_source(boss, "SYNTHETIC list", id="LA")
    for i, (latin, persian) in enumerate(zip(LATIN, PERSIAN, strict=True), start=1):
        ws.entities.add(boss, "person", latin, id=f"P{i}")
        ws.entities.add_statement(boss, f"P{i}", "name", Text(persian, "fa"),
                                  references=[Reference("LA", Locator(row=i), latin)])


def _fill_in_bulk(ws: Workspace) -> None:
    with ws.store.change(author="tester", reason="SYNTHETIC bulk") as ch:
        src = ch.add_source("SYNTHETIC list")
        persons = ch.add_entities("person", LATIN)
        ch.add_statements(NewStatement(p, "name", Text(persian, "fa"),
                                       (Reference(src, Locator(row=i + 1), "SYNTHETIC"),))
                          for i, (p, persian) in enumerate(zip(persons, PERSIAN, strict=True)))


def test_one_entity_and_one_statement_store_their_forms(ws: Workspace) -> None:
    _fill_one_by_one(ws)
    _check_forms(ws.store)


def test_the_bulk_change_stores_its_forms(ws: Workspace) -> None:
    _fill_in_bulk(ws)
    _check_forms(ws.store)


def test_a_rebuild_and_a_jsonl_import_store_the_forms(ws: Workspace, tmp_path: Path) -> None:
    _fill_in_bulk(ws)
    with ws.store.engine.begin() as conn:
        conn.execute(name_index.name_form.delete())
        name_index.rebuild(conn)
    _check_forms(ws.store)
    out = tmp_path / "export.jsonl"
    ws.exports.jsonl(ws.actor("boss"), out)
    assert "name_form" not in out.read_text(encoding="utf-8")   # derived: not exported
    copy, _ = Workspace.create_from_export(tmp_path / "copy", out, admin="boss")
    try:
        _check_forms(copy.store)
    finally:
        copy.close()


def test_the_migration_stores_the_forms_of_existing_names(
        tmp_path: Path, database_url: str | None) -> None:
    ws = Workspace.create(tmp_path / "ws", database_url, admin="boss")
    _fill_in_bulk(ws)
    with ws.store.engine.begin() as conn:   # as if made before the table existed
        downgrade(migrate._config(conn), "0013_nameform@-1")
    ws.close()
    Store.upgrade(tmp_path / "ws", database_url)
    store = Store.open(tmp_path / "ws", database_url)
    try:
        _check_forms(store)
    finally:
        store.close()


def _scores(ws: Workspace, queries: list[str]) -> list[list[tuple[str, float, str, str]]]:
    _clear_caches()
    boss = ws.actor("boss")
    return [[(h.id, h.score, h.level, h.matched) for h in ws.search.names(boss, q).hits]
            for q in queries]


QUERIES = ["Hossein Rezaei", "رضائی", "Khosravi", "Mohammadali Khosravi", "Farahani Hossein",
           "ژیلوان", "Ghaemi", "Ali Akbari"]


def test_search_scores_the_same_with_and_without_stored_forms(ws: Workspace) -> None:
    _fill_one_by_one(ws)
    with_forms = _scores(ws, QUERIES)
    assert sum(map(len, with_forms)) >= len(QUERIES)        # the queries do find people
    with ws.store.engine.begin() as conn:   # forms of another version are not used
        conn.execute(update(name_index.name_form).values(
            version=similarity.REP_VERSION + 1, rep=json.dumps([None] * 5)))
    assert _scores(ws, QUERIES) == with_forms
    with ws.store.engine.begin() as conn:
        conn.execute(name_index.name_form.delete())
    assert _scores(ws, QUERIES) == with_forms


def test_search_prepares_only_the_query_when_forms_are_stored(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill_one_by_one(ws)
    _clear_caches()
    prepared: list[str] = []

    def counting(text: str) -> NameRep:
        prepared.append(text)
        return name_rep(text)

    monkeypatch.setattr(similarity, "name_rep", counting)
    query = "Hossein Rezaei"
    assert ws.search.names(ws.actor("boss"), query).total >= 1
    assert prepared and set(prepared) <= set(name_index.form_names(query))


def test_a_kept_word_is_not_read_again_and_scores_the_same(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill_one_by_one(ws)
    first = _scores(ws, QUERIES)
    kept = set(search_module._WORDS.get(
        {w for n in LATIN + PERSIAN for w in name_index.name_words(n)}))
    assert kept          # the words of the names met are kept
    search_module._FORMS.clear()      # the names are read again, their words are not
    search_module.match_forms.cache_clear()
    asked: list[str] = []
    reading = name_index.forms

    def recording(conn: object, names: set[str]) -> dict[str, NameRep]:
        asked.extend(names)
        return reading(conn, names)    # type: ignore[arg-type]

    monkeypatch.setattr(name_index, "forms", recording)
    boss = ws.actor("boss")
    again = [[(h.id, h.score, h.level, h.matched) for h in ws.search.names(boss, q).hits]
             for q in QUERIES]
    assert again == first
    assert asked and not kept & set(asked) - set(LATIN + PERSIAN + QUERIES)
