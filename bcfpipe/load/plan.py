"""What to run: partial-rerun selections, failed results, and the per-variant collection of results.

The workflow's targets for partial reruns (``select``) and the helpers behind the README's rerun
recipes live here so that the rules stay thin and every decision is unit-tested.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcfpipe.corpus.objects import object_meta
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import sha256_file
from bcfpipe.load.results import result_path

# Verdicts that record a problem of the run rather than of the program: worth running again.
RERUN_VERDICTS = ("timeout", "vm_crash")


@dataclass(frozen=True)
class Selection:
    """A ``select`` configuration: empty lists mean "all"."""

    projects: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Selection:
        sel = cfg.get("select", {}) or {}
        return cls(
            tuple(sel.get("projects", [])),
            tuple(sel.get("variants", [])),
            tuple(sel.get("objects", [])),
        )

    def is_empty(self) -> bool:
        return not (self.projects or self.variants or self.objects)


def load_result(results: str, variant: str, project: str, obj: str) -> str:
    return result_path(f"{results}/loads", variant, project, obj)


def select_loads(
    objects: Sequence[tuple[str, str]],
    variants: Sequence[str],
    results: str,
    selection: Selection,
) -> list[str]:
    """Result files the ``select`` target asks for, variant by variant in corpus order.

    ``objects`` are the corpus's (project, object stem) pairs. Every name in the selection must
    exist; a selection that matches nothing is an error, not a silent no-op.
    """
    projects = sorted({p for p, _ in objects})
    for name in selection.projects:
        if name not in projects:
            raise PipelineError(
                f"select.projects names '{name}', which is not a project of the corpus "
                f"(projects: {', '.join(projects)})"
            )
    for name in selection.variants:
        if name not in variants:
            raise PipelineError(
                f"select.variants names '{name}', which is not a kernel variant "
                f"(kernel.variants: {', '.join(variants)})"
            )
    known = {f"{p}/{o}" for p, o in objects}
    for name in selection.objects:
        if name not in known:
            example = f"{objects[0][0]}/{objects[0][1]}" if objects else "project/object"
            raise PipelineError(
                f"select.objects names '{name}', which is not an object of the corpus; write "
                f"<project>/<object file name> without .o, e.g. {example}"
            )
    chosen = [
        (p, o)
        for p, o in objects
        if (not selection.projects or p in selection.projects)
        and (not selection.objects or f"{p}/{o}" in selection.objects)
    ]
    if not chosen:
        raise PipelineError(
            "select.objects and select.projects exclude each other: nothing is selected "
            f"(projects {list(selection.projects)}, objects {list(selection.objects)})"
        )
    wanted = [v for v in variants if not selection.variants or v in selection.variants]
    return [load_result(results, v, p, o) for v in wanted for p, o in chosen]


def rerun_candidates(loads: Path, verdicts: Iterable[str] = RERUN_VERDICTS) -> list[Path]:
    """Result JSONs under ``loads`` (any variant) whose verdict is one of ``verdicts``."""
    if not loads.is_dir():
        raise PipelineError(
            f"{loads} does not exist: nothing has been loaded yet (run ./run first)"
        )
    wanted = set(verdicts)
    out = []
    for path in sorted(loads.glob("*/*/*.json")):
        try:
            verdict = json.loads(path.read_text()).get("verdict")
        except (OSError, json.JSONDecodeError):
            # Unreadable: Snakemake would not have marked it complete; rerun it too.
            out.append(path)
            continue
        if verdict in wanted:
            out.append(path)
    return out


def forget(results: Iterable[Path]) -> int:
    """Delete result files (and their verifier logs) so the next run recreates exactly them."""
    n = 0
    for path in results:
        for p in (path, path.with_suffix(".log")):
            if p.exists():
                p.unlink()
        n += 1
    return n


def collect_loads(paths: Sequence[str | os.PathLike[str]], variant: str) -> dict[str, Any]:
    """One record of a variant's results: each file's sha256 and verdict, and verdict counts.

    Aggregation depends on this record instead of on every result file, which keeps the DAG
    small (a rule with 15,000 inputs costs Snakemake more to plan than the 15,000 jobs do).
    """
    entries = []
    counts: Counter[str] = Counter()
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise PipelineError(f"result {path} is missing: run its load_object job first")
        verdict = str(json.loads(path.read_text()).get("verdict", "missing"))
        counts[verdict] += 1
        entries.append({"path": str(path), "sha256": sha256_file(path), "verdict": verdict})
    return {"variant": variant, "count": len(entries), "verdicts": dict(counts), "results": entries}


@dataclass(frozen=True)
class LoadBatch:
    """Objects of one project that one load job loads (one guest each, or one for all of them
    with ``load.shared_guest``)."""

    project: str
    index: int
    objects: tuple[tuple[str, str], ...]  # (object stem, object path)

    @property
    def name(self) -> str:
        return f"{self.project}/batch-{self.index:04d}"


def _source_of(stem: str) -> str:
    # Sorting by source keeps a source's compiler variants together: an edited source then
    # reloads one or two batches, not every batch of its project.
    return object_meta(f"{stem}.o")["name"]


def _build_of(stem: str) -> tuple[str, str]:
    # A source's objects by one compiler: the ones that may have the same bytes (load.dedup).
    meta = object_meta(f"{stem}.o")
    return meta["name"], meta["compiler"]


def _pack(members: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    """Consecutive members in chunks of at most ``size`` that do not split a source's objects
    by one compiler (a job loads objects with the same bytes once) unless there are more of
    them than ``size``."""
    chunks: list[list[tuple[str, str]]] = []
    for _, grouped in itertools.groupby(members, key=lambda m: _build_of(m[0])):
        group = list(grouped)
        if chunks and len(chunks[-1]) + len(group) <= size:
            chunks[-1] += group
            continue
        chunks += [group[k : k + size] for k in range(0, len(group), size)]
    return chunks


def load_batches(
    objects: Iterable[tuple[str, str, str]], size: int, first: Collection[str] = ()
) -> list[LoadBatch]:
    """Split ``(project, object stem, path)`` into batches of at most ``size`` per project.

    Batches never mix projects (a project's results stay in its folder and its loads can be
    rerun alone), never split a source's objects by one compiler unless they are more than
    ``size`` (they are the ones that may have the same bytes, loaded once) and follow the
    source order, so the batch of an object changes only when
    objects before it in its project are added or removed. Objects named in ``first``
    (``project/stem``, the kick_tires objects) get batches of their own at the front of their
    project, so that a target asking for them loads them and nothing else.
    """
    if size < 1:
        raise PipelineError(f"load.batch_size must be at least 1, not {size}")
    by_project: dict[str, list[tuple[str, str]]] = {}
    for project, stem, path in objects:
        by_project.setdefault(project, []).append((stem, path))
    out = []
    for project in sorted(by_project):
        members = sorted(by_project[project], key=lambda m: (_source_of(m[0]), m[0]))
        front = [m for m in members if f"{project}/{m[0]}" in first]
        rest = [m for m in members if f"{project}/{m[0]}" not in first]
        chunks = _pack(front, size) + _pack(rest, size)
        out += [LoadBatch(project, i, tuple(c)) for i, c in enumerate(chunks)]
    return out
