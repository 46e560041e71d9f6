"""Dynamic validation: run every program BCF accepted and the baseline rejected, under KASAN.

An acceptance rests on certificates the kernel checked, but a certificate proves the condition
the tracker wrote down, not what the machine does. So each such program is loaded again on a
kernel of the same series built with KASAN (``config/kernel/kasan.config``), with the same
certificates (:mod:`bcfpipe.load.certstore`), and run with ``BPF_PROG_TEST_RUN`` in the
interpreter on generated inputs (:mod:`bcfpipe.validate.inputs`). Any kernel log record that a
run causes (a KASAN report, a WARN, an oops) or a guest that dies in a run is a soundness failure,
recorded with the program, the input and the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcfpipe.fsutil import read_json, write_json_atomic
from bcfpipe.load import loadjob
from bcfpipe.selftests.corpus import PROJECT as SELFTESTS_PROJECT
from bcfpipe.validate import inputs as vinputs

# Kernel log lines that are failures whenever a program's load or run caused them.
REPORT = re.compile(
    r"BUG: |KASAN|UBSAN|WARNING: |Oops|general protection fault|Kernel panic|kernel BUG|"
    r"unable to handle|stack-protector|list_add corruption|refcount_t"
)


@dataclass
class Target:
    """One object with the programs to validate (name -> program type)."""

    project: str
    object: str  # file name
    programs: dict[str, str] = field(default_factory=dict)


def select(
    baseline: Iterable[dict[str, Any]], accepted_by: Iterable[dict[str, Any]]
) -> list[Target]:
    """Programs ``accepted_by`` loads and ``baseline`` rejects, per object (results as loaded)."""
    rejected = {
        (r["project"], r["object"], p["name"])
        for r in baseline
        for p in r.get("programs", [])
        if p.get("verdict") == "rejected"
    }
    out = []
    for r in sorted(accepted_by, key=lambda r: (r["project"], r["object"])):
        progs = {
            p["name"]: p.get("prog_type", "")
            for p in r.get("programs", [])
            if p.get("verdict") == "loaded" and (r["project"], r["object"], p["name"]) in rejected
        }
        if progs:
            out.append(Target(r["project"], r["object"], progs))
    return out


def reports(kmsg: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Failure lines by what caused them ('load' or 'input=I'); a report's later lines follow."""
    out: dict[str, list[str]] = {}
    for what, line in kmsg:
        text = line.split(";", 1)[-1].strip()  # /dev/kmsg: "level,seq,ts,flags;text"
        if what in out or REPORT.search(text):
            out.setdefault(what, []).append(text)
    return out


def program_record(
    target: Target,
    name: str,
    ins: list[vinputs.Input],
    result: dict[str, Any] | None,
    prog: dict[str, Any] | None,
) -> dict[str, Any]:
    """What validating one program found (``status`` and ``failures``)."""
    rec: dict[str, Any] = {
        "project": target.project,
        "object": target.object,
        "program": name,
        "prog_type": target.programs[name],
        "inputs": len(ins),
        "runs": 0,
        "run_errors": {},
        "jit": False,
        "failures": [],
    }
    if not vinputs.runnable(target.programs[name]):
        rec["status"] = "not_runnable"
        rec["detail"] = f"BPF_PROG_TEST_RUN does not run {target.programs[name] or 'this'} programs"
        return rec
    vm = (result or {}).get("vm", {})
    vm_status = vm.get("status", "vm_crash")
    tr = (prog or {}).get("test_run") or {}
    for what, lines in reports(tr.get("kmsg", [])).items():
        rec["failures"].append(_failure(what, lines, ins))
    if vm_status != "ok" and tr.get("last_started") is not None:
        what = f"input={tr['last_started']}"
        rec["failures"].append(_failure(what, [f"guest {vm_status}: {vm.get('detail', '')}"], ins))
    runs = tr.get("runs", [])
    rec["runs"] = len(runs)
    rec["run_errors"] = dict(Counter(str(r["err"]) for r in runs if r["err"]))
    rec["jit"] = bool(tr.get("jit"))
    if rec["failures"]:
        rec["status"] = "failure"
    elif prog is None or prog.get("verdict") != "loaded":
        rec["status"] = "not_loaded"
        rec["detail"] = (
            (prog or {}).get("error_line")
            or (result or {}).get("vm", {}).get("detail")
            or "the program is missing from the validation load"
        )
    elif not runs:
        rec["status"] = "not_run"
        rec["detail"] = "loaded, but no input ran"
    else:
        rec["status"] = "clean"
    return rec


