"""The one table type: a pandas DataFrame, written as plain CSV for tools and Markdown for people.

The CSV is plain (header, then rows) so that any CSV reader takes it as it is; its provenance —
which manifest and workflow commit made it — and the notes are in a sidecar
``<stem>.csv-metadata.json`` (the W3C "CSV on the Web" naming, so CSVW tools find it). The
Markdown ends with the same provenance line. A table that cannot be computed — a variant that has
not run — is written as a ``note`` column with the explanation, never as zeros.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bcfpipe.fsutil import write_text_atomic

PROVENANCE_PREFIX = "provenance: "
METADATA_SUFFIX = "-metadata.json"


def missing(value: Any) -> bool:
    """None, pandas' NA/NaT or a float NaN: a cell without a value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    """A cell as a Python value: None for missing, int/float/str for numpy scalars."""
    if missing(value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def frame(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A DataFrame of ``rows`` that keeps each cell as given (ints stay ints next to None)."""
    return pd.DataFrame([list(r) for r in rows], columns=list(columns), dtype=object)


@dataclass
class Table:
    title: str
    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # Markdown may show a friendlier subset (merged cells, only the rows that differ).
    md: pd.DataFrame | None = None
    why_unavailable: str = ""

    @classmethod
    def unavailable(cls, title: str, why: str) -> Table:
        return cls(
            title, frame(["note"], [[why]]), notes=[why], md=frame([], []), why_unavailable=why
        )

    @property
    def is_unavailable(self) -> bool:
        return bool(self.why_unavailable)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.data.columns]

    @property
    def rows(self) -> list[list[Any]]:
        return [[_plain(v) for v in row] for row in self.data.itertuples(index=False)]


def fmt(value: Any) -> str:
    """Machine form (CSV): full precision, no thousands separators, missing as empty."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def fmt_human(value: Any) -> str:
    """Reading form (Markdown): three significant digits, never an exponent below 1e9."""
    value = _plain(value)
    if isinstance(value, float):
        a = abs(value)
        if a >= 100 or value == int(value):
            return f"{value:.0f}"
        if a >= 1:
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{value:.3g}"
    return fmt(value)


def _md_cell(value: Any) -> str:
    return fmt_human(value).replace("|", "\\|").replace("\n", " ")


def render_csv(table: Table) -> str:
    out: str = table.data.map(fmt).to_csv(index=False, lineterminator="\n")
    return out


def metadata(table: Table, csv_name: str, provenance: str) -> dict[str, Any]:
    """The CSV's sidecar: CSVW keys for the file and its columns, plus title, notes, provenance."""
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name,
        "dc:title": table.title,
        "dc:provenance": provenance,
        "notes": table.notes,
        "unavailable": table.why_unavailable or None,
        "tableSchema": {"columns": [{"name": c, "titles": c} for c in table.columns]},
    }


def render_markdown(table: Table, provenance: str, level: int = 1) -> str:
    lines = [f"{'#' * level} {table.title}", ""]
    if table.notes:
        lines += [*table.notes, ""]
    md = table.md if table.md is not None else table.data
    if len(md) and not table.is_unavailable:
        cols = [str(c) for c in md.columns]
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += [
            "| " + " | ".join(_md_cell(v) for v in row) + " |" for row in md.itertuples(index=False)
        ]
        lines.append("")
    lines.append(f"_{PROVENANCE_PREFIX}{provenance}_")
    return "\n".join(lines) + "\n"


def write_table(
    table: Table,
    stem: str | os.PathLike[str],
    provenance: str,
    level: int = 1,
    markdown: bool = True,
) -> list[str]:
    """Write ``<stem>.csv``, its ``.csv-metadata.json`` and (``markdown``) ``<stem>.md``;
    returns the paths written."""
    csv_path, md_path = f"{os.fspath(stem)}.csv", f"{os.fspath(stem)}.md"
    meta_path = csv_path + METADATA_SUFFIX
    meta = metadata(table, os.path.basename(csv_path), provenance)
    # The sidecar first: a CSV never appears without the provenance that names it.
    write_text_atomic(meta_path, json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    write_text_atomic(csv_path, render_csv(table))
    if not markdown:
        return [csv_path, meta_path]
    write_text_atomic(md_path, render_markdown(table, provenance, level))
    return [csv_path, meta_path, md_path]


def read_csv(path: str | os.PathLike[str]) -> tuple[str, list[dict[str, str]]]:
    """(provenance, rows as strings) of a table written by :func:`write_table`."""
    meta_path = f"{os.fspath(path)}{METADATA_SUFFIX}"
    try:
        with open(meta_path) as f:
            provenance = str(json.load(f)["dc:provenance"])
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(
            f"{meta_path}: no provenance sidecar for {os.fspath(path)} ({err})"
        ) from None
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    return provenance, data.to_dict("records")


def pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "–"


def join_limited(items: Sequence[str], limit: int = 6) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"
