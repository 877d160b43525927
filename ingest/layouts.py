"""Layouts: how a kind of document is laid out, as data (``ingest/layouts/<name>.yaml``).

A layout names the engines that read a document, in order, each with its options (section
markers, patterns of the cover, column synonyms, date forms, act marks). The engines are generic
(``ingest/__init__.py``); a document's own facts (key, title, period, country, issuer) come from its
text through the layout's patterns or from its manifest entry, never from code. A curator copies a
built-in layout beside a manifest and edits it; ``mandato layouts`` lists the built-in ones.

File: ``title`` and ``expects`` (``es`` and ``en``: what the layout reads and what the document
must look like), ``scope`` (``plan``: a document with plans, which needs a jurisdiction or a
regional body's actors; ``treaties``: treaty actions of any country), ``formats`` (file suffixes
it reads), ``steps``: a list of ``{engine: NAME, ...options}`` or ``{include: LAYOUT}`` (the
steps of another layout), and ``template`` (optional: the workbook ``mandato template`` writes).

The options that are patterns (:data:`PATTERN_OPTIONS`) are checked when the layout loads and run
in linear time (:func:`layout_pattern`): a pattern that cannot be run alike is an error naming the
layout file, the step and the option.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mandato import yamltext
from mandato.errors import IngestError, Location, did_you_mean

# Python's own parser of regular expressions (the re module's): a layout's pattern is read as re reads it.
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")

LAYOUT_DIR = Path(__file__).with_name("layouts")
SCOPES = ("plan", "treaties")


@dataclass(frozen=True)
class Layout:
    name: str
    path: Path
    title: dict[str, str]
    expects: dict[str, str]
    scope: str
    formats: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]
    template: dict[str, Any] | None = None  # what `mandato template` writes for this layout

    @property
    def engines(self) -> list[str]:
        return [step["engine"] for step in self.steps]

    @property
    def reads_facts(self) -> bool:
        """Whether the document itself may state its plan's facts and jurisdiction (a workbook's
        sheet of plan facts)."""
        return any("facts" in step for step in self.steps)


def _text(data: dict[str, Any], key: str, wrong) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in ("es", "en")):
        raise wrong(f"'{key}' is {value!r}", f"'{key}:' with es and en texts")
    return {"es": value["es"], "en": value["en"]}


def read_layout(path: Path) -> Layout:
    """A layout file, checked: what is wrong names the file."""
    from . import ENGINES

    def wrong(problem: str, expected: str) -> IngestError:
        return IngestError(Location(str(path)), problem, expected)

    from mandato.files import read_regular

    try:
        data = yamltext.load(read_regular(path, "the layout").decode("utf-8"))
    except UnicodeDecodeError:
        raise wrong("the layout is not UTF-8 text", "a layout file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(Location(str(path), mark.line + 1 if mark else None), "not valid YAML",
                          "a layout as the built-in ones (mandato layouts)") from None
    if not isinstance(data, dict):
        raise wrong(f"the layout is a {type(data).__name__}", "a mapping with title, expects, scope and steps")
    for key in data:
        if key not in LAYOUT_KEYS:
            raise wrong(f"the layout has the key '{key}'{did_you_mean(str(key), LAYOUT_KEYS)}",
                        "the keys " + ", ".join(LAYOUT_KEYS))
    scope = data.get("scope")
    if scope not in SCOPES:
        raise wrong(f"'scope' is {scope!r}", "scope: " + " or ".join(SCOPES))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise wrong(f"'steps' is {steps!r}", "a list of steps: - engine: NAME, with its options")
    steps = [included for step in steps for included in _include(step, path, wrong)]
    for n, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or step.get("engine") not in ENGINES:
            engine = step.get("engine") if isinstance(step, dict) else step
            raise wrong(f"step {n} names the engine {engine!r}", "one of " + ", ".join(ENGINES))
    for n, step in enumerate(steps, start=1):
        _declared(step, n, wrong)
    for n, step in enumerate(steps, start=1):
        for option, pattern, flags in pattern_options(step):
            try:
                layout_pattern(pattern, flags)
            except PatternError as exc:
                raise wrong(f"step {n} ({step['engine']}), option '{option}': {exc.problem}", exc.expected) from None
    formats = data.get("formats", ["txt"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise wrong(f"'formats' is {formats!r}", "a list of file suffixes, e.g. [txt] or [csv, tsv, xlsx]")
    return Layout(path.stem, path, _text(data, "title", wrong), _text(data, "expects", wrong), scope,
                  tuple(f.lower().lstrip(".") for f in formats), tuple(steps), data.get("template"))


def _declared(step: dict[str, Any], n: int, wrong) -> None:
    """Every key of a step is an option its engine reads, and every role its ``columns`` name a
    role the engine knows (ingest.OPTIONS, ingest.COLUMN_ROLES): a misspelt one is an error."""
    from . import COLUMN_ROLES, OPTIONS

    engine = step["engine"]
    for key in step:
        if key != "engine" and key not in OPTIONS[engine]:
            raise wrong(f"step {n} ({engine}) has the option '{key}'{did_you_mean(key, OPTIONS[engine])}, which "
                        f"the engine does not read", "its options: " + ", ".join(sorted(OPTIONS[engine])))
    columns = step.get("columns")
    if isinstance(columns, dict) and engine in COLUMN_ROLES:
        for role in columns:
            if role not in COLUMN_ROLES[engine]:
                raise wrong(f"step {n} ({engine}): the columns name the role '{role}'"
                            f"{did_you_mean(str(role), COLUMN_ROLES[engine])}, which the engine does not know",
                            "roles: " + ", ".join(sorted(COLUMN_ROLES[engine])))


LAYOUT_KEYS = ("title", "expects", "scope", "formats", "steps", "template")


def _include(step: Any, path: Path, wrong) -> list[Any]:
    """A step ``{include: NAME}`` stands for the steps of the built-in layout NAME (or of a layout
    file beside this one), so that two layouts share one table's options."""
    if not (isinstance(step, dict) and "include" in step):
        return [step]
    name = str(step["include"])
    target = path.with_name(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not target.is_file():
        target = LAYOUT_DIR / f"{name}.yaml"
    if not target.is_file() or target.resolve() == path.resolve():
        raise wrong(f"the step includes '{name}', which is no other layout", "include: a built-in layout's name")
    return list(read_layout(target).steps)


@cache
def builtin_layouts() -> dict[str, Layout]:
    return {p.stem: read_layout(p) for p in sorted(LAYOUT_DIR.glob("*.yaml"))}


# Layouts' patterns ---------------------------------------------------------------------------------
#
# A layout's pattern is written as Python's re writes it, and run by RE2 (google-re2), whose time is
# linear in the text: no pattern can backtrack for ever. The pattern is parsed by Python's own parser
# and written out again for RE2, so that it means what it means in Python: \s, \d and \w (and their
# negations) are Unicode classes as in Python, not RE2's ASCII ones; ^ and $ follow the MULTILINE
# flag; . never matches a line break unless DOTALL. What RE2 cannot run alike is refused when the
# layout loads: look-around, back-references, conditionals, atomic groups and possessive repeats,
# and repetition counts over 1000. Two differences remain, documented for curators: \b and \B
# count only ASCII letters, digits and _ as word characters, and $ without MULTILINE matches at the
# very end of the text only (Python's also before a final line break, which a line never has).
# Nested quantifiers ((a+)+, (a*)*, (a|a)*: a repeated part that can match the same text in more
# than one way) are refused too: harmless in RE2, they are a mistake, and exponential in Python.

MAX_REPEAT_COUNT = 1000  # RE2's largest {n,m}
PATTERN_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.ASCII | re.VERBOSE | re.UNICODE
SPACE = ((0x9, 0xD), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
         (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000))  # str.isspace, as \s
# What first-character sets are compared on (the nested-quantifier check): Latin, and a few others.
SAMPLE = "".join(map(chr, range(0x250))) + "\u0391\u03c9\u0416\u0436\u05d0\u0660\u0966\u1680\u2003\u2028\u3000中"
# Layout options that are patterns, by engine, with the flags the engine compiles them with. A
# ``cover`` or ``approval`` (``plans_common``) runs over the text's lines joined, MULTILINE.
_COVER = {"cover": re.MULTILINE, "approval": re.MULTILINE}
PATTERN_OPTIONS: dict[str, dict[str, Any]] = {
    "frame-matrices": {**_COVER, "axis": re.IGNORECASE, "objective": re.IGNORECASE},
    "axis-matrices": {**_COVER, "ends": re.IGNORECASE, "axis": re.IGNORECASE, "objective": re.IGNORECASE},
    "narrative-plan": {**_COVER, "axis": re.IGNORECASE, "objective": re.IGNORECASE, "result": re.IGNORECASE,
                       "indicators": re.IGNORECASE},
    "section-matrices": _COVER,
    "presentation-plan": {**_COVER, "operational": _COVER},
    "plan-table": _COVER,
    "ratification-table": {"as_at": re.IGNORECASE},
    "treaty-statements": {"heading": re.IGNORECASE},
}


class PatternError(ValueError):
    """A layout's pattern cannot be run alike by the linear engine: ``problem`` and ``expected``."""

    def __init__(self, problem: str, expected: str = "a regular expression as in the built-in layouts "
                 "(Python's re syntax, without look-around, back-references or nested repetition)"):
        super().__init__(problem)
        self.problem, self.expected = problem, expected


class LayoutMatch:
    """A match of a :class:`LayoutPattern`, with ``re.Match``'s reading methods (groups by number
    or name)."""

    __slots__ = ("_m", "re")

    def __init__(self, match: Any, pattern: LayoutPattern):
        self._m, self.re = match, pattern

    def _index(self, group: int | str) -> int:
        if isinstance(group, str):
            if group not in self.re.groupindex:
                raise IndexError(f"no such group: {group}")
            return self.re.groupindex[group]
        return group

    def group(self, *groups: int | str) -> Any:
        return self._m.group(*(self._index(g) for g in groups))

    def __getitem__(self, group: int | str) -> str | None:
        return self._m.group(self._index(group))

    def groups(self, default: Any = None) -> tuple[Any, ...]:
        return self._m.groups(default)

    def groupdict(self, default: Any = None) -> dict[str, Any]:
        values = self._m.groups(default)
        return {name: values[n - 1] for name, n in self.re.groupindex.items()}

    def start(self, group: int | str = 0) -> int:
        return int(self._m.start(self._index(group)))

    def end(self, group: int | str = 0) -> int:
        return int(self._m.end(self._index(group)))

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self.start(group), self.end(group)

    @property
    def string(self) -> str:
        return str(self._m.string)


class LayoutPattern:
    """A layout's pattern compiled for RE2: ``match``, ``search``, ``fullmatch`` and ``finditer``
    as ``re.Pattern``'s, ``groups`` and ``groupindex`` (in the order of the groups)."""

    def __init__(self, pattern: str, flags: int, compiled: Any, groupindex: dict[str, int]):
        self.pattern, self.flags, self._re2 = pattern, flags, compiled
        self.groups: int = compiled.groups
        self.groupindex = groupindex

    def _wrap(self, m: Any) -> LayoutMatch | None:
        return None if m is None else LayoutMatch(m, self)

    def match(self, text: str, pos: int = 0) -> LayoutMatch | None:
        return self._wrap(self._re2.match(text, pos))

    def search(self, text: str, pos: int = 0) -> LayoutMatch | None:
        return self._wrap(self._re2.search(text, pos))

    def fullmatch(self, text: str, pos: int = 0) -> LayoutMatch | None:
        return self._wrap(self._re2.fullmatch(text, pos))

    def finditer(self, text: str) -> Iterator[LayoutMatch]:
        return (LayoutMatch(m, self) for m in self._re2.finditer(text))

    def __repr__(self) -> str:
        return f"layout_pattern({self.pattern!r})"


def layout_pattern(pattern: str, flags: int = 0) -> LayoutPattern:
    """A layout's pattern (Python's syntax; ``flags``: ``re.IGNORECASE``, ``re.MULTILINE``…) for
    the linear engine, checked: :class:`PatternError` says what cannot be run alike."""
    if not isinstance(pattern, str):
        raise PatternError(f"the pattern is {pattern!r}, not text", "a regular expression in quotes")
    return _layout_pattern(pattern, flags)


@cache
def _layout_pattern(pattern: str, flags: int) -> LayoutPattern:
    import re2  # google-re2

    try:
        parsed = sre_parse.parse(pattern, flags & PATTERN_FLAGS)
    except re.error as exc:
        raise PatternError(f"the pattern is not a regular expression ({exc})") from None
    except RecursionError:
        raise PatternError("the pattern nests too deeply") from None
    flags = parsed.state.flags
    if flags & re.LOCALE:
        raise PatternError("the pattern uses the LOCALE flag (?L)")
    _nested(list(parsed), flags)
    if flags & re.ASCII and flags & re.IGNORECASE:
        raise PatternError("the pattern has the flags (?a) and (?i) together, which the linear engine cannot run "
                           "alike (it folds the case of every letter)", "(?i) without (?a)")
    text = _written(list(parsed), flags)  # groups by number: their names stay with the pattern
    if flags & re.IGNORECASE:
        text = f"(?i:{text})"
    try:
        compiled = re2.compile(text)
    except re2.error as exc:
        raise PatternError(f"the linear engine cannot run the pattern ({exc})") from None
    return LayoutPattern(pattern, flags, compiled, dict(sorted(parsed.state.groupdict.items(), key=lambda g: g[1])))


def pattern_options(step: dict[str, Any]) -> Iterator[tuple[str, Any, int]]:
    """The options of a layout's step that are patterns: (name, pattern, flags of its engine)."""

    def walk(options: dict[str, Any], spec: dict[str, Any], prefix: str) -> Iterator[tuple[str, Any, int]]:
        for name, flags in spec.items():
            value = options.get(name)
            if value is None:
                continue
            if isinstance(flags, dict):
                if isinstance(value, dict):
                    yield from walk(value, flags, f"{prefix}{name}.")
                continue
            yield f"{prefix}{name}", value, flags

    yield from walk(step, PATTERN_OPTIONS.get(str(step.get("engine")), {}), "")


_C = sre_constants
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)
_PYTHON_CLASS = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
                 _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W"}


