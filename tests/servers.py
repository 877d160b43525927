"""Real SPARQL servers the tests (and benchmarks/engines.py) start and stop: Oxigraph server
and Debian's Virtuoso, each on free ports with its data in a directory of its own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mandato.endpoint import Endpoint


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")


class OxigraphServer:
    """`oxigraph serve --union-default-graph` on a free port, with its data in ``location``."""

    def __init__(self, location: Path):
        self.location = location
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> OxigraphServer:
        self.proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(self.location), "--bind",
                                      f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                httpx.get(self.base + "/query", params={"query": "ASK {}"}, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def endpoint(self, graph_store: bool = True) -> Endpoint:
        return Endpoint(self.base + "/query", self.base + "/update", self.base + "/store" if graph_store else None,
                        timeout=10, retries=2, backoff=0.1)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
CheckpointInterval = 60
[HTTPServer]
ServerPort = {http}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""
# What docs/remote-stores.md asks of a Virtuoso administrator: a user with the SPARQL_UPDATE role
# (Digest at /sparql-auth and /sparql-graph-crud-auth), and for Basic authentication an address
# whose check is the SQL user's (Virtuoso's own addresses only take Digest).
VIRTUOSO_SETUP = """DB.DBA.USER_CREATE('{user}', '{password}');
GRANT SPARQL_UPDATE TO "{user}";
DB.DBA.VHOST_DEFINE(lpath=>'/sparql-basic', ppath=>'/!sparql/', is_dav=>1, vsp_user=>'dba',
  auth_fn=>'DB.DBA.HP_AUTH_SQL_USER', realm=>'SPARQL', sec=>'basic', opts=>vector('noinherit', 1));
DB.DBA.VHOST_DEFINE(lpath=>'/sparql-graph-crud-basic', ppath=>'/!sparql-graph-crud/', is_dav=>1, vsp_user=>'dba',
  auth_fn=>'DB.DBA.HP_AUTH_SQL_USER', realm=>'SPARQL', sec=>'basic', opts=>vector('noinherit', 1));
"""


class VirtuosoServer:
    """Debian's `virtuoso-t` (Virtuoso Open Source 7) on free ports, its database in ``location``,
    with the row cap of the Debian package (10,000) and a user that may write."""

    user, password = "mandato", "mandato-secret"

    def __init__(self, location: Path):
        self.location = location
        self.sql_port, self.port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> VirtuosoServer:
        self.location.mkdir(parents=True, exist_ok=True)
        ini = self.location / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.location, sql=self.sql_port, http=self.port))
        self.proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=self.location,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                if httpx.get(self.base + "/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("virtuoso-t did not start: " + (self.location / "virtuoso.log").read_text()[-2000:])
        self.sql(VIRTUOSO_SETUP.format(user=self.user, password=self.password))
        return self

    def sql(self, statements: str) -> str:
        """Run SQL statements with Virtuoso's isql as its administrator; an error fails the caller."""
        done = subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", "VERBOSE=OFF", "BANNER=OFF",
                               "ERRORS=STDOUT"], input=statements, capture_output=True, text=True, timeout=120)
        if done.returncode or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def endpoint(self, auth: str = "digest", graph_store: bool = True) -> Endpoint:
        """Query at /sparql; update and Graph Store at the addresses that take ``auth``."""
        update = {"digest": "/sparql-auth", "basic": "/sparql-basic"}[auth]
        store = {"digest": "/sparql-graph-crud-auth", "basic": "/sparql-graph-crud-basic"}[auth]
        return Endpoint(self.base + "/sparql", self.base + update, self.base + store if graph_store else None,
                        timeout=60, retries=2, backoff=0.2)
