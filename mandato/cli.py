"""The ``mandato`` command line: thin commands over plain functions (STYLE 9).

Output goes to stdout so that commands pipe; progress and findings go to stderr.
Exit codes: 0 success (validate: the data conforms), 1 validate found violations,
2 an error (bad input, unknown query or parameter, unreadable store).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from mandato import __version__
from mandato.errors import MandatoError, StoreError

EPILOG = ("The store is --store DIR, else $MANDATO_STORE, else ./mandato-store; with --endpoint URL (or "
          "$MANDATO_ENDPOINT), query, validate, export and serve use that remote SPARQL store instead.")
ROW_FORMAT_CHOICES = ("table", "csv", "tsv", "json", "srj", "srx")
GRAPH_FORMAT_CHOICES = ("turtle", "jsonld", "ntriples", "rdfxml")


def _endpoint(args: argparse.Namespace):
    from mandato.endpoint import Endpoint

    return Endpoint.from_options(args.endpoint, args.update_endpoint, args.graph_store)


def _store(args: argparse.Namespace):
    """The remote store when an endpoint is named (option or environment), else the embedded one."""
    from mandato.remote import RemoteStore

    endpoint = _endpoint(args)
    return RemoteStore(endpoint) if endpoint is not None else _local(args)


def _local(args: argparse.Namespace, must_exist: bool = True):
    """The embedded store; read-only while a `mandato serve` reads it (commands that only read)."""
    from mandato.store import ServeLock, Store, store_path

    path = store_path(args.store)
    return Store(path, must_exist=must_exist, read_only=must_exist and ServeLock(path).held())


def _writable(args: argparse.Namespace, must_exist: bool = True):
    """The embedded store, to write: refused at once while a `mandato serve` reads it."""
    from mandato.store import ServeLock, Store, store_path

    path = store_path(args.store)
    if ServeLock(path).held():
        raise StoreError(f"a running 'mandato serve' reads the store at {path}: stop it, ingest, and start it "
                         "again (or ingest into another --store and serve that one)")
    return Store(path, must_exist=must_exist)


def cmd_ingest(args: argparse.Namespace) -> int:
    from mandato.pipeline import build, check_plan_keys, load_manifest, reconcile, sources_for, triple_count, write
    from mandato.store import store_path

    dry = args.dry_run or args.annotate  # a dry run only reads: it runs beside a server too
    opened = _local if dry else _writable
    existing = opened(args) if store_path(args.store).exists() else None  # a new store is made only to write
    sources = sources_for(args.paths, args.layout, args.jurisdiction) if args.paths else load_manifest()
    kept = existing.added_reference() if existing is not None and not args.drop_reference else None
    reference = args.reference or kept
    if kept is not None and not args.reference:
        print("the reference data an earlier ingest added is kept (--drop-reference drops it)", file=sys.stderr)
    if dry:
        return _dry_run(args, sources, existing, reference)
    graphs, reports = build(sources, reference=reference)  # everything is read before the store is written
    check_plan_keys(existing, reports)
    reports.append(reconcile(existing, graphs, reports, reference))
    _refuse_violations(graphs, existing, sources)  # as the dry run reports them: the two agree
    store = existing or _writable(args, must_exist=False)
    write(store, graphs)
    if args.reference or args.drop_reference:
        store.keep_reference(args.reference)
    for r in reports:
        print(f"{r.source.id}: {r.triples} triples, {r.treaty_actions} treaty actions, {len(r.findings)} findings")
        for f in r.findings:
            print(f"  finding in {f.source or r.source.id}, {f}", file=sys.stderr)
    total = triple_count(graphs)
    print(f"ingested {len(sources)} sources: {total} triples in {len(graphs)} graphs (with ontology and registry)")
    return 0


def _refuse_violations(graphs: dict[str, bytes], existing, sources: list) -> None:
    """Refuse, before the store is written, the sources whose nodes would break a shape (a
    Violation) in the dataset as it would be: what the dry run reports as an error."""
    from mandato.errors import IngestError
    from mandato.review import shape_problems

    errors = [p for problems in shape_problems(graphs, existing, sources).values() for p in problems
              if p.severity == "error"]
    if not errors:
        return
    for problem in errors:
        print(f"  {problem}", file=sys.stderr)
    more = f"; and {len(errors) - 1} more, listed above" if len(errors) > 1 else ""
    raise IngestError(errors[0].location, f"{errors[0].message} [shape]{more}; nothing was written",
                      "data that meets the shapes (shapes/): `mandato ingest --dry-run` lists every problem")


def _dry_run(args: argparse.Namespace, sources: list, store, reference) -> int:
    from mandato.review import annotate, refuse_own_input, review

    if args.annotate:  # before anything is read
        refuse_own_input(sources, args.annotate)
    reviews = review(sources, store, reference)
    print("dry run: nothing was written")
    for item in reviews:
        print(item.summary())
        for line in item.listing():
            print(f"  {line}")
        for problem in item.problems:
            print(f"  {problem}")
    if args.annotate:
        lacks = annotate(reviews, args.annotate)
        print(f"wrote {args.annotate}", file=sys.stderr)
        for warning in lacks:
            print(f"mandato: warning: {warning}", file=sys.stderr)
    return 1 if any(p.severity == "error" for r in reviews for p in r.problems) else 0


def cmd_layouts(args: argparse.Namespace) -> int:
    from mandato.ingest.layouts import builtin_layouts

    lang = args.lang
    for name, layout in builtin_layouts().items():
        print(f"{name}  [{layout.scope}; {', '.join(layout.formats)}; {' + '.join(layout.engines)}]")
        print(f"  {layout.title[lang]}")
        print(textwrap.fill(layout.expects[lang], width=100, initial_indent="  ", subsequent_indent="  "))
        print()
    print("Copy a layout file from " + str(next(iter(builtin_layouts().values())).path.parent) + " beside your "
          "manifest to adapt it (layout: my-layout.yaml).")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from mandato.registry import load_registry
    from mandato.templates import write_template

    write_template(args.kind, args.output, load_registry())
    print(f"wrote the {args.kind} template to {args.output}", file=sys.stderr)
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
    from mandato.results import Triples, raw_format, render

    result = run(_store(args), args.name, _params(args.param))
    fmt = args.format or ("turtle" if isinstance(result, Triples) else "table")
    if isinstance(result, Triples) != (fmt in GRAPH_FORMAT_CHOICES):
        kind = "a graph" if isinstance(result, Triples) else "rows"
        choices = GRAPH_FORMAT_CHOICES if isinstance(result, Triples) else ROW_FORMAT_CHOICES
        raise MandatoError(f"the query '{args.name}' returns {kind}; use --format {'|'.join(choices)}")
    sys.stdout.buffer.write(render(result, raw_format(fmt) if args.raw else fmt))
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

    report = validate(_store(args), full=args.full)
    print(f"validated: {report.scope}", file=sys.stderr)
    sys.stdout.write(render_report(report, args.format))
    return 0 if report.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    from mandato.export import export
    from mandato.files import replaced_atomically

    store = _store(args)
    if args.output:
        with replaced_atomically(Path(args.output)) as fh:  # a failed export leaves no half-written file
            export(store, args.format, fh, args.graph)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        export(store, args.format, sys.stdout.buffer, args.graph)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from mandato.remote import RemoteStore, push

    endpoint = _endpoint(args)
    if endpoint is None:
        raise MandatoError("push needs --endpoint URL (or MANDATO_ENDPOINT)")
    done = push(_local(args), RemoteStore(endpoint), progress=lambda m: print(m, file=sys.stderr))
    target = endpoint.graph_store or endpoint.update or endpoint.query
    print(f"pushed {len(done)} graphs, {sum(n for _, n in done)} triples to {target}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from mandato.api.app import create_app
    from mandato.api.http import Settings
    from mandato.endpoint import Endpoint
    from mandato.store import ServeLock, Store, store_path

    base_url = os.environ.get("MANDATO_BASE_URL") or f"http://{args.host}:{args.port}"
    if Endpoint.from_options(args.endpoint, args.update_endpoint, args.graph_store) is not None:
        store = _store(args)
    else:  # read-only, so that query, export and validate run beside the server
        path = store_path(args.store)
        store = Store(path, must_exist=True, read_only=True)
        ServeLock(path).hold()
    from mandato.api.server import run

    settings = Settings(base_url=base_url)
    run(create_app(store, settings), settings, args.host, args.port, args.access_log)
    return 0


def _store_options(p: argparse.ArgumentParser, default: object) -> None:
    p.add_argument("--store", metavar="DIR", default=default,
                   help="store directory (default: $MANDATO_STORE or ./mandato-store)")
    p.add_argument("--endpoint", metavar="URL", default=default,
                   help="a remote SPARQL 1.1 query endpoint to use instead of the store ($MANDATO_ENDPOINT)")
    p.add_argument("--update-endpoint", metavar="URL", default=default,
                   help="its SPARQL Update URL, where it differs ($MANDATO_UPDATE_ENDPOINT)")
    p.add_argument("--graph-store", metavar="URL", default=default,
                   help="its Graph Store Protocol URL, for push ($MANDATO_GRAPH_STORE)")


def layout_names() -> list[str]:
    """The built-in layouts, by their files' names: reading them (``builtin_layouts``) imports
    every reader, a tenth of a second that `mandato serve` would wait for at each start."""
    spec = importlib.util.find_spec("mandato.ingest")  # its folder, without importing the readers
    assert spec is not None and spec.submodule_search_locations
    return sorted(p.stem for p in (Path(next(iter(spec.submodule_search_locations))) / "layouts").glob("*.yaml"))


def parser() -> argparse.ArgumentParser:
    from mandato.results import DATASET_FORMATS

    p = argparse.ArgumentParser(
        prog="mandato", epilog=EPILOG,
        description="A knowledge graph of the actors, laws and commitments against human trafficking "
        "and the commercial sexual exploitation of children in Latin America.",
    )
    p.add_argument("--version", action="version", version=f"mandato {__version__}")
    _store_options(p, None)
    common = argparse.ArgumentParser(add_help=False)
    _store_options(common, argparse.SUPPRESS)  # also after the command; never overrides the global value
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", parents=[common], epilog=EPILOG,
                       help="read sources into the store (the bundled corpus by default)",
                       description="Read source documents into the store, one named graph per source, replacing "
                       "what an earlier ingest of the same sources wrote. Nothing is written unless every "
                       "source reads without error and the data meets the shapes (a violation is refused, as "
                       "--dry-run reports it). Prints counts and findings.")
    s.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="a corpus directory with sources.yaml, or documents (default: the bundled corpus)")
    s.add_argument("--layout", choices=layout_names(), metavar="LAYOUT",
                   help="the built-in layout of documents listed in no manifest ('mandato layouts' lists them)")
    s.add_argument("--jurisdiction", metavar="CC",
                   help="with --layout: the ISO 3166-1 alpha-2 code of the country whose plan the document is")
    s.add_argument("--reference", type=Path, metavar="DIR",
                   help="reference data added to the bundled data/reference, in its layout (countries.csv, "
                   "instruments.yaml, organizations.yaml, actors/XX.yaml: only the tables you add to); a row "
                   "whose key the bundled data holds replaces it; kept with the store for later ingests until "
                   "another --reference replaces it")
    s.add_argument("--dry-run", action="store_true",
                   help="read and check everything as the ingest does (layouts, reconciliation with the store, "
                   "shapes), write nothing: per source, the nodes that would be new, changed or removed (label "
                   "and IRI), and every problem with its file, sheet, row and column; exit 1 when a problem is an "
                   "error (which the "
                   "ingest refuses), 2 when the manifest or a layout is bad")
    s.add_argument("--annotate", type=Path, metavar="OUT.xlsx",
                   help="with --dry-run (implied): write the workbook being read to OUT.xlsx with each problem as a "
                   "comment on its cell, red for errors, yellow for warnings (a copy: never the workbook itself; "
                   "formulas written as their values)")
    s.add_argument("--drop-reference", action="store_true",
                   help="drop the reference data an earlier ingest added (read with the bundled data alone)")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("layouts", help="list the built-in layouts of source documents",
                       description="List the built-in layouts a manifest entry can name (layout: NAME), with the "
                       "engines that read them and what each expects of a document.")
    s.add_argument("--lang", choices=("es", "en"), default="en", help="the language of the descriptions")
    s.set_defaults(func=cmd_layouts)

    s = sub.add_parser("template", help="write an empty template a curator fills (plan, treaty actions, bodies)",
                       description="Write an empty workbook (.xlsx: facts, headings, drop-downs of the reference "
                       "data) or a CSV heading row that 'mandato ingest' reads back once filled: plan (layout "
                       "plan-table), treaty-actions (layout treaty-actions) or bodies (a country's actors, for "
                       "--reference DIR as actors/XX.xlsx).")
    s.add_argument("kind", choices=("plan", "treaty-actions", "bodies"))
    s.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="FILE.xlsx or FILE.csv")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("query", parents=[common], help="run a saved query", epilog=EPILOG,
                       description="Run a saved query of queries/ by name; 'mandato queries' lists them.")
    s.add_argument("name", metavar="NAME")
    s.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter, e.g. -p instrument='Protocolo de Palermo' (repeatable)")
    s.add_argument("--format", choices=(*ROW_FORMAT_CHOICES, *GRAPH_FORMAT_CHOICES), default=None,
                   help="table (default for rows), csv, tsv, json, srj (SPARQL JSON), srx (SPARQL XML); "
                   "for queries that return a graph: turtle (default), jsonld, ntriples, rdfxml")
    s.add_argument("--raw", action="store_true",
                   help="csv and tsv: the values as stored, for programs; without it, a value a spreadsheet "
                   "would run as a formula (=, +, -, @, tab or CR first, not a number) is written with a "
                   "leading apostrophe, as text (the other formats always give the values as stored)")
    s.set_defaults(func=cmd_query)

    s = sub.add_parser("queries", parents=[common], help="list the saved queries with their parameters")
    s.set_defaults(func=cmd_queries)

    s = sub.add_parser("validate", parents=[common], help="check the data against the SHACL shapes", epilog=EPILOG,
                       description="Validate every graph against shapes/. The embedded store keeps its last "
                       "report: after an ingest only the nodes a changed graph can affect are checked again "
                       "(stderr says how many). Exit 0: conforms (warnings allowed); 1: violations; 2: error.")
    s.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    s.add_argument("--full", action="store_true", help="check every node again, ignoring the last report")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("export", parents=[common], help="write the whole dataset", epilog=EPILOG,
                       description="Write the dataset, or one named graph. trig, nquads and jsonld keep the named "
                       "graphs; turtle, ntriples and rdfxml hold the union of all graphs.")
    s.add_argument("--format", choices=sorted(DATASET_FORMATS), default="trig")
    s.add_argument("--graph", metavar="IRI", help="write only this named graph (its IRI, as /dataset/void lists them)")
    s.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("push", parents=[common], epilog=EPILOG,
                       help="load the store's graphs into a remote SPARQL server",
                       description="Load every named graph of the store into the remote store named by --endpoint "
                       "(with --graph-store for the Graph Store Protocol, else SPARQL Update at --update-endpoint), "
                       "one graph at a time; each graph is replaced atomically, and re-running is idempotent. "
                       "Credentials: $MANDATO_ENDPOINT_TOKEN, or $MANDATO_ENDPOINT_USER and "
                       "$MANDATO_ENDPOINT_PASSWORD; never on the command line.")
    s.set_defaults(func=cmd_push)

    s = sub.add_parser("serve", parents=[common], help="serve the API over HTTP", epilog=EPILOG)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs throughput)")
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
