"""YAML as mandato reads it (manifests, layouts, tables, saved queries' headers, page texts):
safe, with libyaml's parser where PyYAML has it (ten times the speed of the pure-Python one;
reading the saved queries' headers and the pages' texts took a seventh of a server's start)."""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The YAML document in ``text``; raises ``yaml.YAMLError`` (with ``problem_mark``) when it is not."""
    return yaml.load(text, Loader=LOADER)
