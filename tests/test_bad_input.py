"""Bad input: ingest stops with file, line, cell and the expected form, exits 2, and the store
keeps its previous content (STYLE 11: the file name says what is wrong)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from conftest import HERE, same_dataset
from mandato.store import Store

INPUTS = HERE / "inputs" / "ratification-tables"
CASES = {
    "truncated-row.txt": ("line 7, cell 3", "the row has 2 cells"),
    "impossible-date.txt": ("line 8, cell 3", "31/02/2001 is not a date of the calendar"),
    "unknown-country.txt": ("line 7, cell 2", "no country is known as 'Atlántida'"),
    "unknown-instrument.txt": ("line 6, cell 1", "unknown instrument"),
    "undecidable-order.txt": ("line 16", "day/month order cannot be decided"),
    "extra-cell.txt": ("line 7, cell 4", "more cells than the table has columns"),
}


def dump(path: Path) -> Dataset:
    """The dataset of the store at ``path``."""
    ds = Dataset()
    ds.parse(data=Store(path, must_exist=True).dump(ox.RdfFormat.N_QUADS), format="nquads")
    return ds


@pytest.fixture
def loaded(tmp_path: Path, cli) -> Path:
    store = tmp_path / "store"
    code, out, _ = cli("--store", store, "ingest", INPUTS / "valid.txt", "--layout", "coalition-ratification-tables")
    assert code == 0, out
    assert "6 treaty actions" in out
    return store


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_is_refused_and_store_is_unchanged(name: str, loaded: Path, cli):
    before = dump(loaded)
    code, _, err = cli("--store", loaded, "ingest", INPUTS / name, "--layout", "coalition-ratification-tables")
    where, what = CASES[name]
    assert code == 2
    assert f"{name}, {where}" in err
    assert what in err
    assert "expected" in err or "cannot be decided" in err
    assert same_dataset(dump(loaded), before)


def test_a_broken_source_among_good_ones_writes_nothing(tmp_path: Path, cli):
    store = tmp_path / "store"
    code, _, err = cli("--store", store, "ingest", INPUTS / "valid.txt", INPUTS / "impossible-date.txt",
                       "--layout", "coalition-ratification-tables")
    assert code == 2 and "impossible-date.txt, line 8" in err
    assert not store.exists()  # sources are all read before the store is opened


def test_a_document_in_no_manifest_needs_a_layout(tmp_path: Path, cli):
    code, _, err = cli("--store", tmp_path / "s", "ingest", INPUTS / "valid.txt")
    assert code == 2 and "--layout" in err


def test_a_missing_file_is_reported(tmp_path: Path, cli):
    code, _, err = cli("--store", tmp_path / "s", "ingest", tmp_path / "nope.txt")
    assert code == 2 and "nope.txt: no such file" in err
