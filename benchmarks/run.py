"""mandato's benchmark suite: one table of figures per corpus size, with an rdflib baseline.

    python benchmarks/run.py                      # bundled corpus, ~100k and ~1M triples
    python benchmarks/run.py --sizes bundled,100k --seconds 5 --repeat 10
    python benchmarks/run.py --smoke              # a tiny run, as the test suite does

For each size: ingest end to end (the real `mandato ingest` on the documents, synthetic ones
from benchmarks/synthetic.py), triples per second and peak memory; validation of the whole
dataset, and again after one word of Peru's plan is changed and that source re-ingested
(incremental: the nodes the change can affect); p50/p95 of every saved query in-process and
over HTTP (a real `mandato serve`; a query is repeated --repeat times or for --budget seconds);
the cold start of `mandato serve` to its first answer and its resident memory; requests per
second of one cached saved query under `wrk` (Debian package `wrk`; skipped when it is not
installed) with 32 connections; and the baseline: the same quads in an rdflib Dataset, the same
query texts through rdflib's SPARQL engine (each query cut off after --baseline-cap seconds) and
over HTTP from `rdflib-endpoint` serving that Dataset, with the ratios. Then the goals of issue 15,
each against its peer or limit with the ratio: requests per second of one saved query uncached
and of the same text on `/sparql`, against `oxigraph serve-read-only` answering that text; the
cached saved query, cold start and memory against their limits; ingest against Oxigraph's own
bulk loader (`oxigraph load`) on the N-Quads of the same data; full validation against its limit
and against pySHACL run on an rdflib graph of the same data (cut off after --peer-cap seconds);
re-validation and parameter resolution against their limits; the large answers (findings, the
full matrix) against the best hand-written SPARQL for their rows (benchmarks/hand-written). A run
starts with the machine's speed (a fixed Python loop): a shared machine's speed drifts. Figures
print as Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402

from mandato.catalogue import bind, get, inject_values, load_catalogue, run  # noqa: E402
from mandato.packaged import CORPUS_DIR  # noqa: E402
from mandato.store import Store  # noqa: E402

MANDATO = str(Path(sys.executable).with_name("mandato"))
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
SIZES = {"smoke": 3_000, "bundled": 0, "100k": 100_000, "1m": 1_000_000}
THROUGHPUT_QUERY = "ratifications"


def example_args(name: str) -> dict[str, str]:
    return {p.name: p.example for p in get(name).params if p.required and p.example}


def measured(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak resident memory (MiB) of a command, run under a fresh wrapper so
    that the memory is that command's alone."""
    wrapper = ("import resource, subprocess, sys, json; r = subprocess.run(sys.argv[1:], capture_output=True, "
               "text=True); print(json.dumps([r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
               " r.stdout[-2000:], r.stderr[-2000:]]))")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    code, rss_kib, stdout, stderr = json.loads(out.stdout)
    return seconds, rss_kib // 1024, subprocess.CompletedProcess(cmd, code, stdout, stderr)


def sampled(call, repeat: int, budget: float) -> list[float]:
    """Milliseconds of ``repeat`` calls, or of as many as fit in ``budget`` seconds (at least 3)."""
    times: list[float] = []
    spent = time.perf_counter()
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() - spent < budget):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop (best of three): a shared machine's speed drifts by up
    to 2× between hours, and this says at which speed a run's figures were taken."""
    def loop() -> float:
        start, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        return time.perf_counter() - start
    return min(loop() for _ in range(3))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def in_process(store: Store, repeat: int, budget: float) -> dict[str, tuple[float, float, str]]:
    """p50/p95 (ms) of every saved query with its example parameters, and the query text run."""
    out = {}
    for name in load_catalogue():
        args = example_args(name)
        text = inject_values(get(name).text, bind(store, get(name), args))
        run(store, name, args)  # warm: resolvers and caches
        out[name] = (*percentiles(sampled(lambda n=name, a=args: run(store, n, a), repeat, budget)), text)
    return out


def hand_written(store: Store, local: dict, repeat: int, budget: float) -> dict[str, tuple[float, str] | str]:
    """For each query of benchmarks/hand-written (a large answer), the p50 (ms) of the best SPARQL
    for its rows: that hand-written text or the saved query's own text, each run as text and read
    into a table, and which it was; or why it was not compared (its rows differ from the saved
    query's, in value or order)."""
    out: dict[str, tuple[float, str] | str] = {}
    for path in sorted((HERE / "hand-written").glob("*.rq")):
        name, text = path.stem, path.read_text(encoding="utf-8")
        saved = local[name][2]
        ours, theirs = store.run(saved), store.run(text)
        if ours.columns != theirs.columns or ours.rows != theirs.rows:
            out[name] = f"`hand-written/{path.name}` gives other rows than the saved query here: not compared"
            continue
        best = min((statistics.median(sampled(lambda t=t: store.run(t), repeat, budget)), what)
                   for t, what in ((text, f"`hand-written/{path.name}`"), (saved, "the saved query's text")))
        out[name] = best
    return out


