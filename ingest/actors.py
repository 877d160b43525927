"""Splitting a "Responsable" or "Colaboradores" cell into the bodies it names, known or not.

A cell names its bodies in the forms curators write: separated by a semicolon or a line break
(always a separator), a comma, "y" or "e" (separators unless a name runs on, below), as a name
with its acronym in parentheses ("Secretaría de Bienestar Social (SBS)": one body, its acronym),
or one after the other without separators ("MININTER-PNP MP PJ MIMP"). Bodies of the reference
data (``data/reference/actors/``: names, acronyms and variants, and the bodies a source being read
already named) are found first, longest name first, wherever they stand in the cell; what is left
is split on the separators, each piece a body of its own, kept as printed (a hyphen or a slash
splits only where the layout's ``separators`` say so). Never are two names joined into one body.

A comma or "y" may also sit inside one body's name ("Ministerio de Trabajo y Previsión Social"):
a piece that does not begin as a body's name does (an acronym, or a word such as Ministerio,
Secretaría, Comisión: ``body_heads`` in ``plan_matrices.yaml``) runs on the name before it. When an
acronym in parentheses closes the name and its letters are the initials of the words before it
("Secretaría contra la Violencia Sexual, Explotación y Trata de Personas (SVET)"), the name is
certain; otherwise the joining is reported (``joined``), so that a curator who meant two bodies
separates them with a semicolon. "No hay" means none.

What a cell says besides its bodies is never a body: a parenthesis that is no acronym
("Presidencia (Presentar versión final diagramada al pleno)") is a note, unless it holds a body's
name ("MINJUS (INDAGA)"), and what follows a colon ("Países miembros: Validar la Estrategia…") is
the task of the bodies before it; both are kept as notes (the caller reports them). Words left
over that only repeat words of the bodies found in the cell ("Gobiernos Regionales Gobiernos y
Locales", where the extraction shuffled "Gobiernos Regionales y Gobiernos Locales") are a fragment
of those names, reported, not a body of their own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from mandato.normalise import normalise, strip_markup

WORD = re.compile(r"[^\W_]+")
CONNECTORS = {"y", "e"}
NONE = {"no hay", "ninguno", "ninguna", "no aplica"}
HARD = re.compile(r"\s*(?:;|\r\n|\r|\n)\s*")  # always separate two bodies
SOFT = re.compile(r"\s*,\s*|\s+(?:y|e)\s+", re.IGNORECASE)  # separate them unless a name runs on
EXTRA = {"-": r"\s*-\s*", "/": r"\s*/\s*"}  # separators a layout may add
PARENTHESIS = re.compile(r"\(([^()]*)\)")
ACRONYM = re.compile(r"[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9&.\-/]*[A-ZÁÉÍÓÚÑ0-9]")  # SBS, SE-CNCTP, MININTER-PNP
EDGE = re.compile(r"^[\s,.;:]+|[\s,.;:]+$")


@dataclass(frozen=True)
class Named:
    """A body a cell names that the reference data does not know: its name as printed, and the
    acronym printed beside it."""

    name: str
    acronym: str | None = None


@dataclass
class ActorSplit:
    actors: list[URIRef] = field(default_factory=list)
    unresolved: list[Named] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # instructions, tasks: not bodies
    fragments: list[str] = field(default_factory=list)  # leftover words of the bodies' own names
    joined: list[str] = field(default_factory=list)  # names read as one across a comma or "y" (reported)


def is_acronym(text: str) -> bool:
    return ACRONYM.fullmatch(text) is not None and sum(c.isupper() for c in text) >= 2


def split_actors(text: str, names: dict[tuple[str, ...], URIRef], heads: Collection[str] = (),
                 separators: Iterable[str] = ()) -> ActorSplit:
    """The bodies ``text`` names (module docstring): ``names`` maps a body's normalised words to its
    IRI; ``heads`` are the normalised words a body's name begins with; ``separators`` the extra ones
    of the layout ("-", "/")."""
    out = ActorSplit()
    if not normalise(text) or normalise(text) in NONE:
        return out
    soft = re.compile("|".join([SOFT.pattern, *(EXTRA[s] for s in separators if s in EXTRA)]), re.IGNORECASE)
    for piece in HARD.split(text):
        if normalise(piece):
            _piece(strip_markup(piece), names, heads, soft, out)
    found = {w for key, actor in names.items() if actor in out.actors for w in key} if out.unresolved else set()
    for named in list(out.unresolved):
        words_of = [normalise(w) for w in WORD.findall(named.name)]
        if found and all(w in found or w in CONNECTORS for w in words_of):
            out.unresolved.remove(named)
            out.fragments.append(named.name)
    return out


def _piece(plain: str, names: dict[tuple[str, ...], URIRef], heads: Collection[str], soft: re.Pattern[str],
           out: ActorSplit) -> None:
    """The bodies of one piece of a cell (between hard separators)."""
    def aside(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if tuple(normalise(w) for w in WORD.findall(inner)) in names or is_acronym(inner):
            return m.group(0)  # a body's name ("MINJUS (INDAGA)") or an acronym ("(SBS)") stays
        if inner:
            out.notes.append(inner)
        return " "

    plain = " ".join(PARENTHESIS.sub(aside, plain).split())
    if ":" in plain:
        plain, task = plain.split(":", 1)
        if task.strip():
            out.notes.append(task.strip())
    words = list(WORD.finditer(plain))
    tokens = [normalise(w.group()) for w in words]
    longest = max((len(k) for k in names), default=1)
    start, i = 0, 0  # the first character not yet given to a body

    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            actor = names.get(tuple(tokens[i: i + n]))
            if actor is not None:
                _unknown(plain[start: words[i].start()], heads, soft, out)
                if actor not in out.actors:
                    out.actors.append(actor)
                end = words[i + n - 1].end()
                closing = re.match(r"\s*\([^()]*\)", plain[end:])  # its own acronym, printed beside it
                start = end + (closing.end() if closing else 0)
                while i < len(words) and words[i].start() < start:
                    i += 1
                break
        else:
            i += 1
    _unknown(plain[start:], heads, soft, out)


def _unknown(text: str, heads: Collection[str], soft: re.Pattern[str], out: ActorSplit) -> None:
    """The bodies of a stretch of a cell that names none the reference data knows."""
    text = EDGE.sub("", text)
    text = re.sub(r"^(?:y|e)\s+|\s+(?:y|e)$", "", text, flags=re.IGNORECASE)
    if not WORD.search(text) or normalise(text) in CONNECTORS:
        return
    bounds = [0, *(x for m in soft.finditer(text) for x in (m.start(), m.end())), len(text)]
    pieces = [(bounds[k], bounds[k + 1]) for k in range(0, len(bounds), 2)]  # spans of text between separators
    spans: list[list[int]] = []  # each body: [start, end, 1 if its name began as a name does]
    for a, b in pieces:
        if not WORD.search(text[a:b]):
            continue
        if spans and not _begins_a_name(text[a:b], heads):
            spans[-1][1], spans[-1][2] = b, 0  # runs on the name before it
        else:
            spans.append([a, b, 1])
    for n, span in enumerate(spans):  # a name certain by its acronym takes in the bodies before it
        m = re.search(r"\(([^()]*)\)\s*$", text[span[0]:span[1]])
        if not (m and is_acronym(m.group(1))):
            continue
        acronym = normalise(m.group(1)).replace(" ", "")
        for back in range(n, max(n - 4, -1), -1):
            if spans[back][1] == -1:
                break
            if _initials_match(text[spans[back][0]:span[0] + m.start()], acronym):
                span[0], span[2] = spans[back][0], 1
                for gone in spans[back:n]:
                    gone[1] = -1  # taken in
                break
    for a, b, began in spans:
        if b == -1:
            continue
        body = text[a:b]
        name, acronym_text = body, None
        m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", body)
        if m and is_acronym(m.group(2)):
            name, acronym_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(2), None)
        if not began:
            out.joined.append(body)
        named = Named(name, acronym_text)
        if named not in out.unresolved:
            out.unresolved.append(named)


def _begins_a_name(piece: str, heads: Collection[str]) -> bool:
    """Whether a piece of a cell begins as a body's name does: an acronym, or a word of ``heads``
    (in the singular or the plural, after an article)."""
    words = WORD.findall(piece)
    if not words:
        return False
    if is_acronym(words[0]) or is_acronym(piece.split()[0].strip("(),")):
        return True
    first = [normalise(w) for w in words[:2]]
    if first[0] in ("el", "la", "los", "las") and len(first) > 1:
        first = first[1:]
    word = first[0]
    return any(form in heads for form in (word, word.removesuffix("s"), word.removesuffix("es")))


def _initials_match(name: str, acronym: str) -> bool:
    """Whether the acronym's letters are the initials of the name's capitalised words, in order,
    beginning with its first word ("Secretaría contra la Violencia Sexual, Explotación y Trata"
    for SVET)."""
    initials = [normalise(w)[0] for w in WORD.findall(name) if w[0].isupper()]
    if not initials or not acronym or initials[0] != acronym[0]:
        return False
    k = 0
    for letter in initials:
        if k < len(acronym) and letter == acronym[k]:
            k += 1
    return k == len(acronym)
