"""Text normalisation shared by readers and the parameter resolver.

Matching is case-, accent- and punctuation-insensitive: ``"Convención de Belém do Pará"``,
``"convencion de belem do para"`` and ``"CONVENCIÓN DE BELEM DO PARÁ."`` normalise alike.
"""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # footnote numbers, as PDF extraction leaves them
_NO_SUPERSCRIPTS = {ord(c): " " for c in SUPERSCRIPTS}
_NON_WORD = re.compile(r"[^0-9a-z]+")
STOPWORDS = frozenset(
    ["a", "al", "de", "del", "el", "en", "la", "las", "lo", "los", "para", "por", "que", "sobre", "y", "e", "o",
     "the", "of", "on", "and", "for", "to", "in"]
)


def strip_markup(text: str) -> str:
    """Remove HTML tags and footnote superscripts left over from PDF extraction."""
    text = _TAG.sub(" ", text)
    text = text.translate(_NO_SUPERSCRIPTS)
    return " ".join(text.split())


def normalise(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces."""
    text = unicodedata.normalize("NFKD", strip_markup(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", text).strip()


def tokens(text: str) -> frozenset[str]:
    """The significant words of a text (normalised, without stop words)."""
    return frozenset(t for t in normalise(text).split() if t not in STOPWORDS)


def slug(text: str) -> str:
    """A lower-case IRI key segment: accents removed, runs of other characters become '-'."""
    return normalise(text).replace(" ", "-")
