"""Server time of the pages for people (issue 13: ≤ 100 ms on the bundled corpus, ≤ 300 ms at ~1M
triples), against the limit.

    python benchmarks/pages.py                    # the bundled corpus
    python benchmarks/pages.py --triples 1000000  # a synthetic corpus (benchmarks/synthetic.py)
    python benchmarks/pages.py --store DIR        # a store already ingested

Each page is asked for as a browser asks (``Accept: text/html``) through the app in-process
(Starlette's test client: the whole server path, routing, middleware, saved queries and
templates, without the network), first once (cold: resolvers and answers not yet cached),
then --repeat times; p50 and p95 in milliseconds print as Markdown, with the limit. A page that
does not answer in --cutoff seconds is reported so and left (its query runs on in the background).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402
from run import percentiles, sampled  # noqa: E402

from mandato.api.app import create_app  # noqa: E402
from mandato.store import Store  # noqa: E402

MANDATO = str(Path(sys.executable).with_name("mandato"))
PAGES = {
    "home": "/",
    "search": "/search?q=palermo",
    "search (words)": "/search?q=fortalecer instancias gobierno",
    "instrument": "/id/instrument/un-xviii-12-a",
    "country": "/id/country/pe",
    "treaty action": "/id/treaty-action/un-xviii-12-a/cr/consent",
    "plan": "/id/plan/pe-plan-nacional-trata-2017-2021",
    "activity": "/id/plan/pe-plan-nacional-trata-2017-2021/4/1/1-1/1-1-1",
    "body": "/id/organization/pe-cmnp-tptim",
    "matrix": "/matrix",
    "findings": "/findings",
    "findings (one source)": "/findings?source=https://w3id.org/mandato/id/source/corett-plan-estrategico-2018-2027",
    "ontology": "/ontology",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="an ingested store (default: ingest a corpus into a temporary one)")
    parser.add_argument("--triples", type=int, default=0, help="size of a synthetic corpus (0: the bundled one)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cutoff", type=float, default=30.0, help="seconds before a page is reported as too slow")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        path = args.store or Path(work) / "store"
        if args.store is None:
            command = [MANDATO, "--store", str(path), "ingest"]
            if args.triples:
                synthetic.generate(Path(work) / "corpus", args.triples, seed=args.seed)
                command += [str(Path(work) / "corpus"), "--reference", str(Path(work) / "corpus" / "reference")]
            subprocess.run(command, check=True, capture_output=True)
        store = Store(path, must_exist=True, read_only=True)
        limit = 100 if len(store) < 100_000 else 300
        client = TestClient(create_app(store))
        print(f"### pages, {len(store):,} quads (limit {limit} ms server time)\n")
        print("| page | cold ms | p50 / p95 ms | within the limit |\n|---|---|---|---|")
        worst = 0.0
        for name, path_ in PAGES.items():
            start = time.perf_counter()
            first = _within(args.cutoff, lambda p=path_: client.get(p, headers={"Accept": "text/html"}))
            cold = (time.perf_counter() - start) * 1000
            if first is None:
                print(f"| `{name}` | > {args.cutoff * 1000:.0f} | did not answer in {args.cutoff:g} s | **no** |",
                      flush=True)
                worst = max(worst, args.cutoff * 1000)
                continue
            if first.status_code != 200:
                raise SystemExit(f"{path_}: HTTP {first.status_code}")
            p50, p95 = percentiles(sampled(lambda p=path_: client.get(p, headers={"Accept": "text/html"}),
                                           args.repeat, budget=float("inf")))
            worst = max(worst, p50)
            print(f"| `{name}` | {cold:.0f} | {p50:.1f} / {p95:.1f} | {'yes' if p50 <= limit else '**no**'} |",
                  flush=True)
        print(f"\nSlowest page p50: {worst:.1f} ms, {worst / limit:.2f}× the limit.")
    return 0


def _within(seconds: float, call: Any) -> Any:
    """``call()``'s answer, or None when it takes longer than ``seconds`` (it is left running)."""
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else None


if __name__ == "__main__":
    sys.exit(main())
