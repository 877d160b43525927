"""Splitting a "Responsable" or "Colaboradores" cell into actors.

Cells list several bodies without separators ("MININTER-PNP MP PJ MIMP", "Secretaría Técnica de
la CMNP TPTIM CMNP TPTIM Gobiernos Regionales y Gobiernos Locales"). The words of the cell are
matched, longest name first, against the country's actor registry (``data/reference/actors/``:
names, acronyms and variants); "y" between two actors is a connector. Words that match no name
become one unresolved actor each run, reported as a finding so that a curator can add the alias.
"No hay" means none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from mandato.normalise import normalise, strip_markup

WORD = re.compile(r"[^\W_]+")
CONNECTORS = {"y", "e"}
NONE = {"no hay", "ninguno", "ninguna", "no aplica"}


@dataclass
class ActorSplit:
    actors: list[URIRef] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def split_actors(text: str, names: dict[tuple[str, ...], URIRef]) -> ActorSplit:
    plain = strip_markup(text)
    out = ActorSplit()
    if not normalise(plain) or normalise(plain) in NONE:
        return out
    words = WORD.findall(plain)
    tokens = [normalise(w) for w in words]
    longest = max((len(k) for k in names), default=1)
    run: list[str] = []

    def flush() -> None:
        while run and normalise(run[-1]) in CONNECTORS:
            run.pop()
        if run:
            out.unresolved.append(" ".join(run))
        run.clear()

    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            actor = names.get(tuple(tokens[i : i + n]))
            if actor is not None:
                flush()
                if actor not in out.actors:
                    out.actors.append(actor)
                i += n
                break
        else:
            if not (tokens[i] in CONNECTORS and not run):
                run.append(words[i])
            i += 1
    flush()
    return out
