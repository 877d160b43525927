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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mandato import yamltext
from mandato.errors import IngestError, Location

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

    try:
        data = yamltext.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise wrong(f"cannot read the layout ({exc.strerror})", "a layout file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(Location(str(path), mark.line + 1 if mark else None), "not valid YAML",
                          "a layout as the built-in ones (mandato layouts)") from None
    if not isinstance(data, dict):
        raise wrong(f"the layout is a {type(data).__name__}", "a mapping with title, expects, scope and steps")
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
    formats = data.get("formats", ["txt"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise wrong(f"'formats' is {formats!r}", "a list of file suffixes, e.g. [txt] or [csv, tsv, xlsx]")
    return Layout(path.stem, path, _text(data, "title", wrong), _text(data, "expects", wrong), scope,
                  tuple(f.lower().lstrip(".") for f in formats), tuple(steps), data.get("template"))


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
