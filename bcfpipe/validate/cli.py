"""Validate stage (rules/validate.smk): validation-objects, validate-bcf."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic, write_text_atomic
from bcfpipe.guest import vm, vmspec
from bcfpipe.kernel import kconfig
from bcfpipe.load import bcfloop, certstore, loadjob
from bcfpipe.load.results import result_paths
from bcfpipe.validate import inputs, report, run


def cmd_validate_bcf(a: argparse.Namespace) -> None:
    spec = vmspec.read_spec(a.vm)
    s = spec.settings
    if not s.bcf:
        raise PipelineError(f"{spec.variant} is not a BCF kernel (kernel.variants: bcf)")
    opts = kconfig.parse(Path(a.kernel_config).read_text())
    if opts.get("CONFIG_KASAN") != "y" or opts.get("CONFIG_BPF_JIT_ALWAYS_ON", "n") != "n":
        raise PipelineError(
            f"{a.kernel_config} lacks CONFIG_KASAN=y or has BPF_JIT_ALWAYS_ON: a run there would "
            "see no out-of-bounds access; add the 'kasan' fragment (validation.fragments)"
        )
    objects = {
        (o["project"], o["object"]): (o["path"], o["types"])
        for o in read_json(a.objects)["objects"]
    }
    baseline = [read_json(p) for p in result_paths(a.index, a.loads, [a.baseline])]
    accepted = [read_json(p) for p in result_paths(a.index, a.loads, [a.variant])]
    targets = [t for t in run.select(baseline, accepted) if (t.project, t.object) in objects]
    prover = certstore.caching(bcfloop.default_prover, Path(a.cert_store), True)
    accel = vm.read_accel(spec.accel)
    start = spec.start_kw()  # read once, not per batch

    def run_batch(
        jobs: list[loadjob.ObjectJob], inputs: dict[int, dict[str, bytes]]
    ) -> list[tuple[dict[str, Any], str]]:
        return loadjob.run_jobs_bcf(
            jobs,
            max_rounds=s.bcf_rounds,
            prove_seconds=s.bcf_prove_seconds,
            prover=prover,
            refuter=None,  # accepted programs: every condition has its certificate in the store
            run_inputs=inputs,
            **start,
            kernel=Path(spec.kernel),
            initrd=Path(spec.initrd),
            accel=accel,
            variant=spec.variant,
            timeout_s=spec.vm_timeout(len(jobs)) * a.slowdown,
            per_object_timeout=int(s.object_timeout_s * a.slowdown),
            memory_mb=s.memory_mb,
            qemu=s.qemu,
            scratch=s.scratch,
            log_level=s.log_level,
        )

    print(f"validate-bcf: {len(targets)} objects to run on {spec.variant}", file=sys.stderr)
    records, raw = run.validate(
        targets,
        objects,
        run_batch,
        batch_size=a.batch_size,
        jobs=a.jobs,
        max_inputs=a.max_inputs,
        seed=a.seed,
        progress=lambda msg: print(f"validate-bcf: {msg}", file=sys.stderr, flush=True),
    )
    rep = {
        "kernel": spec.variant,
        "variant": a.variant,
        "baseline": a.baseline,
        "accel": accel,
        "seed": a.seed,
        "max_inputs": a.max_inputs,
        "summary": run.summary(records),
        "programs": records,
    }
    write_text_atomic(Path(a.out_log), raw)
    write_text_atomic(Path(a.out_md), report.render_markdown(rep))
    write_json_atomic(a.out_json, rep)
    print(json.dumps(rep["summary"]))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = add_command(sub, "validate-bcf", cmd_validate_bcf, "run BCF-accepted programs under KASAN")
    p.add_argument("--vm", required=True, help="the validation kernel's VM spec")
    p.add_argument("--kernel-config", required=True, help="the validation kernel's .config")
    p.add_argument("--objects", required=True, help="object map (results/validation/objects.json)")
    p.add_argument("--index", nargs="+", required=True, help="corpus indexes")
    p.add_argument("--loads", required=True, help="results/loads")
    p.add_argument("--baseline", required=True, help="the variant whose rejections count")
    p.add_argument("--variant", required=True, help="the BCF variant whose acceptances are run")
    p.add_argument("--cert-store", required=True, help="certificates the BCF loads proved")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument(
        "--jobs", type=int, default=1, help="batches run at once, each in its own guests"
    )
    p.add_argument("--max-inputs", type=int, default=inputs.DEFAULT_MAX_INPUTS)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--slowdown", type=float, default=4.0, help="time limits times this (KASAN)")
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-md", required=True)
    p.add_argument("--out-log", required=True)
