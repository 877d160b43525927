"""Shared fixtures: a real Oxigraph store on disk with the bundled corpus ingested once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mandato.cli import main
from mandato.pipeline import ingest, load_manifest
from mandato.store import Store

HERE = Path(__file__).parent
REGEN = os.environ.get("MANDATO_REGEN_GOLDEN") == "1"


@pytest.fixture(scope="session")
def corpus_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "corpus"
    store = Store(path)
    ingest(store, load_manifest(), progress=lambda _msg: None)
    del store
    return path


@pytest.fixture(scope="session")
def corpus_store(corpus_store_path: Path) -> Store:
    return Store(corpus_store_path, read_only=True)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """Run the real command line in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
