"""Kernel selftest subcommands: build test_verifier from a variant's tree, run it, compare."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.fsutil import read_json, write_json_atomic, write_text_atomic
from bcfpipe.load.results import result_paths
from bcfpipe.selftests import corpus as selftest_corpus
from bcfpipe.selftests import verifier


def cmd_build_selftests(a: argparse.Namespace) -> None:
    tree = Path(read_json(a.patched)["tree"])
    info = verifier.build_test_verifier(tree, Path(a.libbpf), Path(a.include), Path(a.out))
    print(f"built {a.out} from {tree} ({info['tests_files']} verifier test files)")


def cmd_run_selftests(a: argparse.Namespace) -> None:
    result, raw = verifier.run_in_guest(
        Path(a.binary),
        kernel=Path(a.kernel),
        initrd=Path(a.initrd),
        accel=json.loads(Path(a.accel).read_text())["accel"],
        timeout_s=a.timeout,
        memory_mb=a.memory,
        qemu=a.qemu,
        scratch=a.scratch,
    )
    result["variant"] = a.variant
    write_text_atomic(a.log, raw)
    write_json_atomic(a.out, result)
    c = result["counts"]
    state = "complete" if result["complete"] else f"INCOMPLETE ({result['vm']['status']})"
    print(
        f"{a.variant}: test_verifier {state}: {c['pass']} pass, {c['fail']} fail, {c['skip']} skip"
    )


def cmd_compare_selftests(a: argparse.Namespace) -> None:
    results: dict[str, Any] = {}
    for spec in a.result:
        variant, _, path = spec.partition("=")
        results[variant] = read_json(path)
    cmp = verifier.compare(results, a.baseline)
    write_json_atomic(a.out_json, cmp)
    write_text_atomic(a.out_md, verifier.markdown(cmp))


def cmd_selftests_corpus(a: argparse.Namespace) -> None:
    tree = Path(read_json(a.patched)["tree"])
    out = Path(a.out)
    index = selftest_corpus.build(
        tree,
        Path(a.include),
        out,
        a.glob,
        a.compiler,
        a.opts.split(","),
        progress=lambda m: print(m, flush=True),
        jobs=a.jobs,
    )
    write_json_atomic(out / "index.json", index)
    c = index["counts"]
    print(f"selftests: {c['objects']} objects built, {c['compile_failures']} did not build")


def cmd_selftests_expectations(a: argparse.Namespace) -> None:
    index = read_json(a.index)
    paths = result_paths(a.index, a.loads, a.variant)
    report = selftest_corpus.expectation_report(index, (read_json(p) for p in paths))
    write_json_atomic(a.out_json, report)
    write_text_atomic(a.out_md, selftest_corpus.expectation_markdown(report, index))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = add_command(sub, "build-selftests", cmd_build_selftests, "build a static test_verifier")
    p.add_argument("--patched", required=True)
    p.add_argument("--libbpf", required=True)
    p.add_argument("--include", required=True)
    p.add_argument("--out", required=True)

    p = add_command(
        sub, "selftests-corpus", cmd_selftests_corpus, "compile the tree's BPF selftest programs"
    )
    p.add_argument("--patched", required=True)
    p.add_argument("--include", required=True)
    p.add_argument("--glob", nargs="+", required=True)
    p.add_argument("--compiler", nargs="+", required=True)
    p.add_argument("--opts", required=True, help="comma-separated levels: --opts=-O1,-O2")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=1, help="compilers run at once")

    p = add_command(
        sub,
        "selftests-expectations",
        cmd_selftests_expectations,
        "verdicts on the selftest programs against their annotations",
    )
    p.add_argument("--index", required=True)
    p.add_argument("--loads", required=True)
    p.add_argument("--variant", nargs="+", required=True)
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-md", required=True)

    p = add_command(sub, "run-selftests", cmd_run_selftests, "run test_verifier in the guest")
    p.add_argument("--variant", required=True)
    p.add_argument("--binary", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--accel", required=True)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--memory", type=int, default=1024)
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--scratch", default="")
    p.add_argument("--out", required=True)
    p.add_argument("--log", required=True)

    p = add_command(sub, "compare-selftests", cmd_compare_selftests, "selftest results per variant")
    p.add_argument("--baseline", required=True)
    p.add_argument("--result", action="append", default=[], help="VARIANT=PATH")
    p.add_argument("--out-json", required=True)
    p.add_argument("--out-md", required=True)
