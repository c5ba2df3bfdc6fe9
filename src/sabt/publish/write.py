"""Writing the site: built in a new folder beside the target, then swapped in. A file whose bytes
did not change is copied from the previous site with its times, so a mirror or rsync sees only
what changed; a file the new site no longer has (a withdrawn person or field) is gone."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from sabt.errors import SabtError
from sabt.publish.site import MARKER


def write_site(files: dict[str, bytes], out: Path) -> tuple[int, int]:
    """Write `files` as the site at `out`; returns (files new or changed, files removed).

    `out` is a new or empty folder or a site written before (it holds the marker file); any
    other folder is refused rather than replaced. If anything fails before the swap, the
    previous site is left as it was and the new folder is removed."""
    out = out.resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir())
                                              and not (out / MARKER).is_file())):
        raise SabtError(f"{out} exists and is not a memorial written by Sabt: choose a new "
                        "folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(4)
    new = out.with_name(f".{out.name}.new-{tag}")
    old = out.with_name(f".{out.name}.old-{tag}")
    changed = 0
    try:
        for rel, data in sorted(files.items()):
            target = new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            before = out / rel
            if before.is_file() and before.stat().st_size == len(data) \
                    and before.read_bytes() == data:
                shutil.copy2(before, target)
            else:
                target.write_bytes(data)
                changed += 1
        previous = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} \
            if out.exists() else set()
        removed = len(previous - set(files))
        if out.exists():
            out.rename(old)
        try:
            new.rename(out)
        except BaseException:
            if old.exists():
                old.rename(out)
            raise
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return changed, removed
