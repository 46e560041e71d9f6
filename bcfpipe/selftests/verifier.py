"""The kernel's own verifier selftests (``test_verifier``), built from a variant's tree and run in
its guest, so that a patched verifier is held to what the stock one passes.

``test_verifier`` is built on the host as one static binary from
``tools/testing/selftests/bpf`` of the variant's tree and its static libbpf, without the selftests
Makefile (which wants the whole selftests toolchain: clang BPF builds, vmlinux.h, modules). The
guest kernels have no module support, so ``bpf_testmod.ko`` is never loaded; the tests that need
its kfuncs fail alike on every kernel and the comparison between variants stays meaningful.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.guest import initramfs, job, vm

SELFTESTS = Path("tools/testing/selftests/bpf")
SOURCES = ("test_verifier.c", "testing_helpers.c", "cap_helpers.c", "unpriv_helpers.c")

# Linked in with --wrap: the module loader of testing_helpers.c is replaced by no-ops.
NO_MODULE_C = """#include <stdbool.h>
int __wrap_load_bpf_testmod(bool verbose) { (void)verbose; return 0; }
int __wrap_unload_bpf_testmod(bool verbose) { (void)verbose; return 0; }
"""

# "#12/p descr OK", "#3/u descr FAIL: reason", "#7/p descr SKIP (unsupported map type 30)"
TEST_LINE = re.compile(r"^#(\d+)/([up]) (.*) (OK|FAIL|SKIP)\b")
SUMMARY = re.compile(r"^Summary: (\d+) PASSED, (\d+) SKIPPED, (\d+) FAILED", re.M)
VERDICTS = {"OK": "pass", "FAIL": "fail", "SKIP": "skip"}


def tests_header(verifier_dir: Path) -> str:
    """``verifier/tests.h`` as the selftests Makefile generates it: one include per test file."""
    files = sorted(p.name for p in verifier_dir.glob("*.c"))
    if not files:
        raise PipelineError(f"no verifier tests in {verifier_dir}: is this a kernel source tree?")
    lines = ["/* Generated header, do not edit */", "#ifdef FILL_ARRAY"]
    lines += [f'#include "{f}"' for f in files]
    return "\n".join([*lines, "#endif"]) + "\n"


def build_test_verifier(
    tree: Path, libbpf: Path, libbpf_include: Path, out: Path, cc: str = "gcc"
) -> dict[str, Any]:
    """Build a static ``test_verifier`` from ``tree`` into ``out``; returns what went in."""
    # The compiler runs inside a scratch copy: every path it is given must be absolute.
    tree, libbpf, libbpf_include = tree.resolve(), libbpf.resolve(), libbpf_include.resolve()
    src = tree / SELFTESTS
    missing = [s for s in SOURCES if not (src / s).is_file()]
    if missing:
        raise PipelineError(f"{src} lacks {', '.join(missing)}: the tree has no BPF selftests")
    with tempfile.TemporaryDirectory(prefix="bcfpipe-selftests-") as tmp:
        # The tests include "../../../include/linux/filter.h" relative to their folder, and
        # verifier/tests.h is generated: build in a copy laid out like the tree.
        copy = Path(tmp) / SELFTESTS
        shutil.copytree(src, copy, symlinks=True)
        (Path(tmp) / "tools" / "include").symlink_to((tree / "tools" / "include").resolve())
        (copy / "verifier" / "tests.h").write_text(tests_header(copy / "verifier"))
        (Path(tmp) / "nomod.c").write_text(NO_MODULE_C)
        cmd = [
            cc,
            "-static",
            "-O1",
            "-w",
            "-Wl,--wrap=load_bpf_testmod",
            "-Wl,--wrap=unload_bpf_testmod",
            "-I.",
            f"-I{tree / 'tools/include'}",
            f"-I{tree / 'tools/include/uapi'}",
            f"-I{tree / 'tools/lib'}",
            f"-I{libbpf_include}",
            f"-I{tree / 'kernel/bpf'}",
            *SOURCES,
            str(tree / "kernel/bpf/disasm.c"),
            str(Path(tmp) / "nomod.c"),
            str(libbpf),
            "-lelf",
            "-lz",
            "-lzstd",
            "-lpthread",
            "-o",
            str(Path(tmp) / "test_verifier"),
        ]
        proc = subprocess.run(cmd, cwd=copy, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PipelineError(
                f"building test_verifier failed (static libelf, zlib and zstd archives come "
                f"with libelf-dev, zlib1g-dev and libzstd-dev):\n{proc.stderr[-3000:]}"
            )
        subprocess.run(["strip", str(Path(tmp) / "test_verifier")], check=False)
        if not initramfs.is_static(Path(tmp) / "test_verifier"):
            raise PipelineError("test_verifier is not statically linked; the guest has no libc")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        shutil.copyfile(Path(tmp) / "test_verifier", partial)
        partial.chmod(0o755)
        partial.replace(out)
    return {"tests_files": len(list((src / "verifier").glob("*.c"))), "cc": cc}


@dataclass
class TestCase:
    id: str  # "#12/p": number and mode (p privileged, u unprivileged)
    name: str
    verdict: str  # pass | fail | skip


def parse_output(text: str) -> dict[str, Any]:
    """The per-test verdicts and the summary line of ``test_verifier``'s standard output."""
    tests = []
    for line in text.splitlines():
        m = TEST_LINE.match(line)
        if m:
            tests.append(TestCase(f"#{m[1]}/{m[2]}", m[3], VERDICTS[m[4]]))
    summary = SUMMARY.search(text)
    counts = {v: sum(t.verdict == v for t in tests) for v in VERDICTS.values()}
    return {
        "complete": summary is not None,
        "summary": (
            {"passed": int(summary[1]), "skipped": int(summary[2]), "failed": int(summary[3])}
            if summary
            else None
        ),
        "counts": counts,
        "tests": [t.__dict__ for t in tests],
    }


