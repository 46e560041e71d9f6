"""Load stage (rules/load.smk): build-loader, load-objects, collect-loads, truth-report,
kick-tires-report (the kick_tires target's answer), and rerun-failed (the README's partial-rerun
recipe)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic
from bcfpipe.guest import vm, vmspec
from bcfpipe.kernel.build import run_logged
from bcfpipe.load import bcfloop, kicktires, loadjob, plan, truth
from bcfpipe.load.results import result_paths


def cmd_build_loader(a: argparse.Namespace) -> None:
    run_logged(
        [
            "gcc",
            "-static",
            "-O2",
            "-Wall",
            "-Werror",
            "-I",
            a.include,
            a.src,
            a.libbpf,
            "-lelf",
            "-lz",
            "-lzstd",
            "-o",
            a.out,
        ],
        what="loader build",
    )


def cmd_load_objects(a: argparse.Namespace) -> None:
    jobs = []
    n = len(a.object)
    projects = a.project * n if len(a.project) == 1 else a.project
    types_args = a.types or [""] * n
    if not len(projects) == len(a.out) == len(a.log) == len(types_args) == n:
        raise PipelineError(
            f"load-objects: {n} --object, {len(a.project)} --project, {len(a.out)} --out, "
            f"{len(a.log)} --log, {len(a.types or [])} --types: give one of each per object "
            "(one --project serves all)"
        )
    for obj, project, types_json in zip(a.object, projects, types_args, strict=True):
        types = json.loads(types_json) if types_json else {}
        jobs.append(loadjob.object_job(Path(obj), project, types))
    spec = vmspec.read_spec(a.vm)
    s = spec.settings
    run: Any = loadjob.run_jobs
    extra: dict[str, Any] = {}
    if s.loader == "bpftool":
        extra = {"loader": "bpftool", "prover": s.bcf}
    else:
        extra = {"log_level": s.log_level}
        if s.bcf:
            run = loadjob.run_jobs_bcf
            extra |= {"max_rounds": s.bcf_rounds, "prove_seconds": s.bcf_prove_seconds}
            if a.cert_store:
                from bcfpipe.load import certstore  # imports the prover: BCF variants only

                # Kept for the dynamic validation, which loads the same programs again.
                extra["prover"] = certstore.caching(
                    bcfloop.default_prover, Path(a.cert_store), False
                )
    kw: dict[str, Any] = dict(
        kernel=Path(spec.kernel),
        initrd=Path(spec.initrd),
        accel=vm.read_accel(spec.accel),
        variant=spec.variant,
        per_object_timeout=s.object_timeout_s,
        memory_mb=s.memory_mb,
        qemu=s.qemu,
        scratch=s.scratch,
        **spec.start_kw(),
        **extra,
    )
    twin_of = loadjob.same_bytes(jobs) if s.dedup else [None] * n
    loaded = [k for k in range(n) if twin_of[k] is None]
    # One guest for the batch, or one per object (each written as soon as it is done, with the
    # objects that have its bytes).
    groups = [loaded] if s.shared_guest else [[k] for k in loaded]
    for group in groups:
        results = run([jobs[k] for k in group], timeout_s=spec.vm_timeout(len(group)), **kw)
        for k, (result, raw) in zip(group, results, strict=True):
            write_one(result, raw, a.out[k], a.log[k])
            for t in range(k + 1, n):
                if twin_of[t] == k:
                    write_one(*loadjob.copy_result(result, raw, jobs[t]), a.out[t], a.log[t])


def write_one(result: dict[str, Any], raw: str, out_json: str, out_log: str) -> None:
    """Write one object's result and say what became of it."""
    loadjob.write_result(result, raw, Path(out_json), Path(out_log))
    print(
        f"{result['project']}/{result['object']}: {result['verdict']} "
        f"({result['vm']['wall_seconds']:.2f} s, {result['vm']['start']}, {result['vm']['accel']})",
        flush=True,
    )


def cmd_truth_report(a: argparse.Namespace) -> None:
    index = read_json(a.index)
    results = [read_json(p) for p in result_paths(a.index, a.loads, a.variant)]
    report = truth.compare(index, results)
    write_json_atomic(a.out_json, report)
    Path(a.out_md).write_text(truth.render_markdown(report))
    print(f"{report['summary']}")


def cmd_kick_tires_report(a: argparse.Namespace) -> None:
    truths = {}
    for src in a.source or []:
        path = Path(src)
        truths[(path.parent.name, path.stem)] = corpus.read_truth(path)
    results = [(p, read_json(p)) for p in a.result]
    rep = kicktires.report(results, truths, a.bcf_variant or [], a.variant_order)
    Path(a.out).write_text(kicktires.render_markdown(rep))
    print(f"kick_tires: {rep['overall']} ({rep['failed']} of {rep['checked']} checked rows failed)")


