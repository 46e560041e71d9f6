"""Two runs' load results side by side: what a change to how objects are loaded must leave alone.

A change to the VM jobs, the scheduling or the corpus plumbing must not change what the verifier
says: for every object both runs loaded, the object's verdict and BCF outcome, and per program the
fields of :data:`PROGRAM_FIELDS` must be equal. Times (VM wall, verification time, proof
seconds) and how the guest started are expected to differ and are not compared.

    bcfpipe compare-loads OLD/results/loads NEW/results/loads
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROGRAM_FIELDS = (
    "name",
    "verdict",
    "error_category",
    "error_line",
    "errno",
    "insns_processed",
    "total_states",
    "peak_states",
    "max_states_per_insn",
    "stack_depth",
)


@dataclass
class Difference:
    result: str  # <variant>/<project>/<object>.json
    what: str  # "verdict", "bcf.outcome", "programs" (their number) or "<program>: <field>"
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.result}: {self.what}: {self.old!r} -> {self.new!r}"


@dataclass
class Comparison:
    compared: int = 0
    differences: list[Difference] = field(default_factory=list)
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """Differences by field (a program's field without the program's name)."""
        return Counter(d.what.split(": ")[-1] for d in self.differences)

    def summary(self) -> str:
        head = f"{self.compared} results compared"
        parts = [f"{n} {what}" for what, n in sorted(self.counts().items())]
        if self.only_old:
            parts.append(f"{len(self.only_old)} only in the old run")
        if self.only_new:
            parts.append(f"{len(self.only_new)} only in the new run")
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} unreadable")
        return f"{head}: " + (", ".join(parts) if parts else "no differences")


def _results(root: Path) -> dict[str, Path]:
    # <variant>/<project>/<object>.json: the load stage's layout (bcfpipe/load/results.py)
    return {p.relative_to(root).as_posix(): p for p in sorted(root.glob("*/*/*.json"))}


def _outcome(result: dict[str, Any]) -> Any:
    return (result.get("bcf") or {}).get("outcome")


def compare_results(rel: str, old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    """What differs between two results of one object."""
    out = []
    if old.get("verdict") != new.get("verdict"):
        out.append(Difference(rel, "verdict", old.get("verdict"), new.get("verdict")))
    if _outcome(old) != _outcome(new):
        out.append(Difference(rel, "bcf.outcome", _outcome(old), _outcome(new)))
    a, b = old.get("programs") or [], new.get("programs") or []
    if len(a) != len(b):
        out.append(Difference(rel, "programs", len(a), len(b)))
    for pa, pb in zip(a, b, strict=False):
        for key in PROGRAM_FIELDS:
            if pa.get(key) != pb.get(key):
                out.append(
                    Difference(rel, f"{pa.get('name', '?')}: {key}", pa.get(key), pb.get(key))
                )
    return out


def compare_trees(old: Path, new: Path) -> Comparison:
    """Every result under ``old`` (a run's results/loads) against the same one under ``new``."""
    a, b = _results(old), _results(new)
    cmp = Comparison(only_old=sorted(set(a) - set(b)), only_new=sorted(set(b) - set(a)))
    for rel in sorted(set(a) & set(b)):
        try:
            ra, rb = json.loads(a[rel].read_text()), json.loads(b[rel].read_text())
        except (OSError, ValueError):
            cmp.unreadable.append(rel)
            continue
        cmp.compared += 1
        cmp.differences += compare_results(rel, ra, rb)
    return cmp