BASELINE = r'''
import json, signal, sys, threading, time
import httpx, uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
cap, repeat, budget, port = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[5]), int(sys.argv[6])
queries = json.load(open(sys.argv[4]))
start = time.perf_counter()
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
print(json.dumps({"load": time.perf_counter() - start}), flush=True)
def stop(*_): raise TimeoutError
signal.signal(signal.SIGALRM, stop)
def sampled(call):
    times, spent = [], time.perf_counter()
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() - spent < budget):
        t = time.perf_counter(); call(); times.append((time.perf_counter() - t) * 1000)
    return times
finished = []
for name, text in queries.items():
    signal.alarm(cap)
    try:
        times = sampled(lambda: list(ds.query(text)))
        finished.append(name)
    except TimeoutError:
        times = None
    except Exception as exc:  # a query rdflib cannot run
        times = str(exc)[:80]
    signal.alarm(0)
    print(json.dumps({name: times}), flush=True)
# The same Dataset served by rdflib-endpoint; only the queries rdflib finished above are asked.
server = uvicorn.Server(uvicorn.Config(SparqlEndpoint(graph=ds), host="127.0.0.1", port=port, log_level="error"))
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=cap * 3,
                  headers={"Accept": "application/sparql-results+json"}) as client:
    for name in finished:
        def call(text=queries[name]):
            client.get("/", params={"query": text}).raise_for_status()
        print(json.dumps({"http:" + name: sampled(call)}), flush=True)
'''


def rdflib_baseline(store: Store, texts: dict[str, str], args: argparse.Namespace, work: Path) -> dict:
    dump = work / "dump.nq"
    dump.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(texts))
    proc = subprocess.run([sys.executable, "-c", BASELINE, str(dump), str(args.baseline_cap), str(args.baseline_repeat),
                           str(qfile), str(args.budget), str(free_port())], capture_output=True, text=True)
    results: dict = {}
    for line in proc.stdout.splitlines():
        results.update(json.loads(line))
    if proc.returncode:
        results["failed"] = proc.stderr.strip().splitlines()[-1:]
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> int:
    """Resident memory of a process and its children (the SPARQL workers), MiB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{p}/status").read_text())
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total // 1024


SRJ = "application/sparql-results+json"


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> tuple[float, int]:
    """Answers per second of ``url`` under wrk (2 threads, 32 connections), counting only the
    answers that are not errors, and the errors (socket errors and answers other than 2xx or 3xx,
    such as a 429 of the SPARQL endpoint's fair share per client)."""
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    w = subprocess.run([*cmd, url], capture_output=True, text=True)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", w.stdout)
    total = re.search(r"(\d+) requests in", w.stdout)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", w.stdout))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", w.stdout)
    errors += int(non2xx.group(1)) if non2xx else 0
    if not rps or not total or not int(total.group(1)):
        return 0.0, errors
    return float(rps.group(1)) * max(0, int(total.group(1)) - errors) / int(total.group(1)), errors


def answering(url: str, process: subprocess.Popen, what: str) -> float:
    """Seconds until ``url`` answers 200 (the process is a server just spawned)."""
    start = time.perf_counter()
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.perf_counter() - start > 120:
            raise RuntimeError(f"{what} did not answer within 120 s")
        time.sleep(0.02)


