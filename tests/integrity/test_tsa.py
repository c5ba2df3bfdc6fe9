"""RFC 3161 time-stamps against a real local authority (openssl ts behind http.server)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sabt.service import Workspace
from tests.conftest import LocalTsa


def test_checkpoint_tokens_verify_with_openssl(tmp_path: Path, tsa_server: LocalTsa) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="alice")
    me = ws.actor("alice")
    cp = ws.integrity.checkpoint(me, tmp_path / "out", [tsa_server.url, tsa_server.url])
    assert cp.timestamped and cp.warnings == []
    tokens = sorted((tmp_path / "out").glob("checkpoint.json.*.tsr"))
    assert [t.name for t in tokens] == ["checkpoint.json.1.tsr", "checkpoint.json.2.tsr"]
    for token in tokens:
        done = subprocess.run(["openssl", "ts", "-verify", "-data", str(cp.path), "-in",
                               str(token), "-CAfile", str(tsa_server.ca_cert)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Verification: OK" in done.stdout
        assert (cp.kept / token.name).read_bytes() == token.read_bytes()
    ws.close()
