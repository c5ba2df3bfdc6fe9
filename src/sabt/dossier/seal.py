"""The manifest of a case-file folder, its signature, and the checks a recipient runs.

`manifest.sha256` is in `sha256sum` format (`<hex>  <path>`, sorted by path) and names every
file of the folder except the sealing files, which are made from it afterwards: its signature
`manifest.sha256.sig`, the time-stamp tokens over it under `timestamps/` and `seal.json` (what
was sealed and which authorities answered). These are in turn listed in `seal.sha256`, signed as
`seal.sha256.sig`, so that no byte of the folder is outside a signed list. `check` does what
VERIFY.md tells a recipient to do with `sha256sum` and `openssl`, and names every failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.sha256"
SIGNATURE = MANIFEST + ".sig"
PUBLIC_KEY = "public_key.pem"
SEAL = "seal.json"
SEAL_SUMS = "seal.sha256"
SEAL_SIGNATURE = SEAL_SUMS + ".sig"
TIMESTAMPS = "timestamps"
SEALING = frozenset({MANIFEST, SIGNATURE, SEAL, SEAL_SUMS, SEAL_SIGNATURE})
CHECKPOINT = "checkpoint/checkpoint.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sealing(rel: str) -> bool:
    return rel in SEALING or rel.startswith(TIMESTAMPS + "/")


def files_of(folder: Path) -> list[str]:
    """Every regular file under `folder` as a relative POSIX path, sorted."""
    out = []
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            out.append((Path(dirpath) / name).relative_to(folder).as_posix())
    return sorted(out)


def _sums(folder: Path, names: list[str]) -> bytes:
    return "".join(f"{sha256_file(folder / rel)}  {rel}\n" for rel in names).encode("utf-8")


def write_manifest(folder: Path) -> bytes:
    """Write `manifest.sha256` over every file but the sealing files; returns its bytes."""
    data = _sums(folder, [rel for rel in files_of(folder) if not _sealing(rel)])
    (folder / MANIFEST).write_bytes(data)
    return data


def write_seal_sums(folder: Path) -> bytes:
    """Write `seal.sha256` over the sealing files made after the manifest (its signature,
    the time-stamp tokens, seal.json); returns its bytes, to be signed."""
    data = _sums(folder, [rel for rel in files_of(folder)
                          if _sealing(rel) and rel not in (MANIFEST, SEAL_SUMS, SEAL_SIGNATURE)])
    (folder / SEAL_SUMS).write_bytes(data)
    return data


def key_fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the public key file's bytes (`sha256sum public_key.pem`), as checkpoints name
    the key that signed them."""
    return hashlib.sha256(public_pem).hexdigest()


@dataclass
class CheckReport:
    """What `check` found: problems (the folder fails) and notes (what was or was not checked).
    """

    files: int = 0
    signed: bool = False
    timestamps_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _verify_signature(folder: Path, data_rel: str, sig_rel: str, report: CheckReport) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key((folder / PUBLIC_KEY).read_bytes())
    except (OSError, ValueError) as exc:
        report.problems.append(f"{PUBLIC_KEY}: not a readable public key ({type(exc).__name__})")
        return False
    if not isinstance(key, Ed25519PublicKey):
        report.problems.append(f"{PUBLIC_KEY}: not an Ed25519 key")
        return False
    try:
        key.verify((folder / sig_rel).read_bytes(), (folder / data_rel).read_bytes())
    except FileNotFoundError as exc:
        report.problems.append(f"{Path(exc.filename).name}: missing")
        return False
    except InvalidSignature:
        report.problems.append(f"{sig_rel}: the signature does not match {data_rel} "
                               f"under {PUBLIC_KEY}")
        return False
    return True


