"""A wheel works outside the repository: it carries the ontology, shapes, saved queries, the
built-in layouts, the bundled corpus with its curated facts, the reference data and the OpenAPI
page's assets."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import HERE
from mandato.api.app import STATIC_DIR
from mandato.ingest.layouts import LAYOUT_DIR
from mandato.packaged import CORPUS_DIR, CURATED_DIR, QUERIES_DIR, REFERENCE_DIR, SHAPES_DIR


def test_the_wheel_carries_every_data_file(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(HERE.parent)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("mandato-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"mandato/ontology/mandato.ttl", "mandato/ingest/plan_matrices.yaml", "mandato/py.typed"}
    expected |= {f"mandato/ingest/layouts/{p.name}" for p in LAYOUT_DIR.glob("*.yaml")}
    expected |= {f"mandato/data/corpus/curated/{p.name}" for p in CURATED_DIR.glob("*.yaml")}
    expected |= {f"mandato/api/static/swagger-ui/{p.name}" for p in STATIC_DIR.joinpath("swagger-ui").iterdir()}
    expected |= {f"mandato/queries/{p.name}" for p in QUERIES_DIR.glob("*.rq")}
    expected |= {f"mandato/shapes/{p.name}" for p in SHAPES_DIR.glob("*.ttl")}
    expected |= {f"mandato/data/corpus/{p.name}" for p in CORPUS_DIR.iterdir() if p.is_file()}
    expected |= {f"mandato/data/{p.relative_to(REFERENCE_DIR.parent)}" for p in REFERENCE_DIR.rglob("*") if p.is_file()}
    assert expected - names == set()
    assert len([n for n in names if n.startswith("mandato/data/corpus/") and n.endswith(".txt")]) == 5
