"""Read per-object result JSONs (schema of :mod:`bcfpipe.load.results`) into typed records."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bcfpipe.errors import PipelineError
from bcfpipe.load.results import (
    BCF_OUTCOMES,
    LEGACY_OUTCOMES,
    REFINEMENT_KEYS,
    SCHEMA,
    VERDICTS,
)

# The variant names whose runs carry the paper's outputs; any variant whose results contain BCF
# records counts too, so a renamed BCF variant is not silently left out.
BCF_VARIANT_NAMES = ("bcf", "upstream")

Signature = tuple[int | None, int | None, int | None, str]


@dataclass(frozen=True, slots=True)
class Refinement:
    kind: str
    insn: int  # -1: the loader's log does not say
    # None: the loader does not report it (the paper's bpftool reports no solver time, and the
    # earlier artifact's log lines end after the type); left out of that metric.
    track_length: int | None
    condition_bytes: int | None
    certificate_bytes: int
    check_ns: int
    solve_seconds: float | None
    round: int
    # The kernel had checked this certificate for another path of the same load (0011): no check
    # time of its own, and its proof was counted once.
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Program:
    variant: str
    project: str
    object: str
    group: str
    compiler: str
    opt: str
    name: str
    verdict: str
    category: str
    error_line: str
    error_normalized: str
    insns: int | None
    total_states: int | None
    peak_states: int | None
    vtime_us: int | None
    load_ns: int | None
    refinements: tuple[Refinement, ...]
    max_states_per_insn: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of a program across variants."""
        return (self.project, self.object, self.name)

    @property
    def signature(self) -> Signature:
        """The verifier-log signature rejections are de-duplicated by (within a project)."""
        return (self.insns, self.total_states, self.peak_states, self.error_normalized)


PROGRAM_FIELDS = [f for f in Program.__dataclass_fields__ if f != "refinements"]


@dataclass(slots=True)
class ObjectResult:
    path: str
    variant: str
    project: str
    object: str
    group: str
    compiler: str
    opt: str
    verdict: str
    vm_status: str
    accel: str
    wall_seconds: float
    bcf: dict[str, Any] | None
    programs: list[Program] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.project, self.object)

    @property
    def signature(self) -> tuple[Signature, ...]:
        """An object's signature: its rejected programs' signatures (the paper loads objects)."""
        return tuple(
            sorted((p.signature for p in self.programs if p.verdict == "rejected"), key=repr)
        )


@dataclass
class ResultSet:
    objects: list[ObjectResult]

    def of(self, variant: str) -> ResultSet:
        return ResultSet([o for o in self.objects if o.variant == variant])

    def programs(self) -> list[Program]:
        return [p for o in self.objects for p in o.programs]

    def programs_frame(self) -> pd.DataFrame:
        """One row per program: every :class:`Program` field (cells as read, ``None`` kept),
        plus ``signature`` (the de-duplication key, a tuple) and ``key`` (identity across
        variants)."""
        return pd.DataFrame(
            [
                {
                    **{f: getattr(p, f) for f in PROGRAM_FIELDS},
                    "signature": p.signature,
                    "key": p.key,
                }
                for p in self.programs()
            ],
            columns=[*PROGRAM_FIELDS, "signature", "key"],
            dtype=object,
        )

    def objects_frame(self) -> pd.DataFrame:
        """One row per object: its identity, verdict, signature, VM wall time, BCF outcome,
        (for outcome budget) what ran out and (for outcome refuted) the replay's verdict."""
        return pd.DataFrame(
            [
                {
                    "variant": o.variant,
                    "project": o.project,
                    "object": o.object,
                    "key": o.key,
                    "verdict": o.verdict,
                    "signature": o.signature,
                    "wall_seconds": o.wall_seconds,
                    "bcf_outcome": (o.bcf or {}).get("outcome", "no record"),
                    "bcf_budget": (o.bcf or {}).get("budget", ""),
                    "bcf_replay": (o.bcf or {}).get("replay", ""),
                }
                for o in self.objects
            ],
            columns=[
                "variant",
                "project",
                "object",
                "key",
                "verdict",
                "signature",
                "wall_seconds",
                "bcf_outcome",
                "bcf_budget",
                "bcf_replay",
            ],
            dtype=object,
        )

    def has_bcf_records(self) -> bool:
        return any(
            o.bcf is not None or any(p.refinements for p in o.programs) for o in self.objects
        )


def _need(data: dict[str, Any], key: str, origin: str) -> Any:
    if key not in data:
        raise PipelineError(
            f"{origin}: result has no '{key}' (schema {SCHEMA} of bcfpipe/load/results.py); "
            "rerun the load job that wrote it"
        )
    return data[key]


