"""The benchmark suite is not part of the tests; a small smoke run of it is (issue 7)."""

from __future__ import annotations

import subprocess
import sys

from conftest import HERE
from mandato.catalogue import load_catalogue

BENCHMARKS = HERE.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import synthetic  # noqa: E402


def test_the_synthetic_corpus_is_deterministic_from_its_seed(tmp_path):
    first = synthetic.generate(tmp_path / "a", 30_000, seed=3)
    second = synthetic.generate(tmp_path / "b", 30_000, seed=3)
    synthetic.generate(tmp_path / "c", 30_000, seed=4)
    assert first == second and len(first) > 5
    names = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert any(n.parts[0] == "reference" for n in names)  # the states and instruments the tables name
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    assert any((tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes() for n in names)


def test_smoke_run_prints_every_figure():
    run = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--smoke"], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "### smoke:" in out and "triples/s" in out and "re-validation" in out
    assert "Machine speed: " in out  # runs on a shared machine compare by it
    assert "first answer after" in out and "rdflib baseline" in out and "rdflib-endpoint" in out
    assert "1 changed graph" in out and "checked again" in out  # re-validation was incremental
    for name in load_catalogue():
        assert f"| `{name}` |" in out
    # The goals of issue 15, each against its peer or limit.
    assert "| goal (issue 15) | mandato | peer or limit | ratio |" in out
    assert "`oxigraph load`, same N-Quads:" in out and ("pySHACL, rdflib graph:" in out or "pySHACL on an" in out)
    # A large answer against the best hand-written SPARQL for the same rows (benchmarks/hand-written).
    for name in ("findings", "ratification-matrix"):
        assert f"| `{name}` (a large answer) p50 in-process, ms |" in out, name