def _scoped(flags: int, av: tuple) -> int:
    """The flags inside a group ``(?i:…)``, ``(?-i:…)``."""
    _, add, remove, _ = av
    return (flags | add) & ~remove


def _hex(c: int) -> str:
    return chr(c) if c < 128 and chr(c).isalnum() else f"\\x{{{c:x}}}"


def _complement(ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out, start = [], 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    return [*out, (start, 0x10FFFF)]


def _ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(_hex(lo) if lo == hi else f"{_hex(lo)}-{_hex(hi)}" for lo, hi in ranges)


def _category(code: Any, flags: int) -> str:
    """A class escape inside RE2's brackets, meaning what it means in Python."""
    if flags & re.ASCII:
        return {_C.CATEGORY_DIGIT: "0-9", _C.CATEGORY_NOT_DIGIT: r"\x{0}-\x{2f}\x{3a}-\x{10ffff}",
                _C.CATEGORY_SPACE: r"\t-\r ", _C.CATEGORY_NOT_SPACE: r"\x{0}-\x{8}\x{e}-\x{1f}\x{21}-\x{10ffff}",
                _C.CATEGORY_WORD: "0-9A-Za-z_"}[code]
    return {_C.CATEGORY_DIGIT: r"\p{Nd}", _C.CATEGORY_NOT_DIGIT: r"\P{Nd}", _C.CATEGORY_SPACE: _ranges(SPACE),
            _C.CATEGORY_NOT_SPACE: _ranges(_complement(SPACE)), _C.CATEGORY_WORD: r"\p{L}\p{N}_"}[code]


def _python_class(items: list, flags: int) -> str:
    """A class of the parsed pattern written back in Python's syntax."""
    out = []
    for op, av in items:
        if op is _C.NEGATE:
            out.append("^")
        elif op is _C.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _C.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _C.CATEGORY:
            out.append(_PYTHON_CLASS[av])
    return "[" + "".join(out) + "]"


@cache
def _exact_class(python: str, flags: int) -> str:
    """RE2's class of exactly the characters Python's class ``python`` matches (found by trying
    each one): for what brackets cannot write alike, such as ``[^\\W\\d]``."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    found = [(m.start(), m.end() - 1) for m in re.finditer(python + "+", every, flags & (re.IGNORECASE | re.ASCII))]
    ranges = [(ord(every[a]), ord(every[b])) for a, b in found]
    return "(?-i:[" + _ranges(ranges) + "])" if ranges else r"[^\x{0}-\x{10ffff}]"


def _class(items: list, flags: int) -> str:
    negated = bool(items) and items[0][0] is _C.NEGATE
    items = items[1:] if negated else items
    if any(op is _C.CATEGORY and av is _C.CATEGORY_NOT_WORD for op, av in items):
        if negated or flags & re.ASCII:
            return _exact_class(_python_class([*([(_C.NEGATE, None)] if negated else []), *items], flags), flags)
        others = [(op, av) for op, av in items if not (op is _C.CATEGORY and av is _C.CATEGORY_NOT_WORD)]
        word = r"[^\p{L}\p{N}_]"
        return f"(?:{_class(others, flags)}|{word})" if others else word
    body = []
    for op, av in items:
        if op is _C.LITERAL:
            body.append(_hex(av))
        elif op is _C.RANGE:
            body.append(f"{_hex(av[0])}-{_hex(av[1])}")
        elif op is _C.CATEGORY:
            body.append(_category(av, flags))
        else:
            raise PatternError(f"the pattern has a class the linear engine cannot write ({op})")
    if not body:  # [^] cannot be written; a class of nothing matches nothing
        return r"[^\x{0}-\x{10ffff}]" if not negated else r"[\x{0}-\x{10ffff}]"
    return ("[^" if negated else "[") + "".join(body) + "]"


def _written(items: list, flags: int) -> str:
    """The parsed pattern ``items`` written for RE2, meaning what it means in Python."""
    out = []
    for op, av in items:
        if op is _C.LITERAL:
            out.append(_hex(av))
        elif op is _C.NOT_LITERAL:
            out.append(f"[^{_hex(av)}]")
        elif op is _C.ANY:
            out.append(r"(?s:.)" if flags & re.DOTALL else r"[^\n]")
        elif op is _C.IN:
            out.append(_class(av, flags))
        elif op is _C.AT:
            out.append(_anchor(av, flags))
        elif op is _C.BRANCH:
            out.append("(?:" + "|".join(_written(alt, flags) for alt in av[1]) + ")")
        elif op is _C.SUBPATTERN:
            group, add, remove, sub = av
            inner = _written(sub, _scoped(flags, av))
            if (add | remove) & re.IGNORECASE:
                inner = f"(?{'i' if add & re.IGNORECASE else '-i'}:{inner})"
            out.append(f"(?:{inner})" if group is None else f"({inner})")
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            lo, hi, sub = av
            for count in (lo, hi):
                if count is not _C.MAXREPEAT and count > MAX_REPEAT_COUNT:
                    raise PatternError(f"the pattern repeats something {count} times",
                                       f"repetition counts of at most {MAX_REPEAT_COUNT}")
            quantifier = ("*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}") if hi is _C.MAXREPEAT else (
                "?" if (lo, hi) == (0, 1) else f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}")
            out.append(f"(?:{_written(sub, flags)}){quantifier}{'?' if op is _C.MIN_REPEAT else ''}")
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            raise PatternError("the pattern has a look-ahead or look-behind ((?=…), (?!…), (?<=…), (?<!…)), "
                               "which the linear engine cannot run")
        elif op in (_C.GROUPREF, _C.GROUPREF_EXISTS):
            raise PatternError("the pattern has a back-reference (\\1, (?P=name) or (?(1)…|…)), which the "
                               "linear engine cannot run")
        else:  # atomic groups (?>…) and possessive repeats *+, ++, ?+
            raise PatternError(f"the pattern has an atomic group or possessive repeat ({op}), which the linear "
                               "engine cannot run")
    return "".join(out)


def _anchor(code: Any, flags: int) -> str:
    if code is _C.AT_BEGINNING:
        return "(?m:^)" if flags & re.MULTILINE else r"\A"
    if code is _C.AT_BEGINNING_STRING:
        return r"\A"
    if code is _C.AT_END:
        return "(?m:$)" if flags & re.MULTILINE else r"\z"
    if code is _C.AT_END_STRING:
        return r"\z"
    if code is _C.AT_BOUNDARY:
        return r"\b"
    if code is _C.AT_NON_BOUNDARY:
        return r"\B"
    raise PatternError(f"the pattern has an anchor the linear engine cannot run ({code})")


# The nested-quantifier check: a repeated part (…)* must split a text into its repetitions one way
# only. It is refused when its body can match nothing ((a*)*), when two of its alternatives are the
# same ((a|a)*), or when a repetition inside it can take the characters that may follow it within
# the body or begin the next repetition ((a+)+, (\w+\s?)+; not (\.\d+)*, whose repetitions each
# begin with a dot).

NESTED = ("a repeated group whose repetitions can split the same text in more than one way "
          "(nested quantifiers such as (a+)+, (a*)* or (a|a)*)")
NESTED_EXPECTED = ("a pattern whose repeated groups begin or end with what their inner repetition cannot "
                   "match, such as (\\d+(?:\\.\\d+)*) for 1.2.3")


@cache
def _chars(python: str, flags: int) -> frozenset[str]:
    compiled = re.compile(python, flags & (re.IGNORECASE | re.ASCII | re.DOTALL))
    return frozenset(c for c in SAMPLE if compiled.match(c))


def _first(items: list, flags: int) -> tuple[frozenset[str], bool]:
    """The characters a sequence may begin with (of :data:`SAMPLE`), and whether it may match
    nothing."""
    found: frozenset[str] = frozenset()
    for op, av in items:
        chars, empty = _first_one(op, av, flags)
        found |= chars
        if not empty:
            return found, False
    return found, True


def _first_one(op: Any, av: Any, flags: int) -> tuple[frozenset[str], bool]:
    if op is _C.LITERAL:
        return _chars(re.escape(chr(av)), flags), False
    if op is _C.NOT_LITERAL:
        return _chars(f"[^{re.escape(chr(av))}]", flags), False
    if op is _C.ANY:
        return _chars(".", flags), False
    if op is _C.IN:
        return _chars(_python_class(av, flags), flags), False
    if op in _REPEATS:
        chars, empty = _first(av[2], flags)
        return chars, empty or av[0] == 0
    if op is _C.SUBPATTERN:
        return _first(av[3], _scoped(flags, av))
    if op is _C.ATOMIC_GROUP:
        return _first(av, flags)
    if op is _C.BRANCH:
        firsts = [_first(alt, flags) for alt in av[1]]
        return frozenset().union(*(f for f, _ in firsts)), any(e for _, e in firsts)
    return frozenset(), True  # anchors, look-around, back-references (refused when written)


def _nested(items: list, flags: int) -> None:
    """Refuse nested quantifiers anywhere in ``items`` (see above)."""
    for op, av in items:
        if op in _REPEATS:
            _, hi, body = av
            if hi > 1:
                first, empty = _first(body, flags)
                if empty:
                    raise PatternError(f"the pattern has {NESTED}: a repeated group that can match nothing",
                                       NESTED_EXPECTED)
                _ambiguous(body, first, flags)
            _nested(body, flags)
        elif op is _C.SUBPATTERN:
            _nested(av[3], _scoped(flags, av))
        elif op is _C.BRANCH:
            for alt in av[1]:
                _nested(alt, flags)
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            _nested(av[1], flags)


def _ambiguous(items: list, after: frozenset[str], flags: int) -> None:
    """Inside a repeated group: ``after``, what may follow ``items`` (up to the group's next
    repetition)."""
    for n, (op, av) in enumerate(items):
        rest, empty = _first(items[n + 1:], flags)
        follow = rest | after if empty else rest
        if op in _REPEATS:
            _, hi, sub = av
            first, _ = _first(sub, flags)
            if hi > 1 and first & follow:
                raise PatternError(f"the pattern has {NESTED}", NESTED_EXPECTED)
            _ambiguous(sub, follow | first, flags)
        elif op is _C.SUBPATTERN:
            _ambiguous(av[3], follow, _scoped(flags, av))
        elif op is _C.BRANCH:
            alternatives = [repr(alt) for alt in av[1]]
            if len(set(alternatives)) < len(alternatives):
                raise PatternError(f"the pattern has {NESTED}: two alternatives of a repeated group are the same",
                                   NESTED_EXPECTED)
            for alt in av[1]:
                _ambiguous(alt, follow, flags)
