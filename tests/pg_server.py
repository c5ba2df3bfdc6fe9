"""A throwaway PostgreSQL server for tests: Debian's binaries, a temp cluster, a free port.

`.ci/run` installs the `postgresql` package; here we only start and stop a private cluster
(as the `postgres` user when running as root, since initdb refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_cpu(data_dir: Path) -> float:
    """CPU seconds of a PostgreSQL cluster: postmaster with reaped backends, plus live ones."""
    master = int((data_dir / "postmaster.pid").read_text().split()[0])
    return tree_cpu(master, reaped=True)


def tree_cpu(root: int, *, reaped: bool = False) -> float:
    """CPU seconds of process `root` and its live children, from /proc; with `reaped`, also
    what its children that have ended spent (their time is added to the parent's)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root:
            total += sum(int(f) for f in fields[11:15 if reaped else 13]) / tick
        elif ppid == root:
            total += sum(int(f) for f in fields[11:13]) / tick   # utime stime
    return total


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class PgServer:
    bin_dir: Path
    base: Path
    port: int
    _counter: count  # type: ignore[type-arg]

    @classmethod
    def start(cls, bin_dir: Path, base: Path | None = None) -> PgServer:
        """A new cluster in `base` (made empty; default: a new temporary folder), started."""
        if base is None:
            base = Path(tempfile.mkdtemp(prefix="sabt-pg-"))
        else:
            base.mkdir(parents=True)
        server = cls(bin_dir, base, _free_port(), count(1))
        os.chmod(base, 0o777)
        server._run("initdb", "-D", str(base / "data"), "-U", "sabt", "--auth=trust",
                    "-E", "UTF8", "--locale=C.UTF-8")
        server._run("pg_ctl", "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-o",
                    f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off", "start")
        return server

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stderr or result.stdout}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://sabt@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{next(self._counter)}_{os.getpid()}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=sabt dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
