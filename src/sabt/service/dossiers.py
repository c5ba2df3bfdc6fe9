"""`ws.dossiers`: the case file of one person, as a sealed folder a recipient checks offline.

    result = ws.dossiers.write(me, "PER06", Path("raisi-file"), tsa_urls=["https://tsa…"])

Only what `actor` may see goes in (the person's view redacted by the policy, events and related
persons through `Sight`, evidence files through their own marks); what is left out is counted
and said. The folder is built beside `out` and renamed into place when complete, so a failed
run leaves nothing; the export is written to the audit and to the vault's custody chain.
docs/case-files.md describes the package.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sabt import __version__
from sabt.dossier import content, render, seal
from sabt.dossier.content import Around, Capture, RelatedShown, Withheld
from sabt.errors import SabtError
from sabt.model.statements import EntityRef, EntityView, Text
from sabt.policy import DEFAULT_MARK, Action, Actor, can, sees
from sabt.service.entities import Entities
from sabt.service.guard import Guard
from sabt.service.integrity import Integrity
from sabt.service.sight import Sight
from sabt.store import access
from sabt.store import schema as t
from sabt.store.workspace import Store
from sabt.vault.chain import Entry, canonical_json
from sabt.vault.tables import vault_item
from sabt.vault.vault import Vault

EVIDENCE = "evidence"
FILES = "evidence/files"


@dataclass(frozen=True)
class DossierResult:
    """Where the case file is and what it holds (`warnings`: unreachable authorities …)."""

    folder: Path
    entity_id: str
    files: int
    evidence_files: int
    withheld: int
    signed: bool
    timestamped: bool
    warnings: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()    # hashes of the vault items copied into it


@dataclass
class _Evidence:
    """Vault items the dossier cites, split into copied ones and withheld ones."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)

    @property
    def withheld(self) -> int:
        return len(self.rows) - len(self.shown)