def _refinement(rec: dict[str, Any], origin: str) -> Refinement:
    missing = [k for k in REFINEMENT_KEYS if k not in rec]
    if missing:
        raise PipelineError(
            f"{origin}: refinement record lacks {', '.join(missing)} "
            f"(expected keys: {', '.join(REFINEMENT_KEYS)})"
        )
    if rec["kind"] not in ("range", "path"):
        raise PipelineError(f"{origin}: refinement kind '{rec['kind']}' is not range or path")
    return Refinement(
        kind=rec["kind"],
        insn=int(rec["insn"]),
        track_length=None if rec["track_length"] is None else int(rec["track_length"]),
        condition_bytes=None if rec["condition_bytes"] is None else int(rec["condition_bytes"]),
        certificate_bytes=int(rec["certificate_bytes"]),
        check_ns=int(rec["check_ns"]),
        solve_seconds=None if rec["solve_seconds"] is None else float(rec["solve_seconds"]),
        round=int(rec["round"]),
        cached=bool(rec.get("cached", False)),
    )


def parse_result(
    data: dict[str, Any], origin: str, groups: Mapping[tuple[str, str], str] | None = None
) -> ObjectResult:
    """One result JSON (already decoded); ``origin`` names it in errors. ``groups`` (from the
    corpus index, :func:`bcfpipe.load.results.index_groups`) names the object's source group
    when it lists the object; else the result's own ``group``."""
    schema = data.get("schema")
    if schema != SCHEMA:
        raise PipelineError(
            f"{origin}: result schema {schema!r}, this aggregation reads schema {SCHEMA}"
        )
    variant = _need(data, "variant", origin)
    project = _need(data, "project", origin)
    obj = _need(data, "object", origin)
    group = (groups or {}).get((project, obj)) or data.get("group", obj)
    compiler = data.get("compiler", "")
    opt = data.get("opt", "")
    verdict = _need(data, "verdict", origin)
    if verdict not in VERDICTS:
        raise PipelineError(f"{origin}: verdict '{verdict}' is not one of {', '.join(VERDICTS)}")
    vm = data.get("vm", {})
    bcf = data.get("bcf")
    if bcf is not None and bcf.get("outcome") in LEGACY_OUTCOMES:
        outcome, budget = LEGACY_OUTCOMES[bcf["outcome"]]
        bcf = dict(bcf, outcome=outcome, budget=budget)
    if bcf is not None and bcf.get("outcome") not in BCF_OUTCOMES:
        raise PipelineError(
            f"{origin}: bcf outcome {bcf.get('outcome')!r} is not one of {', '.join(BCF_OUTCOMES)}"
        )
    programs = []
    for i, p in enumerate(_need(data, "programs", origin)):
        where = f"{origin} program {i}"
        pverdict = _need(p, "verdict", where)
        if pverdict not in VERDICTS:
            raise PipelineError(
                f"{where}: verdict '{pverdict}' is not one of {', '.join(VERDICTS)}"
            )
        programs.append(
            Program(
                variant=variant,
                project=project,
                object=obj,
                group=group,
                compiler=compiler,
                opt=opt,
                name=p.get("name", ""),
                verdict=pverdict,
                category=p.get("error_category", ""),
                error_line=p.get("error_line", ""),
                error_normalized=p.get("error_normalized", ""),
                insns=p.get("insns_processed"),
                total_states=p.get("total_states"),
                peak_states=p.get("peak_states"),
                vtime_us=p.get("verification_time_us"),
                load_ns=p.get("load_ns"),
                max_states_per_insn=p.get("max_states_per_insn"),
                # Table 2 and Figure 8 describe checked certificates: a refinement whose
                # condition was refuted or unprovable has no certificate and no check time.
                refinements=tuple(
                    _refinement(r, where)
                    for r in p.get("refinements", [])
                    if not ("check_ns" in r and r["check_ns"] is None)
                ),
            )
        )
    return ObjectResult(
        path=origin,
        variant=variant,
        project=project,
        object=obj,
        group=group,
        compiler=compiler,
        opt=opt,
        verdict=verdict,
        vm_status=vm.get("status", ""),
        accel=vm.get("accel", ""),
        wall_seconds=float(vm.get("wall_seconds", 0.0) or 0.0),
        bcf=bcf,
        programs=programs,
    )


def read_results(
    paths: Iterable[str | os.PathLike[str]],
    groups: Mapping[tuple[str, str], str] | None = None,
) -> ResultSet:
    objects = []
    for path in paths:
        origin = os.fspath(path)
        try:
            with open(origin) as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise PipelineError(
                f"{origin} is not valid JSON ({err}); delete it and rerun its load job"
            ) from None
        objects.append(parse_result(data, origin, groups))
    # Two files claiming the same variant/project/object would be counted twice.
    seen: dict[tuple[str, str, str], str] = {}
    for o in objects:
        k = (o.variant, o.project, o.object)
        if k in seen:
            raise PipelineError(f"{o.path} and {seen[k]} are both results of {'/'.join(k)}")
        seen[k] = o.path
    return ResultSet(objects)


def baseline(configured: Sequence[str]) -> str:
    """The variant the others are compared against: the first configured one (the rules list
    kernel.baseline first)."""
    if not configured:
        raise PipelineError("no variants given: the first one is the baseline")
    return configured[0]


def bcf_variants(results: ResultSet, configured: Sequence[str]) -> list[str]:
    """Configured variants that are BCF runs: named bcf/upstream, or carrying BCF records."""
    out = []
    for v in configured:
        if v == baseline(configured):
            continue
        if v in BCF_VARIANT_NAMES or results.of(v).has_bcf_records():
            out.append(v)
    return out
