"""Export of the dataset, or of one named graph, in the formats of the design note, streamed to a
file: the embedded store's quads are read as they are written, so a dump takes little memory
whatever the size of the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from mandato.errors import MandatoError
from mandato.namespaces import PREFIXES
from mandato.results import DATASET_FORMATS
from mandato.store import Store

if TYPE_CHECKING:
    from mandato.remote import AnyStore


def export(store: AnyStore, fmt: str, output: BinaryIO, graph: str | None = None) -> None:
    """Write the dataset (or the named graph ``graph``); formats without named graphs get the union
    of all graphs."""
    if fmt not in DATASET_FORMATS:
        raise MandatoError(f"unknown export format '{fmt}'; expected one of {', '.join(DATASET_FORMATS)}")
    if graph is not None and graph not in store.named_graphs():
        raise MandatoError(f"no named graph <{graph}>; graphs: {', '.join(store.named_graphs())}")
    _, rdf_format, _ = DATASET_FORMATS[fmt]
    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    if isinstance(store, Store):
        store.write_dump(output, rdf_format, graph, prefixes)
    else:  # a remote store's answer is read whole, under its byte limit (mandato.remote)
        output.write(store.dump(rdf_format, graph, prefixes))
