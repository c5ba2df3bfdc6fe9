"""Content-addressed blob storage: hashing while streaming, read-only, deduplicated."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest

from sabt.errors import SabtError
from sabt.vault.blobs import BlobStore, sha256_file


def test_stage_place_and_dedupe(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "vault")
    data = b"Over 30,000 people were killed."
    staged = store.stage(io.BytesIO(data))
    assert staged.sha256 == hashlib.sha256(data).hexdigest() and staged.size == len(data)
    assert store.place(staged) is True
    path = store.path_for(staged.sha256)
    assert path == tmp_path / "vault" / "sha256" / staged.sha256[:2] / staged.sha256[2:4] / \
        staged.sha256
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    again = store.stage(io.BytesIO(data))
    assert store.place(again) is False
    assert not again.tmp.exists()
    assert list(store.iter_files()) == [path]


def test_limit_leaves_nothing_behind(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "vault")
    with pytest.raises(SabtError, match="larger than"):
        store.stage(io.BytesIO(b"x" * 5000), max_bytes=4096)
    assert store.staged_files() == []


def test_streamed_hash_matches_hashlib_on_a_multi_chunk_file(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 20_000  # 5 MB: several 1 MiB chunks
    path.write_bytes(data)
    assert sha256_file(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_bad_hash_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SabtError):
        BlobStore(tmp_path).path_for("../../etc/passwd")