class Dossiers:
    def __init__(self, store: Store, guard: Guard, entities: Entities,
                 integrity: Integrity) -> None:
        self.store = store
        self.guard = guard
        self.entities = entities
        self.integrity = integrity

    def write(self, actor: Actor, entity_id: str, out: Path, *,
              tsa_urls: Sequence[str] = ()) -> DossierResult:
        """Write the case file of `entity_id` into the new folder `out` (see module doc).

        An unknown entity and one the actor may not see are refused with the same line; a
        workspace whose checks fail is refused, saying why."""
        view = self.entities.get(actor, entity_id)
        if out.exists():
            raise SabtError(f"{out} already exists: give a new folder for the case file")
        if not out.parent.is_dir():
            raise SabtError(f"{out.parent}: no such folder")
        self._require_sound(actor)
        _remove_stale(out)
        tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
        try:
            tmp.mkdir()
            result = self._build(actor, view, tmp, out, tsa_urls)
            self.guard.record(actor, "export", view.id, "export",
                              f"case file to {out}, {result.withheld} item(s) withheld")
            Vault(self.store).log(actor.id, "dossier_exported", None, {
                "entity": view.id, "to": _where(out, self.store.root),
                "manifest_sha256": seal.sha256_file(tmp / seal.MANIFEST),
                "items": list(result.evidence)})
            tmp.rename(out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return result

    # --- checks --------------------------------------------------------------------------------

    def _require_sound(self, actor: Actor) -> None:
        """Refuse to seal a workspace whose own checks fail (`ws.integrity.verify`: the vault
        and the registry log): a case file would vouch for it."""
        report = self.integrity.verify(actor)
        if not report.ok:
            kinds = sorted({p.kind for p in report.problems})
            raise SabtError(f"refused: the workspace fails verification ({len(report.problems)} "
                            f"problem(s): {', '.join(kinds)}); `sabt verify` names them")

    # --- building ------------------------------------------------------------------------------

    def _build(self, actor: Actor, view: EntityView, folder: Path, out: Path,
               tsa_urls: Sequence[str]) -> DossierResult:
        sight = Sight(actor, self.store)
        around, evidence = self._gather(actor, view, sight)
        dossier = content.build(view, around, requested_by=actor.describe(),
                                generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                                version=__version__)
        head = self._write_evidence(folder, evidence)
        self._registry(actor, view, folder)
        public_pem = self.integrity.public_key_pem()
        (folder / seal.PUBLIC_KEY).write_bytes(public_pem)
        fingerprint = seal.key_fingerprint(public_pem)
        page = render.html(dossier)
        (folder / "dossier.html").write_text(page, encoding="utf-8")
        render.pdf(page, folder / "dossier.pdf")
        (folder / "dossier.json").write_text(json.dumps(
            {**dossier.to_json(), "custody_head": head, "key_fingerprint": fingerprint},
            ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (folder / "VERIFY.md").write_text(render.verify_md(
            dossier, tsa_urls=tsa_urls, fingerprint=fingerprint,
            signed=can(actor, Action.SIGN)), encoding="utf-8")
        signed, timestamped, warnings = self._seal(actor, folder, tsa_urls)
        return DossierResult(out, view.id, len(seal.files_of(folder)),
                             len(evidence.shown), dossier.withheld_total, signed,
                             timestamped, tuple(warnings), tuple(sorted(evidence.shown)))

    def _seal(self, actor: Actor, folder: Path, tsa_urls: Sequence[str],
              ) -> tuple[bool, bool, list[str]]:
        """The checkpoint, then the manifest over every file, its signature and time-stamp
        tokens; returns (signed, timestamped, warnings). An actor without the `sign` right gets
        an unsigned folder that says so; an authority that cannot be reached is a warning and
        the folder is written untimestamped."""
        warnings: list[str] = []
        may_sign = can(actor, Action.SIGN)
        if may_sign:
            checkpoint = self.integrity.checkpoint(actor, folder / "checkpoint", tsa_urls)
            warnings.extend(checkpoint.warnings)
        data = seal.write_manifest(folder)
        signed = timestamped = False
        answered: list[dict[str, Any]] = []
        if may_sign:
            (folder / seal.SIGNATURE).write_bytes(self.integrity.sign(actor, data))
            signed = True
            results = self.integrity.timestamp(actor, data, tsa_urls) if tsa_urls else []
            for number, found in enumerate(results, 1):
                if found.token is None:
                    warnings.append(f"time-stamping authority {found.url}: {found.error}")
                    answered.append({"url": found.url, "token": None, "error": found.error})
                    continue
                (folder / seal.TIMESTAMPS).mkdir(exist_ok=True)
                (folder / seal.TIMESTAMPS / f"{number}.tsr").write_bytes(found.token)
                answered.append({"url": found.url, "token": f"{seal.TIMESTAMPS}/{number}.tsr"})
                timestamped = True
        else:
            warnings.append("not signed and no checkpoint: signing with the workspace's key "
                            "needs the 'sign' right (editors and admins)")
        if not timestamped:
            warnings.append("the case file is untimestamped" + (
                ": no time-stamping authority answered" if tsa_urls and signed else ""))
        seal.write_seal_note(folder, {"signed": signed, "timestamped": timestamped,
                                      "timestamps": answered, "warnings": warnings})
        if signed:
            sums = seal.write_seal_sums(folder)
            (folder / seal.SEAL_SIGNATURE).write_bytes(self.integrity.sign(actor, sums))
        return signed, timestamped, warnings

    def _registry(self, actor: Actor, view: EntityView, folder: Path) -> None:
        """evidence/registry.jsonl: the registry log entries about the person, for those who may
        export the whole workspace (an entry also pins, by hash, other rows of its revision)."""
        if not can(actor, Action.EXPORT):
            return
        keys = [view.id, *view.merged_from, *(str(st.id) for st in view.statements)]
        with (folder / EVIDENCE / "registry.jsonl").open("w", encoding="utf-8") as fh:
            for entry in self.integrity.entries_about(actor, keys):
                fh.write(canonical_json(entry).decode("utf-8") + "\n")

    def _gather(self, actor: Actor, view: EntityView, sight: Sight) -> tuple[Around, _Evidence]:
        """Everything around the person that the actor may see, and what was left out."""
        raw = self.store.entity(view.id)
        ids = {raw.id, *raw.merged_from}
        withheld: list[Withheld] = []
        events, related, hidden_events = self._events(view, ids, sight)
        if hidden_events:
            withheld.append(Withheld("event(s) or mention(s) naming this person", hidden_events))
        co_members, hidden_people = self._co_members(view, ids, sight)
        seen = {r.id for r in related}
        related.extend(r for r in co_members if r.id not in seen)
        if hidden_people:
            withheld.append(Withheld("related person(s)", hidden_people))
        statements = [*view.statements, *(st for ev, _ in events for st in ev.statements)]
        named = {v.entity_id for st in statements
                 for v in (st.value, *st.qualifiers.values()) if isinstance(v, EntityRef)}
        cited = {r.source_id for st in statements for r in st.references}
        with self.store.connect() as conn:
            labels = {r.id: (r.label, "") for r in conn.execute(
                select(t.entity.c.id, t.entity.c.label).where(t.entity.c.id.in_(sorted(named))))}
            sources = {r.entity_id: dict(r._mapping) for r in conn.execute(
                select(t.source).where(t.source.c.entity_id.in_(sorted(cited))))}
        evidence = self._evidence(actor, sources)
        if evidence.withheld:
            withheld.append(Withheld("evidence file(s) given by hash and custody only",
                                     evidence.withheld))
        captures: dict[str, list[Capture]] = {}
        for row in evidence.rows:
            sha = row["sha256"]
            path = f"{FILES}/{_file_name(row)}" if sha in evidence.shown else None
            captures.setdefault(row["source_id"], []).append(Capture(
                sha, row["media_type"], int(row["size"]),
                row["original_name"] if path else "", path, str(row["collected_at"])))
        return Around(labels, sources, captures, events, related, withheld), evidence

    def _events(self, view: EntityView, ids: set[str], sight: Sight,
                ) -> tuple[list[tuple[EntityView, str]], list[RelatedShown], int]:
        """Events naming the person (and persons whose statements name them), as the actor sees
        them; and how many such mentions were withheld."""
        with self.store.connect() as conn:
            rows = conn.execute(select(t.statement.c.entity_id, t.statement.c.id).where(
                t.statement.c.value_entity.in_(sorted(ids)),
                t.statement.c.status == "active")).all()
        mentions = {int(r.id) for r in rows}
        owners = sorted({str(r.entity_id) for r in rows} - ids)
        if not owners:
            return [], [], 0
        raw = self.store.entities_with_statements(owners)
        visible = sight.views([raw[o] for o in owners])
        events: list[tuple[EntityView, str]] = []
        related: list[RelatedShown] = []
        shown_mentions = 0
        people = _PeopleNames(self.store, sight)
        for ev in visible:
            roles = [st.property for st in ev.statements if st.id in mentions]
            shown_mentions += len(roles)
            if not roles:
                continue
            if ev.kind == "event":
                events.append((ev, ", ".join(dict.fromkeys(roles))))
            elif ev.kind == "person":
                related.append(RelatedShown(ev.id, ev.label, _fa_name(ev),
                                            f"their record names this person ({roles[0]})"))
        for ev, _ in events:
            others = [st.value.entity_id for st in ev.statements
                      if isinstance(st.value, EntityRef) and st.value.entity_id not in ids]
            for other in people.persons(others):
                related.append(RelatedShown(other.id, other.label, _fa_name(other),
                                            f"also named in {ev.id} ({ev.label})"))
        unique = list({r.id: r for r in related}.values())
        return events, unique, len(mentions) - shown_mentions

    def _co_members(self, view: EntityView, ids: set[str], sight: Sight,
                    ) -> tuple[list[RelatedShown], int]:
        """Persons who held a post in an organisation where this person held one."""
        orgs = {st.value.entity_id for st in view.statements
                if st.property == "held post" and isinstance(st.value, EntityRef)}
        if not orgs:
            return [], 0
        with self.store.connect() as conn:
            rows = conn.execute(select(t.statement.c.entity_id).where(
                t.statement.c.property == "held post",
                t.statement.c.value_entity.in_(sorted(orgs)),
                t.statement.c.status == "active").distinct()).scalars().all()
        others = sorted({str(r) for r in rows} - ids)
        if not others:
            return [], 0
        raw = self.store.entities_with_statements(others)
        visible = {v.id: v for v in sight.views([raw[o] for o in others])}
        with self.store.connect() as conn:
            labels = {str(r.id): f"{r.label} ({r.id})" for r in conn.execute(
                select(t.entity.c.id, t.entity.c.label).where(t.entity.c.id.in_(sorted(orgs))))}
        out = []
        for other in others:
            shown = visible.get(other)
            shared = sorted({st.value.entity_id for st in shown.statements
                             if st.property == "held post" and isinstance(st.value, EntityRef)
                             and st.value.entity_id in orgs}) if shown else []
            if shown is not None and shared:
                out.append(RelatedShown(other, shown.label, _fa_name(shown),
                                        "also held a post in "
                                        + ", ".join(labels.get(o, o) for o in shared)))
        return out, len(others) - len(out)

    def _evidence(self, actor: Actor, sources: dict[str, dict[str, Any]]) -> _Evidence:
        """Vault items preserving the cited sources; an item is copied only when the actor
        sees it (its own mark and its source's)."""
        hashes = {s["sha256"] for s in sources.values() if s.get("sha256")}
        with self.store.connect() as conn:
            rows = [dict(r) for r in conn.execute(select(vault_item).where(
                vault_item.c.source_id.in_(sorted(sources))
                | vault_item.c.sha256.in_(sorted(hashes)))
                .order_by(vault_item.c.sha256)).mappings()]
            own = access.marks_of(conn, "vault", [r["sha256"] for r in rows])
            of_source = access.marks_of(conn, "entity", sorted(sources))
        evidence = _Evidence([r for r in rows if r["source_id"] in sources])
        for row in evidence.rows:
            marks = (own.get(row["sha256"], DEFAULT_MARK),
                     of_source.get(row["source_id"], DEFAULT_MARK))
            if sees(actor, marks):
                evidence.shown.add(row["sha256"])
                self.guard.read(actor, row["sha256"], marks, what="export")
        return evidence

    def _write_evidence(self, folder: Path, evidence: _Evidence) -> str | None:
        """evidence/files (the copies), items.json, custody.jsonl and its checker; returns the
        custody chain's head."""
        vault = Vault(self.store)
        files = folder / FILES
        files.mkdir(parents=True)
        items = []
        for row in evidence.rows:
            sha = row["sha256"]
            if sha in evidence.shown:
                name = _file_name(row)
                with vault.blobs.open(sha) as src, (files / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                items.append({**{k: _plain(row[k]) for k in (
                    "sha256", "size", "media_type", "original_name", "collected_at",
                    "collected_by", "origin_url", "capture_method", "source_id")},
                    "path": f"{FILES}/{name}", "withheld": False})
            else:
                items.append({"sha256": sha, "source_id": row["source_id"], "path": None,
                              "withheld": True})
        (folder / EVIDENCE / "items.json").write_text(
            json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        entries = vault.entries()
        cited = {r["sha256"] for r in evidence.rows}
        with (folder / EVIDENCE / "custody.jsonl").open("w", encoding="utf-8") as fh:
            for line in custody_lines(entries, evidence.shown, cited - evidence.shown):
                fh.write(line + "\n")
        checker = Path(__file__).parents[1] / "vault" / "check_log.py"
        shutil.copyfile(checker, folder / EVIDENCE / "check_custody.py")
        return entries[-1].hash if entries else None


def custody_lines(entries: Iterable[Entry], full: set[str], hidden: set[str]) -> list[str]:
    """The custody chain as JSON Lines: entries about `full` items as exported (body and hash),
    every other entry elided to its place in the chain (seq, prev, hash), naming its item only
    when it is one of the `hidden` cited items (whose hash the file lists anyway)."""
    out = []
    for entry in entries:
        if entry.item is not None and entry.item in full:
            out.append(canonical_json(entry.to_json()).decode("utf-8"))
            continue
        line: dict[str, Any] = {"seq": entry.seq, "prev": entry.prev, "hash": entry.hash,
                                "elided": True}
        if entry.item is not None and entry.item in hidden:
            line["item"] = entry.item
        out.append(canonical_json(line).decode("utf-8"))
    return out


class _PeopleNames:
    """Persons among some entity ids, as the actor sees them (loaded once each)."""

    def __init__(self, store: Store, sight: Sight) -> None:
        self.store = store
        self.sight = sight

    def persons(self, ids: Sequence[str]) -> list[EntityView]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        raw = self.store.entities_with_statements(wanted)
        return [v for v in self.sight.views([raw[i] for i in wanted]) if v.kind == "person"]


def _remove_stale(out: Path) -> None:
    """Remove what runs killed before they finished left beside `out` (a run in progress, whose
    process is alive, is left alone)."""
    for partial in out.parent.glob(f".{out.name}.partial-*"):
        pid = partial.name.rpartition("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(partial, ignore_errors=True)
        except PermissionError:   # another user's live process
            continue


def _where(out: Path, root: Path) -> str:
    """The folder as the custody entry records it: relative when inside the workspace (which
    may be renamed, as the demo's is)."""
    out, root = out.resolve(), root.resolve()
    return f"{out.relative_to(root)} (in the workspace)" if out.is_relative_to(root) else str(out)


def _fa_name(view: EntityView) -> str:
    return next((st.value.text for st in view.statements if st.property == "name"
                 and isinstance(st.value, Text) and st.value.lang == "fa"), "")


def _file_name(row: dict[str, Any]) -> str:
    """An evidence copy is named by its hash, with the extension its media type suggests."""
    ext = mimetypes.guess_extension(str(row["media_type"]).split(";")[0].strip()) or ".bin"
    return f"{row['sha256']}{ext}"


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)
