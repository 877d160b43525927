"""Server time of the pages for people (issue 13: ≤ 100 ms on the bundled corpus, ≤ 300 ms at ~1M
triples), against the limit.

    python benchmarks/pages.py                    # the bundled corpus
    python benchmarks/pages.py --triples 1000000  # a synthetic corpus (benchmarks/synthetic.py)
    python benchmarks/pages.py --store DIR        # a store already ingested

Each page is asked for as a browser asks (``Accept: text/html``) through the app in-process
(Starlette's test client: the whole server path, routing, middleware, saved queries and
templates, without the network), first once (cold: resolvers and answers not yet cached),
then --repeat times; p50 and p95 in milliseconds print as Markdown, with the limit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402

from mandato.api.app import create_app  # noqa: E402
from mandato.store import Store  # noqa: E402

MANDATO = str(Path(sys.executable).with_name("mandato"))
PAGES = {
    "home": "/",
    "search": "/search?q=palermo",
    "search (words)": "/search?q=fortalecer instancias gobierno",
    "instrument": "/id/instrument/un-xviii-12-a",
    "country": "/id/country/pe",
    "treaty action": "/id/treaty-action/un-xviii-12-a/cr/ratification/2003-09-09",
    "plan": "/id/plan/pe-plan-nacional-trata-2017-2021",
    "activity": "/id/plan/pe-plan-nacional-trata-2017-2021/4/1/1-1/1-1-1",
    "body": "/id/organization/pe-cmnp-tptim",
    "matrix": "/matrix",
    "findings": "/findings",
    "ontology": "/ontology",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="an ingested store (default: ingest a corpus into a temporary one)")
    parser.add_argument("--triples", type=int, default=0, help="size of a synthetic corpus (0: the bundled one)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
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
            first = client.get(path_, headers={"Accept": "text/html", "Cache-Control": "no-cache"})
            cold = (time.perf_counter() - start) * 1000
            if first.status_code != 200:
                raise SystemExit(f"{path_}: HTTP {first.status_code}")
            samples = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                client.get(path_, headers={"Accept": "text/html"})
                samples.append((time.perf_counter() - start) * 1000)
            p50 = statistics.median(samples)
            p95 = sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]
            worst = max(worst, p50)
            print(f"| `{name}` | {cold:.0f} | {p50:.1f} / {p95:.1f} | {'yes' if p50 <= limit else '**no**'} |")
        print(f"\nSlowest page p50: {worst:.1f} ms, {worst / limit:.2f}× the limit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