def _failure(what: str, lines: list[str], ins: list[vinputs.Input]) -> dict[str, Any]:
    idx = int(what.split("=", 1)[1]) if what.startswith("input=") else None
    label = ins[idx].label if idx is not None and idx < len(ins) else "load"
    return {"input": idx, "label": label, "report": lines[:40]}


RunBatch = Callable[
    [list[loadjob.ObjectJob], dict[int, dict[str, bytes]]], list[tuple[dict[str, Any], str]]
]


def validate(
    targets: list[Target],
    objects: dict[tuple[str, str], tuple[str, Any]],
    run_batch: RunBatch,
    *,
    batch_size: int,
    max_inputs: int,
    seed: int,
    jobs: int = 1,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[list[dict[str, Any]], str]:
    """Validate ``targets`` in batches; returns one record per program and the raw logs.

    ``objects`` maps (project, object file name) to the object's path and its corpus types;
    ``run_batch(jobs, inputs)`` runs the BCF loop on the validation kernel with the inputs.
    ``jobs`` batches run at once (each in guests of its own); the records come in the targets'
    order whatever ``jobs`` is.
    """
    batches = [targets[i : i + batch_size] for i in range(0, len(targets), batch_size)]
    records: list[dict[str, Any]] = []
    raws: list[str] = []
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # each worker thread only waits on its QEMU processes and the prover's; map() yields
        # the batches in order
        for batch, (recs, raw) in zip(
            batches,
            pool.map(lambda b: _validate_batch(b, objects, run_batch, max_inputs, seed), batches),
            strict=True,
        ):
            records += recs
            raws += raw
            done += len(batch)
            progress(f"validated {done} of {len(targets)} objects")
    return records, "\n".join(raws)


def _validate_batch(
    batch: list[Target],
    objects: dict[tuple[str, str], tuple[str, Any]],
    run_batch: RunBatch,
    max_inputs: int,
    seed: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    records: list[dict[str, Any]] = []
    raws: list[str] = []
    jobs = []
    gen: list[dict[str, list[vinputs.Input]]] = []
    for t in batch:
        path, types = objects[(t.project, t.object)]
        jobs.append(loadjob.object_job(Path(path), t.project, types))
        gen.append(
            vinputs.for_object(
                Path(path),
                t.programs,
                seed=seed ^ vinputs.hash_name(t.object),
                limit=max_inputs,
            )
        )
    encoded = {k: {n: vinputs.encode(i) for n, i in g.items()} for k, g in enumerate(gen)}
    results = run_batch(jobs, encoded)
    for t, g, (result, raw) in zip(batch, gen, results, strict=True):
        progs = {p.get("name"): p for p in result.get("programs", [])}
        mine = [
            program_record(t, name, g.get(name, []), result, progs.get(name))
            for name in sorted(t.programs)
        ]
        warnings = result.get("kernel_warnings", [])
        raws.append(f"##### {t.project}/{t.object}\n{raw}")
        if warnings and mine and not any(r["failures"] for r in mine):
            # On the console but not in any program's log records: still the object's.
            mine[-1]["failures"].append({"input": None, "label": "console", "report": warnings})
            mine[-1]["status"] = "failure"
        records += mine
    return records, raws


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    status = Counter(r["status"] for r in records)
    return {
        "programs": len(records),
        "status": dict(sorted(status.items())),
        "failures": sum(len(r["failures"]) for r in records),
        "runs": sum(r["runs"] for r in records),
        "inputs": sum(r["inputs"] for r in records),
        "jit": sum(1 for r in records if r["jit"]),
    }


def write_object_map(
    out: str, objects: list[dict[str, Any]], indexes: list[str], selftests_dir: str
) -> None:
    """``results/validation/objects.json``: where each object of the corpus and selftests lies.

    ``objects`` are the corpus's (project, object, path, types); the selftests' objects (known
    after their checkpoint) are the ones their index lists, in ``selftests_dir``.
    """
    listed = list(objects)
    if selftests_dir:
        for index_path in indexes:
            index = read_json(index_path)
            for project, sources in index.get("prog_index", {}).items():
                if project != SELFTESTS_PROJECT:
                    continue
                for objs in sources.values():
                    for name in objs:
                        listed.append(
                            {
                                "project": project,
                                "object": name,
                                "path": str(Path(selftests_dir) / name),
                                "types": {},
                            }
                        )
    write_json_atomic(out, {"objects": listed})
