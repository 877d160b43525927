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
the task of the bodies before it; both are kept as notes (the caller reports them). A name with
a parenthesis that does not spell it ("Policía Nacional (DINAPEN)") is kept whole, as printed, and
reported. A cell may also say that its bodies are those of the row above ("Ídem") or that none is
known yet ("Por definir", "Todas las instituciones", "N/A", a dash): ``same_as_above`` and
``no_body`` in ``plan_matrices.yaml``; a body named twice in one cell is one body, reported. Words left
over that only repeat words of the bodies found in the cell ("Gobiernos Regionales Gobiernos y
Locales", where the extraction shuffled "Gobiernos Regionales y Gobiernos Locales") are a fragment
of those names, reported, not a body of their own.
"""

from __future__ import annotations

import functools
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


@dataclass(frozen=True)
class CellWords:
    """What a cell may say instead of naming bodies (``plan_matrices.yaml``): that the bodies are
    those of the row above (``same``: "Ídem"), or none yet (``placeholders``: "Por definir",
    "Todas las instituciones", "N/A", a dash), each normalised; a placeholder ending in "*" is a
    beginning ("todas las instituciones*" for "Todas las instituciones del Comité")."""

    same: frozenset[str] = frozenset()
    placeholders: frozenset[str] = frozenset()

    def placeholder(self, text: str) -> bool:
        plain = normalise(text)
        if not plain:
            return bool(text.strip()) and not WORD.search(text)  # only marks: "—", "-", "..."
        return plain in self.placeholders or any(p.endswith("*") and plain.startswith(p[:-1].rstrip())
                                                 for p in self.placeholders)


@dataclass
class ActorSplit:
    actors: list[URIRef] = field(default_factory=list)
    unresolved: list[Named] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # instructions, tasks: not bodies
    fragments: list[str] = field(default_factory=list)  # leftover words of the bodies' own names
    joined: list[str] = field(default_factory=list)  # names read as one across a comma or "y" (reported)
    # what the cell says of bodies it names: the full name printed before a known acronym, or the
    # acronym printed after a known name ("Ministerio Público (MP)"), by body
    names: dict[URIRef, str] = field(default_factory=dict)
    acronyms: dict[URIRef, str] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)  # "Por definir", "N/A", "—": no body (reported)
    repeated: list[tuple[str, str]] = field(default_factory=list)  # a body named twice: both forms (reported)
    printed: dict[URIRef, str] = field(default_factory=dict)  # how the cell first prints each known body
    odd: list[str] = field(default_factory=list)  # "Name (X)" where X does not spell the name: kept whole
    same_as_above: bool = False  # "Ídem": the bodies of the row above


def is_acronym(text: str) -> bool:
    return ACRONYM.fullmatch(text) is not None and sum(c.isupper() for c in text) >= 2


def spells(acronym: str, name: str) -> bool:
    """Whether ``acronym`` is made of the beginnings of the name's words, in order, the first word
    among them: SVET of "Secretaría contra la Violencia Sexual, Explotación y Trata", MINEDUC of
    "Ministerio de Educación", CICESCT of "Comisión Interinstitucional contra la Explotación Sexual
    Comercial y Trata"; not DINAPEN of "Policía Nacional"."""
    letters = "".join(WORD.findall(normalise(acronym)))
    words = [w for w in WORD.findall(normalise(name))]
    if not letters or not words or words[0][0] != letters[0]:
        return False

    @functools.cache
    def match(a: int, w: int) -> bool:
        if a == len(letters):
            return True
        if w == len(words):
            return False
        word = words[w]
        # a doubled letter stands for a plural's word ("RREE": Relaciones Exteriores)
        doubled = a + 1 < len(letters) and letters[a + 1] == letters[a] == word[0] and match(a + 2, w + 1)
        return doubled or any(word[:k] == letters[a: a + k] and match(a + k, w + 1)
                              for k in range(min(len(word), len(letters) - a), 0, -1)) or (w > 0 and match(a, w + 1))

    return match(0, 0)


def split_actors(text: str, names: dict[tuple[str, ...], URIRef], heads: Collection[str] = (),
                 separators: Iterable[str] = (), words: CellWords | None = None) -> ActorSplit:
    """The bodies ``text`` names (module docstring): ``names`` maps a body's normalised words to its
    IRI; ``heads`` are the normalised words a body's name begins with; ``separators`` the extra ones
    of the layout ("-", "/"); ``words`` what a cell may say instead of bodies."""
    out = ActorSplit()
    said = words or CellWords()
    if not text.strip() or normalise(text) in NONE:
        return out
    if normalise(text) in said.same:
        out.same_as_above = True
        return out
    soft = re.compile("|".join([SOFT.pattern, *(EXTRA[s] for s in separators if s in EXTRA)]), re.IGNORECASE)
    for piece in HARD.split(text):
        if said.placeholder(piece):
            out.placeholders.append(piece.strip())
        elif normalise(piece):
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
                before = plain[start: words[i].start()]
                end = words[i + n - 1].end()
                printed = plain[words[i].start(): end]
                inside = before.rstrip().endswith("(") and plain[end:].lstrip().startswith(")")
                if inside:  # "Ministerio de Educación (MINEDUC)", the acronym known: the name is its own
                    before, name = _name_before(before, soft, printed)
                    if spells(printed, name):
                        out.names.setdefault(actor, name)
                        printed = f"{name} ({printed})"
                    else:
                        before += name
                    end = end + plain[end:].index(")") + 1
                _unknown(before, heads, soft, out)
                closing = re.match(r"\s*\(([^()]*)\)", plain[end:])  # its own acronym, printed beside it
                if closing and is_acronym(closing.group(1).strip()):
                    out.acronyms.setdefault(actor, closing.group(1).strip())
                start = end + (closing.end() if closing else 0)
                printed += closing.group(0) if closing else ""
                if actor in out.actors:
                    out.repeated.append((out.printed[actor], printed))
                else:
                    out.actors.append(actor)
                    out.printed[actor] = printed
                while i < len(words) and words[i].start() < start:
                    i += 1
                break
        else:
            i += 1
    _unknown(plain[start:], heads, soft, out)


def _name_before(text: str, soft: re.Pattern[str], acronym: str) -> tuple[str, str]:
    """A stretch ending "Name (" split into what comes before the name and the name: the longest
    run of its pieces that the acronym spells (a name may hold a comma or "y"), else its last piece."""
    text = text.rstrip()[:-1].rstrip()
    cuts = [0, *(m.end() for m in soft.finditer(text))]
    cut = next((c for c in cuts if spells(acronym, text[c:])), cuts[-1])
    return text[:cut], EDGE.sub("", text[cut:])


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
            if spells(acronym, text[spans[back][0]:span[0] + m.start()]):
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
            if not m.group(1):
                name = m.group(2)
            elif spells(m.group(2), m.group(1)):
                name, acronym_text = m.group(1), m.group(2)
            else:  # "Policía Nacional (DINAPEN)": not its acronym; a unit? kept as printed, reported
                out.odd.append(body)
        if not began:
            out.joined.append(body)
        named = Named(name, acronym_text)
        if named in out.unresolved:
            out.repeated.append((body, body))
        else:
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
