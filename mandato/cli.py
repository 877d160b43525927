"""The ``mandato`` command line: thin commands over plain functions (STYLE 9).

Output goes to stdout so that commands pipe; progress and findings go to stderr.
Exit codes: 0 success (validate: the data conforms), 1 validate found violations,
2 an error (bad input, unknown query or parameter, unreadable store).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mandato import __version__
from mandato.errors import MandatoError

EPILOG = "The store is --store DIR, else $MANDATO_STORE, else ./mandato-store."
ROW_FORMAT_CHOICES = ("table", "csv", "tsv", "json", "srj", "srx")
GRAPH_FORMAT_CHOICES = ("turtle", "jsonld", "ntriples", "rdfxml")


def _store(args: argparse.Namespace, must_exist: bool = True):
    from mandato.store import Store, store_path

    return Store(store_path(args.store), must_exist=must_exist)


def cmd_ingest(args: argparse.Namespace) -> int:
    from mandato.pipeline import build, load_manifest, sources_for, write

    sources = sources_for(args.paths, args.reader) if args.paths else load_manifest()
    graphs, reports = build(sources)  # everything is read before the store is opened
    write(_store(args, must_exist=False), graphs)
    for r in reports:
        print(f"{r.source.id}: {r.triples} triples, {r.treaty_actions} treaty actions, {len(r.findings)} findings")
        for f in r.findings:
            print(f"  finding in {f.source or r.source.id}, {f}", file=sys.stderr)
    total = sum(len(g) for g in graphs.values())
    print(f"ingested {len(sources)} sources: {total} triples in {len(graphs)} graphs (with ontology and registry)")
    return 0


def _params(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise MandatoError(f"-p takes KEY=VALUE, got '{pair}'")
        out[key.strip()] = value
    return out


def cmd_query(args: argparse.Namespace) -> int:
    from mandato.catalogue import run
    from mandato.results import Triples, render

    result = run(_store(args), args.name, _params(args.param))
    fmt = args.format or ("turtle" if isinstance(result, Triples) else "table")
    if isinstance(result, Triples) != (fmt in GRAPH_FORMAT_CHOICES):
        kind = "a graph" if isinstance(result, Triples) else "rows"
        choices = GRAPH_FORMAT_CHOICES if isinstance(result, Triples) else ROW_FORMAT_CHOICES
        raise MandatoError(f"the query '{args.name}' returns {kind}; use --format {'|'.join(choices)}")
    sys.stdout.buffer.write(render(result, fmt))
    sys.stdout.flush()
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from mandato.catalogue import load_catalogue

    for q in load_catalogue().values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}:{p.type}" for p in q.params)
        print(f"{q.name}({params})\n    {q.summary}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from mandato.validation import render_report, validate

    report = validate(_store(args))
    sys.stdout.write(render_report(report, args.format))
    return 0 if report.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    from mandato.export import export

    store = _store(args)
    if args.output:
        with open(args.output, "wb") as fh:
            export(store, args.format, fh)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        export(store, args.format, sys.stdout.buffer)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mandato.api.app import create_app

    app = create_app(_store(args))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def parser() -> argparse.ArgumentParser:
    from mandato.ingest import READERS
    from mandato.results import DATASET_FORMATS

    p = argparse.ArgumentParser(
        prog="mandato", epilog=EPILOG,
        description="A knowledge graph of the actors, laws and commitments against human trafficking "
        "and the commercial sexual exploitation of children in Latin America.",
    )
    p.add_argument("--version", action="version", version=f"mandato {__version__}")
    p.add_argument("--store", metavar="DIR", help="store directory (default: $MANDATO_STORE or ./mandato-store)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", help="read sources into the store (the bundled corpus by default)", epilog=EPILOG,
                       description="Read source documents into the store, one named graph per source, replacing "
                       "what an earlier ingest of the same sources wrote. Nothing is written unless every "
                       "source reads without error. Prints counts and findings.")
    s.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="a corpus directory with sources.yaml, or documents (default: the bundled corpus)")
    s.add_argument("--reader", choices=sorted(READERS), help="the reader for documents listed in no manifest")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("query", help="run a saved query", epilog=EPILOG,
                       description="Run a saved query of queries/ by name; 'mandato queries' lists them.")
    s.add_argument("name", metavar="NAME")
    s.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter, e.g. -p instrument='Protocolo de Palermo' (repeatable)")
    s.add_argument("--format", choices=(*ROW_FORMAT_CHOICES, *GRAPH_FORMAT_CHOICES), default=None,
                   help="table (default for rows), csv, tsv, json, srj (SPARQL JSON), srx (SPARQL XML); "
                   "for queries that return a graph: turtle (default), jsonld, ntriples, rdfxml")
    s.set_defaults(func=cmd_query)

    s = sub.add_parser("queries", help="list the saved queries with their parameters")
    s.set_defaults(func=cmd_queries)

    s = sub.add_parser("validate", help="check the data against the SHACL shapes", epilog=EPILOG,
                       description="Validate every graph against shapes/. Exit 0: conforms (warnings allowed); "
                       "1: violations; 2: error.")
    s.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("export", help="write the whole dataset", epilog=EPILOG,
                       description="Write the dataset. trig, nquads and jsonld keep the named graphs; turtle, "
                       "ntriples and rdfxml hold the union of all graphs.")
    s.add_argument("--format", choices=sorted(DATASET_FORMATS), default="trig")
    s.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("serve", help="serve the API over HTTP", epilog=EPILOG)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except MandatoError as exc:
        print(f"mandato: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