def cmd_collect_loads(a: argparse.Namespace) -> None:
    record = plan.collect_loads(result_paths(a.index, a.loads, [a.variant]), a.variant)
    write_json_atomic(a.out, record)
    print(f"{a.variant}: {record['count']} results {record['verdicts']}")


def cmd_rerun_failed(a: argparse.Namespace) -> None:
    found = plan.rerun_candidates(Path(a.loads), a.verdict)
    for path in found:
        print(path)
    if a.forget:
        plan.forget(found)
        print(f"forgot {len(found)} result(s); the next run loads exactly these objects again")
    elif found:
        print(f"{len(found)} result(s); add --forget to delete them so the next run redoes them")


def cmd_compare_loads(a: argparse.Namespace) -> None:
    from bcfpipe.load.compare import compare_trees

    for d in (a.old, a.new):
        if not Path(d).is_dir():
            raise PipelineError(
                f"compare-loads: {d} is not a folder (give two runs' results/loads)"
            )
    cmp = compare_trees(Path(a.old), Path(a.new))
    shown = cmp.differences[: a.limit] if a.limit else cmp.differences
    for diff in shown:
        print(diff)
    for rel in (cmp.only_old + cmp.only_new)[: a.limit or None]:
        print(f"{rel}: only in the {'old' if rel in cmp.only_old else 'new'} run")
    print(cmp.summary())
    if cmp.differences or cmp.unreadable or (a.strict and (cmp.only_old or cmp.only_new)):
        raise SystemExit(1)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

    p = add("build-loader", cmd_build_loader, "build the static guest loader")
    for arg in ("--src", "--include", "--libbpf", "--out"):
        p.add_argument(arg, required=True)

    p = add("load-objects", cmd_load_objects, "boot the guest and load objects")
    p.add_argument("--vm", required=True, help="the variant's VM spec (results/guest/V/vm.json)")
    # One value per object (--object a b or --object a --object b); one --project serves all.
    for arg in ("--object", "--project", "--out", "--log"):
        p.add_argument(arg, action="extend", nargs="+", required=True)
    p.add_argument("--types", action="extend", nargs="+", help="JSON overrides or '' per object")
    p.add_argument(
        "--cert-store", default="", help="BCF variants: file proved certificates here (work/certs)"
    )

    p = add("truth-report", cmd_truth_report, "compare verdicts with the corpus ground truth")
    p.add_argument("--index", required=True)
    p.add_argument("--loads", required=True, help="results/loads (read as the index lists)")
    p.add_argument("--variant", nargs="+", required=True)
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-md", required=True)

    p = add("kick-tires-report", cmd_kick_tires_report, "kick_tires: verdicts vs expectations")
    p.add_argument("--result", nargs="+", required=True, help="result JSONs of kick_tires")
    p.add_argument("--source", nargs="*", help="corpus sources with their // truth: lines")
    p.add_argument("--bcf-variant", nargs="*", help="variants that load with BCF")
    p.add_argument("--variant-order", nargs="*", help="variants in the order of the rows")
    p.add_argument("--out", required=True, help="the table (markdown)")

    p = add_command(sub, "collect-loads", cmd_collect_loads, "one record of a variant's results")
    p.add_argument("--index", required=True, help="results/corpus/index.json")
    p.add_argument("--loads", required=True, help="results/loads")
    p.add_argument("--variant", required=True)
    p.add_argument("--out", required=True)

    p = add_command(
        sub, "rerun-failed", cmd_rerun_failed, "list (and --forget) results worth running again"
    )
    p.add_argument("--loads", default="results/loads", help="results/loads (default)")
    p.add_argument(
        "--verdict",
        nargs="+",
        default=list(plan.RERUN_VERDICTS),
        help=f"verdicts to select (default: {' '.join(plan.RERUN_VERDICTS)})",
    )
    p.add_argument("--forget", action="store_true", help="delete them (results and logs)")

    p = add_command(
        sub, "compare-loads", cmd_compare_loads, "compare two runs' verdicts and counts per program"
    )
    p.add_argument("old", help="a run's results/loads")
    p.add_argument("new", help="another run's results/loads")
    p.add_argument("--limit", type=int, default=50, help="differences listed (0: all; default 50)")
    p.add_argument(
        "--strict", action="store_true", help="fail also when an object is in one run only"
    )
