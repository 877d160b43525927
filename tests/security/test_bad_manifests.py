"""Tracebacks instead of clear errors (hardening, item 7): every broken manifest is
`mandato: error: …` naming the manifest and the entry, exit 2, and the store as it was; a
manifest cannot make ingest read a file outside its directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mandato.packaged import CORPUS_DIR

PERU = (CORPUS_DIR / "pe-plan-nacional-trata-2017-2021.txt").read_text(encoding="utf-8")
ENTRY = "- id: plan\n  file: plan.txt\n  title: Plan\n  jurisdiction: PE\n  layout: national-plan-frame\n"


@pytest.mark.parametrize("manifest, says", [
    ("id: plan\nfile: plan.txt\n", "not a list"),
    ("- just a string\n", "entry 1: is a str"),
    ("- id: plan\n  title: Plan\n  layout: national-plan-frame\n", "entry 1: has no 'file'"),
    ("- file: plan.txt\n  title: Plan\n  layout: national-plan-frame\n", "entry 1: has no 'id'"),
    (ENTRY.replace("national-plan-frame", "[national-plan-frame]"), "'layout' is ['national-plan-frame']"),
    (ENTRY.replace("national-plan-frame", "nope"), "unknown layout 'nope'"),
    (ENTRY.replace("national-plan-frame", "../nope.yaml"), "outside the manifest's directory"),
    (ENTRY.replace("national-plan-frame", "mine.yaml"), "no layout file 'mine.yaml'"),
    (ENTRY.replace("  jurisdiction: PE\n", ""), "has the plan layout 'national-plan-frame' but no jurisdiction"),
    (ENTRY.replace("PE", "Peru"), "'jurisdiction' is 'Peru'"),
    (ENTRY + "  plan: {titel: X}\n", "'plan' has unknown facts ['titel']"),
    (ENTRY + "  readers: [peru-plan]\n", "names 'readers', which layouts replaced"),
    (ENTRY.replace("plan.txt", "../secret.txt"), "outside the manifest's directory"),
    (ENTRY.replace("plan.txt", "/etc/hostname"), "outside the manifest's directory"),
    ("- id: [1, 2]\n  file: plan.txt\n  title: Plan\n", "'id' is not text"),
    (ENTRY.replace("id: plan", "id: '!!!'"), "the id '!!!' cannot be part of an IRI"),
    ("[unclosed\n", "cannot read the corpus manifest"),
])
def test_broken_manifest_is_a_clear_error(cli, tmp_path: Path, manifest: str, says: str):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(PERU, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(PERU, encoding="utf-8")
    (corpus / "sources.yaml").write_text(manifest, encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 2 and err.startswith("mandato: error: ") and says in err, err
    assert "Traceback" not in err and "sources.yaml" in err
    assert not (tmp_path / "store").exists()  # nothing was written