def check(folder: Path, *, fingerprint: str | None = None,
          tsa_ca: Path | None = None) -> CheckReport:
    """The recipient's checks (VERIFY.md): every manifest line, no unlisted file, the
    signatures, and with `tsa_ca` every time-stamp token (`openssl ts -verify`)."""
    report = CheckReport()
    manifest = folder / MANIFEST
    if not manifest.is_file():
        report.problems.append(f"{MANIFEST}: missing, so nothing can be checked")
        return report
    listed = _check_sums(folder, MANIFEST, report)
    report.files = len(listed)
    sealed: set[str] = set()
    if (folder / SEAL_SUMS).is_file():
        sealed = _check_sums(folder, SEAL_SUMS, report)
        _verify_signature(folder, SEAL_SUMS, SEAL_SIGNATURE, report)
    elif (folder / SIGNATURE).is_file():
        report.problems.append(f"{SEAL_SUMS}: missing, so the signature and time-stamp tokens "
                               "are not covered")
    else:
        sealed = {SEAL}     # an unsigned folder's note; the missing signature is reported
    for rel in files_of(folder):
        if rel not in listed | sealed | {MANIFEST, SEAL_SUMS, SEAL_SIGNATURE}:
            report.problems.append(f"{rel}: not in the manifest (added after sealing)")
    if fingerprint is not None and (folder / PUBLIC_KEY).is_file():
        found = key_fingerprint((folder / PUBLIC_KEY).read_bytes())
        if found != fingerprint.lower():
            report.problems.append(f"{PUBLIC_KEY}: fingerprint {found} is not the expected "
                                   f"{fingerprint}")
    if (folder / SIGNATURE).is_file() or (folder / PUBLIC_KEY).is_file():
        report.signed = _verify_signature(folder, MANIFEST, SIGNATURE, report)
    else:
        report.problems.append(f"{SIGNATURE}: missing (the folder is not signed)")
    checkpoint = folder / CHECKPOINT
    if checkpoint.is_file():
        _verify_signature(folder, CHECKPOINT, CHECKPOINT + ".sig", report)
        _check_checkpoint(folder, report)
    _check_timestamps(folder, tsa_ca, report)
    return report


def _check_sums(folder: Path, name: str, report: CheckReport) -> set[str]:
    """Check every line of a `sha256sum` list; returns the paths it names."""
    listed: set[str] = set()
    for number, line in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or not rel or rel.startswith("/") or ".." in rel.split(
                "/"):
            report.problems.append(f"{name}, line {number}: not a sha256sum line")
            continue
        listed.add(rel)
        path = folder / rel
        if not path.is_file():
            report.problems.append(f"{rel}: listed in {name} but missing")
        elif sha256_file(path) != digest:
            report.problems.append(f"{rel}: changed (its SHA-256 differs from {name})")
    return listed


def _check_checkpoint(folder: Path, report: CheckReport) -> None:
    """The checkpoint names the folder's key, and pins the custody chain where the folder's
    custody excerpt ends."""
    try:
        body = json.loads((folder / CHECKPOINT).read_text(encoding="utf-8"))
        named_key = body["public_key_sha256"]
        custody_head = body["chains"]["custody"]["head"]
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"{CHECKPOINT}: not a readable Sabt checkpoint")
        return
    if (folder / PUBLIC_KEY).is_file() and named_key != key_fingerprint(
            (folder / PUBLIC_KEY).read_bytes()):
        report.problems.append(f"{CHECKPOINT}: names another signing key than {PUBLIC_KEY}")
    custody = folder / "evidence" / "custody.jsonl"
    if custody.is_file():
        lines = custody.read_text(encoding="utf-8").splitlines()
        last = json.loads(lines[-1]).get("hash") if lines else None
        if last != custody_head:
            report.problems.append("evidence/custody.jsonl: does not end at the custody head "
                                   f"the checkpoint pins ({custody_head})")


def _check_timestamps(folder: Path, tsa_ca: Path | None, report: CheckReport) -> None:
    """Each token under timestamps/ covers the manifest; each beside the checkpoint covers it."""
    pairs = [(MANIFEST, token) for token in sorted((folder / TIMESTAMPS).glob("*.tsr"))]
    pairs += [(CHECKPOINT, token) for token in sorted(
        (folder / "checkpoint").glob("checkpoint.json.*.tsr"))]
    if not any(data == MANIFEST for data, _ in pairs):
        report.notes.append("no time-stamp token over the manifest: the folder is "
                            "untimestamped")
    if not pairs:
        return
    if tsa_ca is None:
        report.notes.append(f"{len(pairs)} time-stamp token(s) present, not checked "
                            "(give the authority's CA certificate with --tsa-ca)")
        return
    openssl = shutil.which("openssl")
    if openssl is None:
        report.problems.append("openssl is not installed: time-stamp tokens cannot be checked")
        return
    for data, token in pairs:
        done = subprocess.run(
            [openssl, "ts", "-verify", "-data", str(folder / data), "-in", str(token),
             "-CAfile", str(tsa_ca)], capture_output=True, text=True, check=False)
        rel = token.relative_to(folder).as_posix()
        if done.returncode != 0 or "Verification: OK" not in done.stdout:
            report.problems.append(f"{rel}: the time-stamp token does not verify against "
                                   f"{data} and {tsa_ca.name}")
        else:
            report.timestamps_checked += 1


def write_seal_note(folder: Path, note: dict[str, object]) -> None:
    """seal.json: what was sealed and which authorities answered (a guide; each claim in it is
    checked by the steps in VERIFY.md, not trusted)."""
    (folder / SEAL).write_text(json.dumps(note, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