def stopped(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def oxigraph_served(store_path: Path, text: str, seconds: int) -> tuple[float, int]:
    """The peer: `oxigraph serve-read-only` on the same store answering the same query text."""
    port = free_port()
    server = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(store_path), "--bind",
                               f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/query"
        answering(f"{base}?{urlencode({'query': 'ASK {}'})}", server, "oxigraph serve-read-only")
        return wrk(f"{base}?{urlencode({'query': text})}", seconds, {"Accept": SRJ})
    finally:
        stopped(server)


def oxigraph_loaded(dump: Path, work: Path) -> float:
    """The peer of ingest: seconds of Oxigraph's bulk loader on the same N-Quads."""
    target = work / "loader-store"
    shutil.rmtree(target, ignore_errors=True)
    seconds, _, done = measured([OXIGRAPH, "load", "--location", str(target), "--file", str(dump)])
    if done.returncode:
        raise RuntimeError(f"oxigraph load failed: {done.stderr}")
    shutil.rmtree(target, ignore_errors=True)
    return seconds


PYSHACL = r'''
import sys, time
from pyshacl import validate
from rdflib import Dataset, Graph
from mandato.packaged import ontology_graph, shapes_graph
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
data = Graph()
for triple in ds.triples((None, None, None)):
    data.add(triple)
start = time.perf_counter()
validate(data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), advanced=True)
print(time.perf_counter() - start)
'''


def pyshacl_validated(dump: Path, cap: int) -> float | None:
    """The peer of validation: pySHACL with every shape on an rdflib graph of the same data
    (seconds of validation alone, loading not counted), or None when cut off after ``cap`` s."""
    try:
        done = subprocess.run([sys.executable, "-c", PYSHACL, str(dump)], capture_output=True, text=True,
                              timeout=cap + 600)
    except subprocess.TimeoutExpired:
        return None
    seconds = float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    return seconds if seconds is not None and seconds <= cap else None


def resolution_ms(store: Store) -> dict[str, float]:
    """p50 of resolving each saved query's example parameters (names, codes, words) to terms."""
    out = {}
    for name in load_catalogue():
        query, args = get(name), example_args(name)
        if args:
            out[name] = percentiles(sampled(lambda q=query, a=args: bind(store, q, a), 30, 1.0))[0]
    return out


def http(store_path: Path, repeat: int, budget: float, seconds: int, text: str) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen([MANDATO, "--store", str(store_path), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict = {}
    try:
        url = f"{base}/queries/{THROUGHPUT_QUERY}"
        params = example_args(THROUGHPUT_QUERY)
        answering(str(httpx.URL(url, params=params)), server, "mandato serve")
        out["cold_start"] = time.perf_counter() - start
        latencies = {}
        # Every request asks for a fresh answer (Cache-Control: no-cache): the latency of running the
        # query over HTTP, not of the server's answer cache (which wrk measures below).
        with httpx.Client(base_url=base, timeout=60, headers={"Cache-Control": "no-cache"}) as client:
            for name in load_catalogue():
                args = example_args(name)
                client.get(f"/queries/{name}", params=args)

                def call(name: str = name, args: dict = args) -> None:
                    client.get(f"/queries/{name}", params=args).raise_for_status()

                latencies[name] = percentiles(sampled(call, repeat, budget))
        out["latency"] = latencies
        if shutil.which("wrk"):
            full = str(httpx.URL(url, params=params))
            out["wrk"] = wrk(full, seconds)
            out["wrk_uncached"] = wrk(full, seconds, {"Cache-Control": "no-cache"})
            out["wrk_sparql"] = wrk(f"{base}/sparql?{urlencode({'query': text})}", seconds, {"Accept": SRJ})
        out["rss"] = rss_mib(server.pid)
    finally:
        stopped(server)
    return out


def changed_source(corpus: Path) -> Path:
    """Peru's plan in the corpus with one word of one activity changed: a real change to re-ingest."""
    path = corpus / synthetic.PERU.name
    text = path.read_text(encoding="utf-8")
    path.chmod(0o644)
    path.write_text(text.replace("Promover", "Impulsar", 1), encoding="utf-8")
    return path


def ratio(mine: float, theirs: float) -> str:
    return f"{theirs / mine:,.1f}× faster" if theirs >= mine else f"{mine / theirs:,.1f}× slower"


def bench(size: str, args: argparse.Namespace, work: Path) -> list[str]:
    corpus = work / f"corpus-{size}"
    if SIZES[size]:
        # The smoke corpus: one plan of one matrix page (a plan of four is ~36k triples alone).
        synthetic.generate(corpus, SIZES[size], seed=args.seed, copies=1 if size == "smoke" else 4)
    else:
        shutil.copytree(CORPUS_DIR, corpus)
    store_path = work / f"store-{size}"
    reference = ["--reference", str(corpus / "reference")] if (corpus / "reference").exists() else []
    seconds, rss, proc = measured([MANDATO, "--store", str(store_path), "ingest", str(corpus), *reference])
    if proc.returncode:
        raise RuntimeError(f"ingest failed: {proc.stderr}")
    quads = int(re.search(r"([\d]+) triples in", proc.stdout).group(1))
    validate, vrss, _ = measured([MANDATO, "--store", str(store_path), "validate", "--format", "json"])
    reingest, _, _ = measured([MANDATO, "--store", str(store_path), "ingest", str(changed_source(corpus)), *reference])
    revalidate, _, again = measured([MANDATO, "--store", str(store_path), "validate", "--format", "json"])
    scope = re.search(r"validated: (.*)", again.stderr)
    # Read-only, as `mandato query` beside a server: the servers below read the same store.
    store = Store(store_path, must_exist=True, read_only=True)
    local = in_process(store, args.repeat, args.budget)
    best = hand_written(store, local, args.repeat, args.budget)
    resolution = resolution_ms(store)
    text = local[THROUGHPUT_QUERY][2]
    served = http(store_path, args.repeat, args.budget, args.seconds, text)
    peer_rps = oxigraph_served(store_path, text, args.seconds) if shutil.which("wrk") else None
    baseline = rdflib_baseline(store, {n: v[2] for n, v in local.items()}, args, work)
    dump = work / "dump.nq"  # written by rdflib_baseline: the named graphs, as ingest wrote them
    loader = oxigraph_loaded(dump, work)
    shacl = pyshacl_validated(dump, args.peer_cap)
    lines = [f"### {size}: {quads:,} quads", "",
             f"- ingest end to end: {seconds:.1f} s, {quads / seconds:,.0f} triples/s, peak {rss} MiB "
             "(largest process)",
             f"- validation, whole dataset: {validate:.1f} s (peak {vrss} MiB); re-ingest of one changed source "
             f"{reingest:.1f} s, then re-validation {revalidate:.1f} s ({scope.group(1) if scope else '?'})",
             f"- `mandato serve`: first answer after {served['cold_start']:.2f} s, {served['rss']} MiB resident "
             "(server and SPARQL workers)"]
    if "wrk" in served:
        rps, errors = served["wrk"]
        lines.append(f"- `{THROUGHPUT_QUERY}` (answer cached by the server) under wrk, 2 threads, 32 connections, "
                     f"{args.seconds} s: {rps:,.0f} requests/s, {errors} errors")
    else:
        lines.append("- throughput: not measured (wrk is not installed: `apt-get install wrk`)")
    if "load" in baseline:
        lines.append(f"- rdflib baseline: loading the quads into an rdflib Dataset took {baseline['load']:.1f} s")
    if "failed" in baseline:
        lines.append(f"- rdflib baseline failed: {baseline['failed']}")
    lines += ["", "| saved query | in-process p50 / p95 ms | rdflib p50 ms | mandato / rdflib "
              "| HTTP (uncached) p50 / p95 ms | rdflib-endpoint p50 ms | mandato / rdflib-endpoint |",
              "|---|---|---|---|---|---|---|"]
    ratios: list[float] = []
    http_ratios: list[float] = []
    cap = args.baseline_cap * 1000
    for name, (p50, p95, _) in local.items():
        h50, h95 = served["latency"][name]
        base, over_http = baseline.get(name), baseline.get("http:" + name)
        if isinstance(base, list) and base:
            b50 = statistics.median(base)
            ratios.append(b50 / p50)
            cells = [f"{b50:,.1f}", ratio(p50, b50)]
        elif base is None and name in baseline:  # cut off: the ratio is a lower bound
            ratios.append(cap / p50)
            http_ratios.append(cap / h50)
            cells = [f"> {cap:,}", f"> {cap / p50:,.0f}× faster"]
        else:
            cells = [f"error: {base}" if base else "not run", "—"]
        if isinstance(over_http, list) and over_http:
            e50 = statistics.median(over_http)
            http_ratios.append(e50 / h50)
            http_cells = [f"{e50:,.1f}", ratio(h50, e50)]
        elif base is None and name in baseline:
            http_cells = [f"> {cap:,}", f"> {cap / h50:,.0f}× faster"]
        else:
            http_cells = ["not run", "—"]
        lines.append(f"| `{name}` | {p50:.1f} / {p95:.1f} | {' | '.join(cells)} | {h50:.1f} / {h95:.1f} "
                     f"| {' | '.join(http_cells)} |")
    for what, values in (("rdflib", ratios), ("rdflib-endpoint (HTTP)", http_ratios)):
        if values:
            lines += ["", f"Median query against {what}: mandato is at least {statistics.median(values):,.1f}× as "
                      f"fast ({len(values)} queries; a query rdflib did not finish in {args.baseline_cap} s counts "
                      f"as {args.baseline_cap} s)."]
    # A large answer is held to the best hand-written SPARQL for its rows (1.5×), the rest to the limits.
    small = [n for n in local if n not in best]
    slowest = max(small, key=lambda n: local[n][0])
    slowest_http = max(small, key=lambda n: served["latency"][n][0])
    worst_resolution = max(resolution, key=lambda n: resolution[n])
    goals = [
        ("every other saved query p50 in-process, ms (slowest)", local[slowest][0], f"`{slowest}`", 10.0, "limit",
         False),
        ("every other saved query p50 over HTTP uncached, ms (slowest)", served["latency"][slowest_http][0],
         f"`{slowest_http}`", 20.0, "limit", False),
    ]
    for name, found in best.items():
        if isinstance(found, tuple):  # within 1.5× of the best SPARQL for the same rows: ratio ≥ 1
            goals.append((f"`{name}` (a large answer) p50 in-process, ms", local[name][0], "", found[0] * 1.5,
                          f"1.5 × the best SPARQL for its rows ({found[1]}, {found[0]:,.1f} ms)", False))
        else:
            lines += ["", f"`{name}`: {found}."]
    goals += [
        ("parameter resolution p50, ms (slowest)", resolution[worst_resolution], f"`{worst_resolution}`", 1.0,
         "limit", False),
        ("cold start of `mandato serve`, s", served["cold_start"], "", 1.0, "limit", False),
        ("serving, resident MiB (server and workers)", served["rss"], "", 1024, "limit", False),
        ("ingest end to end, triples/s", quads / seconds, "", quads / loader, "`oxigraph load`, same N-Quads", True),
        ("full validation, s", validate, "", 40.0, "limit", False),
        ("re-validation after one changed source, s", revalidate, "", 2.0, "limit", False),
    ]
    if shacl is not None:
        goals.append(("full validation, s", validate, "", shacl, "pySHACL, rdflib graph", False))
    else:
        lines += ["", f"pySHACL on an rdflib graph of the same data did not finish in {args.peer_cap} s."]
    if "wrk" in served and peer_rps:
        goals += [
            (f"`{THROUGHPUT_QUERY}` uncached over HTTP, answers/s", served["wrk_uncached"][0], "", peer_rps[0],
             "`oxigraph serve-read-only`, same text", True),
            ("the same text on `/sparql`, answers/s", served["wrk_sparql"][0], "", peer_rps[0],
             "`oxigraph serve-read-only`, same text", True),
            (f"`{THROUGHPUT_QUERY}` cached, answers/s", served["wrk"][0], "", 2000.0, "limit", True),
        ]
    lines += ["", "| goal (issue 15) | mandato | peer or limit | ratio |", "|---|---|---|---|"]
    for figure, mine, which, theirs, peer, higher in goals:
        share = mine / theirs if higher else theirs / mine  # ≥ 1 is as good as the peer or the limit
        lines.append(f"| {figure}{' ' + which if which else ''} | {mine:,.1f} | {peer}: {theirs:,.1f} "
                     f"| {share:,.2f} |")
    if "wrk" in served and peer_rps:
        lines += ["", "Requests per second count answers without error; errors under wrk: "
                  f"`{THROUGHPUT_QUERY}` cached {served['wrk'][1]}, uncached {served['wrk_uncached'][1]}, "
                  f"on `/sparql` {served['wrk_sparql'][1]} (a 429 is the endpoint's fair share per client: wrk is "
                  f"one client), `oxigraph serve-read-only` {peer_rps[1]}."]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="bundled,100k,1m", help="comma-separated: smoke, bundled, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query for p50/p95")
    parser.add_argument("--budget", type=float, default=3.0,
                        help="seconds after which a query stops being repeated (it runs at least 3 times)")
    parser.add_argument("--seconds", type=int, default=10, help="duration of the wrk run")
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--baseline-cap", type=int, default=20, help="seconds before an rdflib query is cut off")
    parser.add_argument("--peer-cap", type=int, default=300,
                        help="seconds before pySHACL on an rdflib graph (the validation peer) is cut off")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="a tiny run: sizes smoke, few repeats")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat, args.seconds, args.baseline_repeat, args.baseline_cap = "smoke", 2, 1, 1, 2
        args.peer_cap = 60
    print(f"# mandato benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    print(f"Machine speed: {machine_speed():.2f} s for 10 million additions in a Python loop, the best of three "
          "(0.29-0.30 s on 2026-12-04; runs at other speeds compare by their ratios)\n")
    with tempfile.TemporaryDirectory(prefix="mandato-bench-") as tmp:
        for size in args.sizes.split(","):
            start = time.perf_counter()
            for line in bench(size.strip().lower(), args, Path(tmp)):
                print(line, flush=True)
            print(f"({size} took {time.perf_counter() - start:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