def run_in_guest(
    binary: Path,
    *,
    kernel: Path,
    initrd: Path,
    accel: str,
    timeout_s: float,
    memory_mb: int = 1024,
    qemu: str = "qemu-system-x86_64",
    scratch: str = "",
) -> tuple[dict[str, Any], str]:
    """Boot once, run ``test_verifier``; returns the parsed result and the raw output."""
    # stderr apart: libbpf's warnings would otherwise split the test lines.
    script = "./test_verifier > tv.out 2> tv.err; echo $? > tv.rc; sync\n"
    with job.vm_job(
        script, {"test_verifier": binary}, executable={"test_verifier"}, scratch=scratch
    ) as share:
        outcome = vm.run(
            kernel,
            initrd,
            share,
            accel=accel,
            timeout_s=timeout_s,
            memory_mb=memory_mb,
            qemu=qemu,
        )
        out = job.read(share, "tv.out")
        err = job.read(share, "tv.err")
        console = job.read(share, "console.log")
        result = parse_output(out)
        result["vm"] = outcome.to_dict()
        rc = job.read(share, "tv.rc").strip()
        result["exit_code"] = int(rc) if rc.lstrip("-").isdigit() else None
        result["kernel_warnings"] = vm.kernel_warnings(console)
        raw = f"{out}\n--- stderr\n{err}\n--- console ({outcome.status})\n{console}"
        return result, raw


def compare(results: dict[str, dict[str, Any]], baseline: str) -> dict[str, Any]:
    """Per variant: tests that pass on ``baseline`` but not on it (regressions), and the reverse."""
    if baseline not in results:
        raise PipelineError(f"baseline variant '{baseline}' has no selftest result")
    base = {t["id"]: t for t in results[baseline]["tests"]}
    out: dict[str, Any] = {"baseline": baseline, "variants": {}}
    for variant, res in results.items():
        mine = {t["id"]: t for t in res["tests"]}
        regressions = [
            {"id": i, "name": t["name"], "verdict": mine.get(i, {}).get("verdict", "missing")}
            for i, t in base.items()
            if t["verdict"] == "pass" and mine.get(i, {}).get("verdict") != "pass"
        ]
        gains = [
            {"id": i, "name": t["name"], "baseline": base.get(i, {}).get("verdict", "missing")}
            for i, t in mine.items()
            if t["verdict"] == "pass" and base.get(i, {}).get("verdict") != "pass"
        ]
        out["variants"][variant] = {
            "complete": res["complete"],
            "counts": res["counts"],
            "regressions": regressions,
            "gains": gains,
            "kernel_warnings": len(res.get("kernel_warnings", [])),
        }
    return out


def markdown(cmp: dict[str, Any]) -> str:
    lines = [
        "# Kernel verifier selftests (test_verifier) per variant",
        "",
        f"Baseline: `{cmp['baseline']}`. A regression is a test that passes on the baseline and "
        "not on the variant. Tests that need `bpf_testmod.ko` fail on every variant (the guests "
        "have no modules).",
        "",
        "| variant | complete | pass | fail | skip | regressions | gains | kernel warnings |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for v, r in cmp["variants"].items():
        c = r["counts"]
        lines.append(
            f"| {v} | {'yes' if r['complete'] else '**no**'} | {c['pass']} | {c['fail']} | "
            f"{c['skip']} | {len(r['regressions'])} | {len(r['gains'])} | {r['kernel_warnings']} |"
        )
    for v, r in cmp["variants"].items():
        if r["regressions"]:
            lines += ["", f"## Regressions of `{v}`", ""]
            lines += [f"- {x['id']} {x['name']}: {x['verdict']}" for x in r["regressions"]]
    return "\n".join(lines) + "\n"
