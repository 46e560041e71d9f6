"""The one table type: CSV for tools, Markdown for people, both naming their provenance.

A CSV starts with one ``# provenance: …`` line (read it with ``skiprows=1`` or the ``read_csv``
below); the Markdown ends with the same line. A table that cannot be computed — a variant that has
not run — is written as a ``note`` column with the explanation, never as zeros.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bcfpipe.fsutil import write_text_atomic

PROVENANCE_PREFIX = "# provenance: "


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    # Markdown may show a friendlier subset (merged cells, only the rows that differ).
    md_columns: list[str] | None = None
    md_rows: list[list[Any]] | None = None

    @classmethod
    def unavailable(cls, title: str, why: str) -> Table:
        return cls(title=title, columns=["note"], rows=[[why]], notes=[why], md_rows=[])

    @property
    def is_unavailable(self) -> bool:
        return self.columns == ["note"]


def fmt(value: Any) -> str:
    """Machine form (CSV): full precision, no thousands separators."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN: no value rather than a misleading number
            return ""
        return format(value, ".10g")
    return str(value)


def fmt_human(value: Any) -> str:
    """Reading form (Markdown): three significant digits, never an exponent below 1e9."""
    if isinstance(value, float) and value == value:
        a = abs(value)
        if a >= 100 or value == int(value):
            return f"{value:.0f}"
        if a >= 1:
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{value:.3g}"
    return fmt(value)


def _md_cell(value: Any) -> str:
    return fmt_human(value).replace("|", "\\|").replace("\n", " ")


def render_csv(table: Table, provenance: str) -> str:
    buf = io.StringIO()
    buf.write(f"{PROVENANCE_PREFIX}{provenance}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.columns)
    for row in table.rows:
        w.writerow([fmt(v) for v in row])
    return buf.getvalue()


def render_markdown(table: Table, provenance: str, level: int = 1) -> str:
    lines = [f"{'#' * level} {table.title}", ""]
    if table.notes:
        lines += [*table.notes, ""]
    cols = table.md_columns if table.md_columns is not None else table.columns
    rows = table.md_rows if table.md_rows is not None else table.rows
    if rows and not table.is_unavailable:
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
        lines.append("")
    lines.append(f"_{PROVENANCE_PREFIX[2:]}{provenance}_")
    return "\n".join(lines) + "\n"


def write_table(
    table: Table, stem: str | os.PathLike[str], provenance: str, level: int = 1
) -> list[str]:
    """Write ``<stem>.csv`` and ``<stem>.md``; returns the two paths."""
    csv_path, md_path = f"{os.fspath(stem)}.csv", f"{os.fspath(stem)}.md"
    write_text_atomic(csv_path, render_csv(table, provenance))
    write_text_atomic(md_path, render_markdown(table, provenance, level))
    return [csv_path, md_path]


def read_csv(path: str | os.PathLike[str]) -> tuple[str, list[dict[str, str]]]:
    """(provenance line, rows) of a table written by :func:`write_table`."""
    with open(path, newline="") as f:
        first = f.readline()
        if not first.startswith(PROVENANCE_PREFIX):
            raise ValueError(f"{os.fspath(path)} does not start with a provenance line")
        return first[len(PROVENANCE_PREFIX) :].strip(), list(csv.DictReader(f))


def pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "–"


def join_limited(items: Sequence[str], limit: int = 6) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"
