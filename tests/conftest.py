"""Shared fixtures: a workspace on SQLite and on a real PostgreSQL server (started here)."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sabt.store.workspace import Store
from tests.pg_server import PgServer, find_bin_dir


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("SABT_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL server binaries not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL not installed; `./run test` installs it")
    server = PgServer.start(bin_dir)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the embedded SQLite default, or a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def workspace(tmp_path: Path, database_url: str | None) -> Iterator[Store]:
    """A new empty workspace, once per backend."""
    ws = Store.create(tmp_path / "ws", database_url)
    yield ws
    ws.close()


@dataclass(frozen=True)
class LocalTsa:
    """A throwaway RFC 3161 time-stamping authority on 127.0.0.1 (`openssl ts -reply`)."""

    url: str
    ca_cert: Path
    tsa_cert: Path


_TSA_CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="session")
def tsa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    """A CA, a TSA certificate it issued (extendedKeyUsage critical timeStamping) and an HTTP
    handler answering POSTed TimeStampReqs with `openssl ts -reply`; tokens verify with
    ``openssl ts -verify -data FILE -in FILE.tsr -CAfile <ca_cert>``."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tsa")
    config = folder / "tsa.cnf"
    config.write_text(_TSA_CONFIG.format(dir=folder), encoding="utf-8")
    (folder / "tsaserial").write_text("01\n", encoding="ascii")
    ca_key, ca_cert = folder / "ca.key", folder / "ca.crt"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key),
             "-out", str(ca_cert), "-days", "2", "-subj", "/CN=SYNTHETIC test CA",
             "-addext", "basicConstraints=critical,CA:true",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "tsa.key"),
             "-out", str(folder / "tsa.csr"), "-subj", "/CN=SYNTHETIC test TSA")
    _openssl("x509", "-req", "-in", str(folder / "tsa.csr"), "-CA", str(ca_cert),
             "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(folder / "tsa.crt"),
             "-days", "2", "-extfile", str(config), "-extensions", "tsa_ext")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock, tempfile.TemporaryDirectory(dir=folder) as work:
                query, reply = Path(work) / "q.tsq", Path(work) / "r.tsr"
                query.write_bytes(body)
                done = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", str(config), "-queryfile",
                     str(query), "-out", str(reply)], capture_output=True)
                answer = reply.read_bytes() if done.returncode == 0 else b""
            if not answer:
                self.send_error(400, "bad time-stamp query")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalTsa(f"http://127.0.0.1:{server.server_address[1]}/tsa", ca_cert,
                   folder / "tsa.crt")
    server.shutdown()
    server.server_close()
