"""Tested docs (STYLE 13): the README documents every command and every saved query, and the
CI script calls the README's test command."""

from __future__ import annotations

import re

from conftest import HERE
from mandato.catalogue import load_catalogue
from mandato.cli import parser

ROOT = HERE.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict:
    return next(a for a in parser()._actions if a.dest == "command").choices


def test_every_command_is_in_the_readme_and_has_help():
    assert subcommands()
    for name, sub in subcommands().items():
        assert f"`mandato {name}" in README, name
        assert sub.format_help().strip(), name


def test_every_saved_query_is_in_the_readme():
    for name in load_catalogue():
        assert f"`{name}`" in README, name


def test_ci_runs_the_readme_test_command():
    test_command = next(line.strip() for line in README.splitlines() if "pytest" in line and "pip install" in line)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_readme_examples_name_saved_queries():
    for name in re.findall(r"mandato query ([a-z-]+)", README):
        assert name in load_catalogue()
