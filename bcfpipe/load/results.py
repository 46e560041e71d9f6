"""The load stage's output: one result JSON per object, its schema and where it lives.

``loadjob`` (and ``bcfloop`` for BCF kernels) write ``<loads>/<variant>/<project>/<object>.json``
with these fields and verdicts; everything downstream (truth report, selftest expectations,
aggregation, partial reruns) finds the files through :func:`result_paths` and reads the fields
named here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError

SCHEMA = 1
VERDICTS = ("loaded", "rejected", "compat_issue", "timeout", "vm_crash")
# An object's verdict is its programs' worst, in this order.
VERDICT_ORDER = ("rejected", "compat_issue", "timeout", "vm_crash", "loaded")
# The contract with the kernel side for one checked refinement (see docs/aggregation.md).
REFINEMENT_KEYS = (
    "kind",
    "insn",
    "track_length",
    "condition_bytes",
    "certificate_bytes",
    "check_ns",
    "solve_seconds",
    "round",
)
# not_needed: loaded without any refinement; not_refinable: rejected, and the kernel returned no
# condition (the error is of a kind BCF does not refine, or outside what the tracker follows).
BCF_OUTCOMES = ("accepted", "refuted", "budget", "unprovable", "not_needed", "not_refinable")
# Results written before 2026-12-06 said round_limit for what is now budget (rounds).
LEGACY_OUTCOMES = {"round_limit": ("budget", "rounds")}


def object_verdict(programs: list[dict[str, Any]], fallback: str) -> str:
    if not programs:
        return fallback
    return min((p["verdict"] for p in programs), key=VERDICT_ORDER.index)


def result_path(loads: str | os.PathLike[str], variant: str, project: str, stem: str) -> str:
    """Where the result of object ``stem`` (no ``.o``) of ``project`` under ``variant`` lives."""
    return os.path.join(os.fspath(loads), variant, project, f"{stem}.json")


def index_groups(
    index_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> dict[tuple[str, str], str]:
    """(project, object file name) -> the source group the corpus indexes list it under.

    A result's ``group`` is what the loader read from the object's name; the index's
    ``prog_index`` (for a prebuilt corpus, the paper's own ``prog_index.json``) is what the
    corpus says, and names the group of objects whose names carry none (``ksnoop.bpf.o``).
    """
    if isinstance(index_paths, (str, os.PathLike)):
        index_paths = [index_paths]
    groups: dict[tuple[str, str], str] = {}
    for index_path in index_paths:
        with open(index_path) as f:
            index = json.load(f)
        for project, sources in index.get("prog_index", {}).items():
            for source, objs in sources.items():
                for obj in objs:
                    groups[(project, Path(obj).name)] = (
                        source[:-2] if source.endswith(".o") else source
                    )
    return groups


def result_paths(
    index_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    loads: str | os.PathLike[str],
    variants: Iterable[str],
) -> list[str]:
    """Result files of every corpus object for ``variants``, as the corpus indexes list them.

    The indexes (the project's corpus, the kernel selftests), not a directory listing, decide:
    results of objects no longer in the corpus (another compiler list, say) must not be counted.
    Rules pass this instead of every path because a shell command line is limited to 128 KiB.
    """
    if isinstance(index_paths, (str, os.PathLike)):
        index_paths = [index_paths]
    objects = []
    for index_path in index_paths:
        with open(index_path) as f:
            index = json.load(f)
        objects += [
            (project, Path(obj).name)
            for project, sources in index.get("prog_index", {}).items()
            for variants_of_source in sources.values()
            for obj in variants_of_source
        ]
    index_path = ", ".join(os.fspath(p) for p in index_paths)
    paths, missing = [], []
    for v in variants:
        found: list[str] = []
        lost: list[str] = []
        for project, name in sorted(objects):
            stem = name[:-2] if name.endswith(".o") else name
            p = result_path(loads, v, project, stem)
            (found if os.path.isfile(p) else lost).append(p)
        # A variant without any result has not run, which the outputs report; a partial run
        # would silently skew every count, so it is an error.
        if found:
            paths += found
            missing += lost
    if missing:
        raise PipelineError(
            f"{len(missing)} results listed by {index_path} are missing, e.g. "
            f"{', '.join(missing[:3])}; run their load jobs (snakemake plans them) first"
        )
    return paths
