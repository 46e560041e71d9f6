"""Corpus and VM-job subcommands: headers, compile, index, loader build, load objects, truth."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bcfpipe import corpus, loadjob, truth, vm, vmspec
from bcfpipe.build import run_logged
from bcfpipe.cli import add_command
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic


def cmd_corpus_headers(a: argparse.Namespace) -> None:
    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(a.libbpf_include, out)
    proc = subprocess.run(
        [a.bpftool, "btf", "dump", "file", a.vmlinux, "format", "c"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise PipelineError(f"bpftool btf dump of {a.vmlinux} failed: {proc.stderr.strip()}")
    (out / "vmlinux.h").write_text(proc.stdout)


def cmd_compile_source(a: argparse.Namespace) -> None:
    src = Path(a.src)
    failed = []
    for compiler in a.compiler:
        for opt in a.opts.split(","):
            out = Path(a.out_dir) / corpus.object_name(compiler, opt, src.stem)
            rec = corpus.compile_object(compiler, opt, src, out, Path(a.include))
            print(" ".join(rec["command"]), flush=True)
            if not rec["ok"]:
                failed.append(f"{compiler} {opt}: {rec['error']}")
    # Every variant is tried first, so the log names all that failed, not only the first.
    if failed:
        raise PipelineError(f"{src} does not compile with " + "; ".join(failed))


def cmd_corpus_index(a: argparse.Namespace) -> None:
    entries: list[dict[str, Any]] = []
    truths: dict[str, list[dict[str, Any]]] = {}
    for src in a.source:
        p = Path(src)
        truths[f"{p.parent.name}/{p.stem}"] = [t.__dict__ for t in corpus.read_truth(p)]
    for obj in a.object:
        p = Path(obj)
        meta = corpus.parse_object_name(p.name)
        entries.append(
            {
                "project": p.parent.name,
                "source": meta["name"],
                "object": p.name,
                "compiler": meta["compiler"],
                "opt": meta["opt"],
                "programs": corpus.describe_object(p),
                "truth": truths.get(f"{p.parent.name}/{meta['name']}", []),
            }
        )
    index = corpus.build_index(entries)
    out = Path(a.out)
    write_json_atomic(out / "index.json", index)
    write_json_atomic(out / "prog_index.json", index["prog_index"])
    write_json_atomic(out / "obj_prog_type.json", index["obj_prog_type"])
    print(json.dumps(index["counts"]))


def cmd_corpus_import(a: argparse.Namespace) -> None:
    tree = Path(read_json(a.tree)["tree"])
    root = tree / a.dir
    if not root.is_dir():
        raise PipelineError(
            f"the fetched tree {tree} has no corpus folder '{a.dir}' (corpus.import_dir); "
            f"folders there: {', '.join(sorted(p.name for p in tree.iterdir() if p.is_dir()))}"
        )
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    index = corpus.import_tree(root, out)
    write_json_atomic(out / "index.json", index)
    print(json.dumps(index["counts"]))


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


def cmd_vm_spec(a: argparse.Namespace) -> None:
    try:
        settings = vmspec.LoadSettings(**json.loads(a.settings))
    except (TypeError, json.JSONDecodeError) as e:
        raise PipelineError(f"vm-spec: --settings is not a LoadSettings JSON object: {e}") from e
    rec = vmspec.write_spec(a.out, a.variant, a.kernel, a.initrd, a.accel, settings)
    print(f"{a.variant}: kernel {rec['kernel_sha256'][:12]}, initramfs {rec['initrd_sha256'][:12]}")


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
        jobs.append(
            loadjob.ObjectJob(
                Path(obj),
                project,
                corpus.type_overrides(types, []),
                prog_type=corpus.object_type(types),
            )
        )
    spec = vmspec.read_spec(a.vm)
    s = spec.settings
    run: Any = loadjob.run_jobs
    extra: dict[str, Any] = {}
    if s.loader == "bpftool":
        extra = {"loader": "bpftool", "prover": s.bcf}
    elif s.bcf:
        run = loadjob.run_jobs_bcf
        extra = {"max_rounds": s.bcf_rounds, "prove_seconds": s.bcf_prove_seconds}
    results = run(
        jobs,
        kernel=Path(spec.kernel),
        initrd=Path(spec.initrd),
        accel=vm.read_accel(spec.accel),
        variant=spec.variant,
        timeout_s=spec.vm_timeout(n),
        per_object_timeout=s.object_timeout_s,
        memory_mb=s.memory_mb,
        qemu=s.qemu,
        scratch=s.scratch,
        **extra,
    )
    for (result, raw), out_json, out_log in zip(results, a.out, a.log, strict=True):
        loadjob.write_result(result, raw, Path(out_json), Path(out_log))
        print(
            f"{result['project']}/{result['object']}: {result['verdict']} "
            f"({result['vm']['wall_seconds']:.2f} s, {result['vm']['accel']})"
        )


def cmd_truth_report(a: argparse.Namespace) -> None:
    from bcfpipe.aggregate.results import result_paths

    index = read_json(a.index)
    results = [read_json(p) for p in result_paths(a.index, a.loads, a.variant)]
    report = truth.compare(index, results)
    write_json_atomic(a.out_json, report)
    Path(a.out_md).write_text(truth.render_markdown(report))
    print(f"{report['summary']}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

    p = add("corpus-headers", cmd_corpus_headers, "vmlinux.h and libbpf headers for the corpus")
    p.add_argument("--bpftool", required=True)
    p.add_argument("--vmlinux", required=True)
    p.add_argument("--libbpf-include", required=True)
    p.add_argument("--out", required=True)

    p = add("compile-source", cmd_compile_source, "compile one corpus source, every variant")
    p.add_argument("--compiler", nargs="+", required=True)
    p.add_argument("--opts", required=True, help="comma-separated: --opts=-O1,-O2")
    for arg in ("--src", "--include", "--out-dir"):
        p.add_argument(arg, required=True)

    p = add("corpus-index", cmd_corpus_index, "index the compiled corpus")
    p.add_argument("--source", nargs="*", default=[])
    p.add_argument("--object", nargs="*", default=[])
    p.add_argument("--out", required=True)

    p = add("corpus-import", cmd_corpus_import, "import a prebuilt corpus from a fetched tree")
    p.add_argument("--tree", required=True, help="unpack-source record of the tree")
    p.add_argument("--dir", default="bpf-progs", help="corpus folder inside the tree")
    p.add_argument("--out", required=True)

    p = add("build-loader", cmd_build_loader, "build the static guest loader")
    for arg in ("--src", "--include", "--libbpf", "--out"):
        p.add_argument(arg, required=True)

    p = add("vm-spec", cmd_vm_spec, "write a variant's VM spec (what its VM jobs boot)")
    for arg in ("--variant", "--kernel", "--initrd", "--accel", "--out"):
        p.add_argument(arg, required=True)
    p.add_argument("--settings", required=True, help="JSON of bcfpipe.vmspec.LoadSettings")

    p = add("load-objects", cmd_load_objects, "boot the guest and load objects")
    p.add_argument("--vm", required=True, help="the variant's VM spec (results/guest/V/vm.json)")
    # One value per object (--object a b or --object a --object b); one --project serves all.
    for arg in ("--object", "--project", "--out", "--log"):
        p.add_argument(arg, action="extend", nargs="+", required=True)
    p.add_argument("--types", action="extend", nargs="+", help="JSON overrides or '' per object")

    p = add("truth-report", cmd_truth_report, "compare verdicts with the corpus ground truth")
    p.add_argument("--index", required=True)
    p.add_argument("--loads", required=True, help="results/loads (read as the index lists)")
    p.add_argument("--variant", nargs="+", required=True)
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-md", required=True)
