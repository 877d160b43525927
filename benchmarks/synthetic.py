"""A synthetic corpus for benchmarks: documents in the layouts the readers take, at any size,
deterministic from a seed. The readers are exercised, not bypassed: `mandato ingest DIR` reads it.

The bundled corpus, and two kinds of synthetic document (about 80 % plans, 20 % tables):
- national plans in the layout of Peru's Plan Nacional (layout ``national-plan-frame``): the bundled plan
  with a new period, and each page of its action matrix repeated with renumbered objectives and
  actions (``--copies`` per plan) and varied wording;
- ratification tables in the layout of the Regional Coalition's strategic plan
  (layout ``coalition-ratification-tables``): two universal and two regional instruments per document, a
  row per state, random dates and marks; each (state, instrument) pair is stated once in the whole corpus.

The bundled registry knows only the states and instruments the bundled corpus names, and a reader
given a state it does not know stops with an error, by design. So the generator also writes
reference data (``OUT_DIR/reference``: the bundled one with synthetic states up to the 193 UN
members and synthetic conventions up to 60), read with ``mandato ingest --reference``. Size comes
from the number of plans; the tables stop when every instrument is used (about 375k triples).

    python benchmarks/synthetic.py OUT_DIR --triples 100000 [--seed 7]
    mandato ingest OUT_DIR --reference OUT_DIR/reference
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
from pathlib import Path

import yaml

from mandato.packaged import CORPUS_DIR, REFERENCE_DIR
from mandato.registry import Registry, load_registry
from mandato.resolve import Entry

PERU = CORPUS_DIR / "pe-plan-nacional-trata-2017-2021.txt"
PAGE = re.compile(r"^## Objetivo estratégico (\d+):", re.IGNORECASE)
NOTATION = re.compile(r"<b>(\d+)\.(\d+)((?:\.\d+)?)(\.?)</b>")
VERBS = ["Fortalecer", "Promover", "Implementar", "Articular", "Difundir", "Evaluar", "Capacitar", "Coordinar"]
# Triples a document adds, measured on this generator's output (used to pick document counts),
# with each statement's provenance (a statement node and its citation: about 4 triples a fact).
# An act costs 66 in its table (the act, its attestation, the row's coverage) and 20 in the
# reconciled graph.
TRIPLES_PER_PLAN_COPY = 9125
TRIPLES_PER_ACT = 86
STATES = 193  # the UN member states
INSTRUMENTS = 60
INSTRUMENTS_PER_TABLE = 4


def national_plan(rng: random.Random, copies: int, start: int) -> str:
    """The bundled national plan with a new period and its matrix pages repeated ``copies`` times."""
    lines = PERU.read_text(encoding="utf-8").splitlines()
    lines[lines.index("2017-2021")] = f"{start}-{start + 4}"
    first = next(i for i, t in enumerate(lines) if PAGE.match(t))
    closing = next(i for i, t in enumerate(lines) if t.startswith("# ¿CÓMO IMPLEMENTAMOS"))
    pages = lines[first:closing]
    out = lines[:first]
    for copy in range(copies):
        for text in pages:
            if PAGE.match(text) or "\t" not in text:
                out.append(text)
                continue
            shift = 20 * copy
            text = NOTATION.sub(lambda m, k=shift: f"<b>{m.group(1)}.{int(m.group(2)) + k}{m.group(3)}{m.group(4)}</b>",
                                text)
            if copy:
                text = re.sub(r"(</b> )([A-ZÁÉÍÓÚ][a-záéíóú]+)", lambda m: m.group(1) + rng.choice(VERBS), text,
                              count=1)
            out.append(text)
    return "\n".join(out + lines[closing:]) + "\n"


def reference(directory: Path) -> Path:
    """The bundled reference data with synthetic states up to the 193 UN members and synthetic
    conventions up to ``INSTRUMENTS``, in ``directory/reference`` (``mandato ingest --reference``)."""
    out = directory / "reference"
    shutil.copytree(REFERENCE_DIR, out, dirs_exist_ok=True)
    for path in out.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    registry = load_registry()
    with (out / "countries.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for n in range(STATES - len(registry.countries.entries)):
            writer.writerow([f"X{n:03d}", f"XX{n:03d}", f"Estado sintético {n:03d}", f"Synthetic State {n:03d}",
                             "", ""])
    entries = []
    for n in range(INSTRUMENTS - len(registry.instruments.entries)):
        regional = n % 2 == 1  # half of them regional: every table has both sections
        entries.append({
            "key": f"{'oas' if regional else 'un'}-syn-{n:02d}", "kind": "Convention",
            "depositary": "oas" if regional else "un", "depositary_id": f"SYN-{n:02d}", "adopted": str(1950 + n),
            "name": {"es": f"Convención sintética {n:02d}", "en": f"Synthetic Convention {n:02d}"}})
    with (out / "instruments.yaml").open("a", encoding="utf-8") as fh:
        fh.write(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))
    return out


def ratification_tables(rng: random.Random, registry: Registry, instruments: list[Entry]) -> str:
    """Table A (UN and ILO instruments, day first) and table B (OAS instruments, month first with
    deposit dates) for the given instruments, a row per state of the registry, random acts; about
    15 % of cells are empty."""
    countries = sorted({e.label for e in registry.countries.entries.values()})
    regional = [e for e in instruments if "/instrument/oas-" in e.iri]
    universal = [e for e in instruments if e not in regional]
    a = ["A. INSTRUMENTOS INTERNACIONALES", "", "Instrumento\tPaís\tFecha de Ratificación, adhesión (a)"]
    for entry in universal:
        for n, country in enumerate(countries):
            cells = [f"<i>{entry.label}</i>" if n == 0 else "", country, ""]
            if rng.random() > 0.15:
                day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1960, 2020)
                cells[2] = f"{day:02d} /{month:02d}/ {year}" + (" a" if rng.random() < 0.3 else "")
            a.append("\t".join(cells))
        a.append("")
    b = ["B. INSTRUMENTOS REGIONALES", "",
         "Instrumento\tPaís\tFecha de Ratificación, adhesión (a)\tFecha de depósito del instrumento"]
    for entry in regional:
        for n, country in enumerate(countries):
            cells = [f"<i>{entry.label}</i>" if n == 0 else "", country, "", ""]
            if rng.random() > 0.15:
                month, day, year = rng.randint(1, 12), rng.randint(1, 28), rng.randint(60, 99)
                cells[2] = f"{month:02d}/{day:02d}/{year:02d}"
                cells[3] = f"{month:02d}/{day:02d}/{year:02d} " + rng.choice(["RA", "AD"])
            b.append("\t".join(cells))
        b.append("")
    return "\n".join([*a, *b, "C. ACUERDOS REGIONALES", ""]) + "\n"


def generate(directory: Path, triples: int, seed: int = 7, copies: int = 4) -> list[dict]:
    """Write about ``triples`` triples' worth of documents, their manifest and their reference
    data to ``directory``. Each (state, instrument) pair is stated at most once, as a depositary's
    table would: tables take up to a fifth of the triples, plans the rest."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    registry = load_registry(reference(directory))
    instruments = sorted(registry.instruments.entries.values(), key=lambda e: e.iri)
    regional = [e for e in instruments if "/instrument/oas-" in e.iri]
    universal = [e for e in instruments if e not in regional]
    rng.shuffle(regional)
    rng.shuffle(universal)
    half = INSTRUMENTS_PER_TABLE // 2  # of each section: the reader expects both
    per_table = TRIPLES_PER_ACT * 0.85 * len(registry.countries.entries) * INSTRUMENTS_PER_TABLE
    tables = min(len(regional) // half, len(universal) // half, max(1, round(triples * 0.2 / per_table)))
    plans = max(1, round((triples - tables * per_table) / (TRIPLES_PER_PLAN_COPY * copies)))
    # The bundled corpus comes too: the saved queries' examples name its plans and activities.
    manifest = yaml.safe_load((CORPUS_DIR / "sources.yaml").read_text(encoding="utf-8"))
    shutil.copytree(CORPUS_DIR, directory, dirs_exist_ok=True)
    for n in range(plans):
        sid = f"pe-plan-sintetico-{n:04d}"
        (directory / f"{sid}.txt").write_text(national_plan(rng, copies, 1990 + n % 30), encoding="utf-8")
        manifest.append({"id": sid, "file": f"{sid}.txt", "title": f"Plan sintético {n}", "jurisdiction": "PE",
                         "layout": "national-plan-frame"})
    for n in range(tables):
        sid = f"tablas-ratificacion-sinteticas-{n:04d}"
        chosen = universal[n * half:(n + 1) * half] + regional[n * half:(n + 1) * half]
        (directory / f"{sid}.txt").write_text(ratification_tables(rng, registry, chosen), encoding="utf-8")
        manifest.append({"id": sid, "file": f"{sid}.txt", "title": f"Tablas sintéticas {n}",
                         "layout": "coalition-ratification-tables"})
    (directory / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--copies", type=int, default=4, help="matrix pages per plan, repeated")
    args = parser.parse_args()
    manifest = generate(args.out, args.triples, args.seed, args.copies)
    print(f"{len(manifest)} documents in {args.out}; ingest with --reference {args.out / 'reference'}")


if __name__ == "__main__":
    main()
