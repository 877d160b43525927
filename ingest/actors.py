"""Splitting a "Responsable" or "Colaboradores" cell into actors.

Cells list several bodies without separators ("MININTER-PNP MP PJ MIMP", "Secretaría Técnica de
la CMNP TPTIM CMNP TPTIM Gobiernos Regionales y Gobiernos Locales"). The words of the cell are
matched, longest name first, against the country's actor registry (``data/reference/actors/``:
names, acronyms and variants); "y" between two actors is a connector. Words that match no name
become one unresolved actor each run, reported as a finding so that a curator can add the alias.
"No hay" means none.

What a cell says besides its bodies is never an actor: a parenthesis ("Presidencia (Presentar
versión final diagramada al pleno)") is a note, unless it holds a body's name ("MINJUS
(INDAGA)"), and what follows a colon ("Países miembros: Validar la Estrategia…") is the task
of the bodies before it; both are kept as notes (the caller reports them). Words left over that
only repeat words of the bodies found in the cell ("Gobiernos Regionales Gobiernos y Locales",
where the extraction shuffled "Gobiernos Regionales y Gobiernos Locales") are a fragment of those
names, reported, not a body of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from mandato.normalise import normalise, strip_markup

WORD = re.compile(r"[^\W_]+")
CONNECTORS = {"y", "e"}
NONE = {"no hay", "ninguno", "ninguna", "no aplica"}


PARENTHESIS = re.compile(r"\(([^()]*)\)")


@dataclass
class ActorSplit:
    actors: list[URIRef] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # instructions, tasks: not bodies
    fragments: list[str] = field(default_factory=list)  # leftover words of the bodies' own names


def split_actors(text: str, names: dict[tuple[str, ...], URIRef]) -> ActorSplit:
    plain = strip_markup(text)
    out = ActorSplit()
    if not normalise(plain) or normalise(plain) in NONE:
        return out
    def aside(m: re.Match[str]) -> str:  # a parenthesis that is a body's name stays: "MINJUS (INDAGA)"
        inner = m.group(1).strip()
        if tuple(normalise(w) for w in WORD.findall(inner)) in names:
            return m.group(0)
        if inner:
            out.notes.append(inner)
        return " "

    plain = PARENTHESIS.sub(aside, plain)
    if ":" in plain:
        plain, task = plain.split(":", 1)
        if task.strip():
            out.notes.append(task.strip())
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
    found = {w for key, actor in names.items() if actor in out.actors for w in key} if out.unresolved else set()
    for run_text in list(out.unresolved):
        words_of = [normalise(w) for w in WORD.findall(run_text)]
        if found and all(w in found or w in CONNECTORS for w in words_of):
            out.unresolved.remove(run_text)
            out.fragments.append(run_text)
    return out
