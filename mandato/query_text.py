"""What the SPARQL endpoint reads from a query's text before running it: its form (to choose the
answer's format first, without evaluating anything), the columns a SELECT projects (to hold a
remote store's answer to them), whether it names its own dataset (``FROM``, ``FROM NAMED``), how
deeply it nests, and its federated calls.

Nesting: Oxigraph's parser recurses once per group, bracket or parenthesis, and a query nested a
few thousand deep overflows a worker's stack and kills it (an abort no Python code can catch). A
client can loop such queries to keep the workers restarting, so a query nested deeper than
:data:`MAX_NESTING` is refused before it reaches a worker; no real query comes near it.

Federated queries on a public endpoint: ``SERVICE`` is refused unless the operator allows its host.

``SERVICE <url>`` in a query makes Oxigraph (and most stores) send a request to that URL: from a
public endpoint, a way for any client to reach addresses only the server can (SSRF), or to make the
server query itself until every worker is tied up. Oxigraph has no switch to turn it off, so the
query text is read the way a SPARQL parser reads it (SPARQL 1.1 §19: ``\\u`` and ``\\U`` escapes
are replaced first, anywhere in the text), skipping IRIs, strings, comments, variables, prefixed
and blank-node names, and any ``SERVICE`` keyword left is refused, unless it names, by a full IRI,
a host the operator listed in ``MANDATO_SPARQL_SERVICE_HOSTS``. What the scan cannot tell apart is
refused: a wrong refusal is a clear error, a wrong acceptance a request leaving the server.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from urllib.parse import urlsplit

from mandato.errors import MandatoError

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
STRING = (r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
          r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"")
COMMENT = r"#[^\n\r]*"
TOKEN = re.compile(
    rf"(?P<iri>{IRI})"
    rf"|(?P<string>{STRING})"
    rf"|(?P<comment>{COMMENT})"
    r"|(?P<var>[?$][\w\u00b7-]+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<name>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\.)*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
MAX_NESTING = 200  # groups, brackets and parentheses inside one another (module docstring)
OPENS = "{(["
DEPTH = {**dict.fromkeys(OPENS, 1), **dict.fromkeys("})]", -1)}
# What a bracket inside does not nest: IRIs, strings and comments as TOKEN reads them, escapes.
SKIPPED = re.compile(rf"{IRI}|{STRING}|{COMMENT}|\\.", re.DOTALL)
NOT_BRACKET = re.compile(r"[^{}()\[\]]+")


class FederationRefused(MandatoError):
    status = 400


class TooDeep(MandatoError):
    status = 400


def _unescape(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return ESCAPE.sub(char, text)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "", m.group()) for m in TOKEN.finditer(_unescape(text))
            if m.lastgroup not in ("space", "comment")]


def query_form(text: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``: the first keyword after the prologue
    (BASE and PREFIX declarations); None for anything else (an update, or not SPARQL)."""
    tokens = _tokens(text)
    i = 0
    while i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].upper() in ("BASE", "PREFIX"):
        i += 3 if tokens[i][1].upper() == "PREFIX" else 2
    if i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].upper() in FORMS:
        return tokens[i][1].lower()
    return None


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`TooDeep` when groups, brackets and parentheses nest deeper than ``limit``
    (outside IRIs, strings, comments and escapes). Refusing must cost little, since a client may
    send such queries in a loop: regular expressions and a running sum, no loop over tokens."""
    text = _unescape(text)
    if sum(map(text.count, OPENS)) <= limit:
        return
    brackets = NOT_BRACKET.sub("", SKIPPED.sub(" ", text))
    if max(itertools.accumulate(map(DEPTH.__getitem__, brackets)), default=0) > limit:
        raise TooDeep(f"the query nests groups, brackets or parentheses more than {limit} deep; "
                      "no query needs that many")


def names_dataset(text: str) -> bool:
    """Whether the query names its RDF dataset (``FROM`` or ``FROM NAMED``, SPARQL 1.1 §13.2)."""
    return any(kind == "word" and value.upper() == "FROM" for kind, value in _tokens(text))


def check_federation(text: str, allowed_hosts: Collection[str] = ()) -> None:
    """Raise :class:`FederationRefused` when the query calls a service whose host is not allowed."""
    tokens = _tokens(text)
    for i, (kind, value) in enumerate(tokens):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        rest = tokens[i + 1:i + 3]
        if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
            rest = rest[1:]
        target = rest[0] if rest else ("", "")
        host = urlsplit(target[1][1:-1]).hostname if target[0] == "iri" else None
        if host is None or host.lower() not in {h.lower() for h in allowed_hosts}:
            allowed = f" (allowed: {', '.join(sorted(allowed_hosts))})" if allowed_hosts else ""
            raise FederationRefused(
                "federated queries (SERVICE) are not allowed on this endpoint: it sends no request to another "
                f"server on a client's behalf{allowed}")


def projection(text: str) -> list[str] | None:
    """The variables a SELECT query projects, in order, read from its text (None for ``SELECT *``
    or no SELECT): each ``?var`` of the select clause and each ``(… AS ?var)``."""
    tokens = _tokens(text)
    start = next((i for i, (kind, value) in enumerate(tokens) if kind == "word" and value.upper() == "SELECT"), None)
    if start is None:
        return None
    names: list[str] = []
    depth, after_as = 0, False
    for kind, value in tokens[start + 1:]:
        if kind == "other" and value == "(":
            depth += 1
        elif kind == "other" and value == ")":
            depth -= 1
        elif depth == 0 and ((kind == "other" and value in "{*") or (kind == "word" and value.upper() in (
                "WHERE", "FROM"))):
            if value == "*":
                return None
            break
        elif kind == "var" and (depth == 0 or (depth == 1 and after_as)):
            names.append(value[1:])
        after_as = kind == "word" and value.upper() == "AS"
    return names
