"""Sabt's Jaro-Winkler for Spark SQL: DuckDB's function, so both backends score alike.

splink's Spark jar computes Jaro-Winkler with Apache Commons Text, which differs from DuckDB's
``jaro_winkler_similarity`` on some pairs (by a few hundredths: enough to move a pair across a
level's threshold and the trained m and u with it). Sabt ships the DuckDB algorithm as a small
Java UDF (``jvm/JaroWinkler.java``), compiled once with the JDK's ``javac`` into the user's
cache, put on ``spark.jars`` by `sabt.link.spark.session`, and registered under the name
splink's Spark dialect calls (``jaro_winkler``) by the engine.

On a cluster whose session is built elsewhere (an injected SparkSession, Spark Connect), add the
jar this module prints to ``spark.jars``::

    python -m sabt.link.spark_similarity
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sabt.errors import SabtError

SOURCE = Path(__file__).with_name("jvm") / "JaroWinkler.java"
CLASS = "sabt.spark.JaroWinkler"
#: the function name splink's Spark dialect writes for Jaro-Winkler
FUNCTION = "jaro_winkler"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sabt"


def similarity_jar() -> Path:
    """The jar holding `CLASS`, compiled from `SOURCE` the first time a version of it is asked
    for (named by the source's hash, so a changed source is compiled again)."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    cache = _cache_dir()
    jar = cache / f"sabt-similarity-{digest}.jar"
    if jar.is_file():
        return jar
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir()) / f"sabt-{os.getuid()}"
        cache.mkdir(exist_ok=True)
        jar = cache / jar.name
        if jar.is_file():
            return jar
    _compile(jar)
    return jar


def _compile(jar: Path) -> None:
    """Compile `SOURCE` against pyspark's jars and write `jar` atomically (a build running at
    the same time in another process writes the same bytes)."""
    javac = shutil.which("javac")
    if javac is None:
        raise SabtError("the spark backend compiles sabt's Jaro-Winkler for Spark once and needs "
                        "a Java compiler for it: install a JDK 17 (Debian: apt-get install "
                        "openjdk-17-jdk-headless)")
    import pyspark

    classpath = str(Path(pyspark.__file__).parent / "jars" / "*")
    with tempfile.TemporaryDirectory(dir=jar.parent, prefix=".build-") as tmp:
        classes = Path(tmp) / "classes"
        done = subprocess.run([javac, "--release", "17", "-nowarn", "-cp", classpath,
                               "-d", str(classes), str(SOURCE)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            first = (done.stderr.strip().splitlines() or ["javac failed"])[0]
            raise SabtError(f"{SOURCE.name}: javac could not compile it: {first[:200]}")
        built = Path(tmp) / jar.name
        with zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED) as out:
            for path in sorted(classes.rglob("*.class")):
                out.write(path, path.relative_to(classes).as_posix())
        os.replace(built, jar)


def register(spark: Any) -> None:
    """Make ``jaro_winkler`` in `spark`'s SQL sabt's (it replaces splink's of the same name)."""
    from pyspark.sql.types import DoubleType

    try:
        spark.udf.registerJavaFunction(FUNCTION, CLASS, DoubleType())
    except Exception as exc:   # the class is not on the session's classpath
        from sabt.link.spark import first_line

        raise SabtError(f"Spark cannot load sabt's Jaro-Winkler ({CLASS}): add the jar "
                        f"`python -m sabt.link.spark_similarity` prints to spark.jars "
                        f"({first_line(exc)})") from exc


if __name__ == "__main__":
    print(similarity_jar())
