"""Read while serving (#17): `mandato query`, `export` and `validate` run beside a `mandato serve`
on the same store (they open it read-only while a server holds it); `mandato ingest` refuses at
once, before reading any source, and works again once the server stops."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from conftest import MANDATO, served


def _run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([MANDATO, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_read_while_serving_and_ingest_refused(tmp_path: Path):
    store = tmp_path / "store"
    assert _run("--store", store, "ingest").returncode == 0
    with served(store) as (base, _):
        query = _run("--store", store, "query", "ratifications", "-p", "instrument=C182", "--format", "csv")
        assert query.returncode == 0, query.stderr
        assert len(query.stdout.strip().splitlines()) == 1 + 8  # the heading and C182's eight acts
        export = _run("--store", store, "export", "--format", "nquads", "-o", tmp_path / "dump.nq")
        assert export.returncode == 0, export.stderr
        assert (tmp_path / "dump.nq").stat().st_size > 1_000_000
        validate = _run("--store", store, "validate")
        assert validate.returncode == 0, validate.stderr
        dry = _run("--store", store, "ingest", "--dry-run")  # a dry run only reads
        assert dry.returncode == 0 and "0 new, 0 changed, 0 removed" in dry.stdout, dry.stderr
        started = time.monotonic()
        ingest = _run("--store", store, "ingest")
        assert ingest.returncode == 2 and "a running 'mandato serve' reads the store" in ingest.stderr
        assert "reading reference data" not in ingest.stderr and time.monotonic() - started < 10  # refused at once
        r = httpx.get(f"{base}/queries/ratifications", params={"instrument": "C182"})
        assert r.status_code == 200 and len(r.json()) == 8  # the server still answers
    assert _run("--store", store, "ingest").returncode == 0  # the server stopped: ingest works again
