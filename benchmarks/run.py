"""mandato's benchmark suite: one table of figures per corpus size, with an rdflib baseline.

    python benchmarks/run.py                      # bundled corpus, ~100k and ~1M triples
    python benchmarks/run.py --sizes bundled,100k --seconds 5 --repeat 10
    python benchmarks/run.py --smoke              # a tiny run, as the test suite does

For each size: ingest end to end (the real `mandato ingest` on the documents, synthetic ones
from benchmarks/synthetic.py), triples per second and peak memory; validation of the whole
dataset, and again after one source is re-ingested; p50/p95 of every saved query in-process and
over HTTP (a real `mandato serve`); the cold start of `mandato serve` to its first answer and its
resident memory; requests per second of one cached saved query under `wrk` (Debian package
`wrk`; skipped when it is not installed) with 32 connections; and the same saved queries run by
rdflib alone (an rdflib Dataset with the same quads and rdflib's SPARQL engine, each query cut
off after --baseline-cap seconds), with the ratio mandato / rdflib. Figures print as Markdown.
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

import httpx
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402

from mandato.catalogue import bind, get, inject_values, load_catalogue, run  # noqa: E402
from mandato.packaged import CORPUS_DIR  # noqa: E402
from mandato.store import Store  # noqa: E402

MANDATO = str(Path(sys.executable).with_name("mandato"))
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def in_process(store: Store, repeat: int) -> dict[str, tuple[float, float, str]]:
    """p50/p95 (ms) of every saved query with its example parameters, and the query text run."""
    out = {}
    for name in load_catalogue():
        args = example_args(name)
        text = inject_values(get(name).text, bind(store, get(name), args))
        run(store, name, args)  # warm: resolvers and caches
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run(store, name, args)
            times.append((time.perf_counter() - start) * 1000)
        out[name] = (*percentiles(times), text)
    return out


BASELINE = r'''
import json, signal, sys, time
from rdflib import Dataset
cap, repeat = int(sys.argv[2]), int(sys.argv[3])
queries = json.load(open(sys.argv[4]))
start = time.perf_counter()
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
print(json.dumps({"load": time.perf_counter() - start}), flush=True)
def stop(*_): raise TimeoutError
signal.signal(signal.SIGALRM, stop)
for name, text in queries.items():
    times = []
    try:
        for _ in range(repeat):
            signal.alarm(cap)
            t = time.perf_counter(); list(ds.query(text)); times.append((time.perf_counter() - t) * 1000)
            signal.alarm(0)
    except TimeoutError:
        times = None
    except Exception as exc:  # a query rdflib cannot run
        times = str(exc)[:80]
    print(json.dumps({name: times}), flush=True)
'''


def rdflib_baseline(store: Store, texts: dict[str, str], repeat: int, cap: int, work: Path) -> dict:
    dump = work / "dump.nq"
    dump.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(texts))
    proc = subprocess.run([sys.executable, "-c", BASELINE, str(dump), str(cap), str(repeat), str(qfile)],
                          capture_output=True, text=True)
    results: dict = {}
    for line in proc.stdout.splitlines():
        results.update(json.loads(line))
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


def http(store_path: Path, repeat: int, seconds: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen([MANDATO, "--store", str(store_path), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict = {}
    try:
        url = f"{base}/queries/{THROUGHPUT_QUERY}"
        params = example_args(THROUGHPUT_QUERY)
        while True:
            try:
                if httpx.get(url, params=params, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - start > 120:
                raise RuntimeError("mandato serve did not answer within 120 s")
            time.sleep(0.02)
        out["cold_start"] = time.perf_counter() - start
        latencies = {}
        # Every request asks for a fresh answer (Cache-Control: no-cache): the latency of running the
        # query over HTTP, not of the server's answer cache (which wrk measures below).
        with httpx.Client(base_url=base, timeout=60, headers={"Cache-Control": "no-cache"}) as client:
            for name in load_catalogue():
                args = example_args(name)
                client.get(f"/queries/{name}", params=args)
                times = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    r = client.get(f"/queries/{name}", params=args)
                    times.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                latencies[name] = percentiles(times)
        out["latency"] = latencies
        if shutil.which("wrk"):
            full = str(httpx.URL(url, params=params))
            w = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", full], capture_output=True, text=True)
            rps = re.search(r"Requests/sec:\s+([\d.]+)", w.stdout)
            errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", w.stdout))
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", w.stdout)
            out["wrk"] = (float(rps.group(1)) if rps else 0.0, errors + (int(non2xx.group(1)) if non2xx else 0))
        out["rss"] = rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return out


def bench(size: str, args: argparse.Namespace, work: Path) -> list[str]:
    corpus = CORPUS_DIR
    if SIZES[size]:
        corpus = work / f"corpus-{size}"
        synthetic.generate(corpus, SIZES[size], seed=args.seed)
    store_path = work / f"store-{size}"
    seconds, rss, proc = measured([MANDATO, "--store", str(store_path), "ingest", str(corpus)])
    if proc.returncode:
        raise RuntimeError(f"ingest failed: {proc.stderr}")
    quads = int(re.search(r"([\d]+) triples in", proc.stdout).group(1))
    validate, vrss, _ = measured([MANDATO, "--store", str(store_path), "validate", "--format", "json"])
    one = sorted(corpus.glob("*.txt"))[0]
    reingest, _, _ = measured([MANDATO, "--store", str(store_path), "ingest", str(one)])
    revalidate, _, _ = measured([MANDATO, "--store", str(store_path), "validate", "--format", "json"])
    served = http(store_path, args.repeat, args.seconds)
    # In-process last: the embedded store is locked by one process at a time.
    store = Store(store_path, must_exist=True)
    local = in_process(store, args.repeat)
    baseline = rdflib_baseline(store, {n: v[2] for n, v in local.items()}, args.baseline_repeat,
                               args.baseline_cap, work)
    lines = [f"### {size}: {quads:,} quads", "",
             f"- ingest end to end: {seconds:.1f} s, {quads / seconds:,.0f} triples/s, peak {rss} MiB",
             f"- validation, whole dataset: {validate:.1f} s (peak {vrss} MiB); re-ingest of one source "
             f"{reingest:.1f} s, then re-validation (whole dataset again) {revalidate:.1f} s",
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
    lines += ["", "| saved query | in-process p50 / p95 ms | HTTP (uncached) p50 / p95 ms | rdflib p50 ms "
              "| mandato / rdflib |", "|---|---|---|---|---|"]
    ratios = []
    for name, (p50, p95, _) in local.items():
        h50, h95 = served["latency"][name]
        base = baseline.get(name)
        if isinstance(base, list) and base:
            b50 = statistics.median(base)
            ratios.append(b50 / p50)
            cell = f"{b50:,.1f}"
            ratio = f"{b50 / p50:,.1f}× faster" if b50 >= p50 else f"{p50 / b50:,.1f}× slower"
        elif base is None and name in baseline:  # cut off: the ratio is a lower bound
            ratios.append(args.baseline_cap * 1000 / p50)
            cell, ratio = f"> {args.baseline_cap * 1000:,}", f"> {args.baseline_cap * 1000 / p50:,.0f}× faster"
        else:
            cell, ratio = f"error: {base}" if base else "not run", "—"
        lines.append(f"| `{name}` | {p50:.1f} / {p95:.1f} | {h50:.1f} / {h95:.1f} | {cell} | {ratio} |")
    if ratios:
        lines += ["", f"Median query: mandato is at least {statistics.median(ratios):,.1f}× as fast as rdflib "
                  f"({len(ratios)} queries; a query rdflib did not finish in {args.baseline_cap} s counts as "
                  f"{args.baseline_cap} s)."]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="bundled,100k,1m", help="comma-separated: smoke, bundled, 100k, 1m")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query for p50/p95")
    parser.add_argument("--seconds", type=int, default=10, help="duration of the wrk run")
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--baseline-cap", type=int, default=60, help="seconds before an rdflib query is cut off")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="a tiny run: sizes smoke, few repeats")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat, args.seconds, args.baseline_repeat, args.baseline_cap = "smoke", 2, 1, 1, 5
    print(f"# mandato benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    with tempfile.TemporaryDirectory(prefix="mandato-bench-") as tmp:
        for size in args.sizes.split(","):
            start = time.perf_counter()
            for line in bench(size.strip(), args, Path(tmp)):
                print(line, flush=True)
            print(f"({size} took {time.perf_counter() - start:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
