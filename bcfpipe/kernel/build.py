"""Configure and build a kernel and its tools out of tree, incrementally.

The build directory lives under ``work/`` and is never a declared output: Snakemake deletes outputs
before a job runs, which would turn every rebuild into a build from scratch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.kernel import kconfig


def _env(ccache: str, work: Path) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    extra: list[str] = []
    use = ccache == "yes" or (ccache == "auto" and shutil.which("ccache"))
    if ccache == "yes" and not shutil.which("ccache"):
        raise PipelineError(
            "kernel.ccache is 'yes' but ccache is not installed "
            "(apt-get install ccache, or set kernel.ccache: auto)"
        )
    if use:
        env.setdefault("CCACHE_DIR", str((work / "ccache").resolve()))
        # Each variant builds in <its tree>/build, so kbuild's paths are relative and alike
        # (bcfpipe/kernel/patch.py); the compiler's working directory still differs, hence
        # NOHASHDIR.
        env.setdefault("CCACHE_BASEDIR", str(work.resolve()))
        env.setdefault("CCACHE_NOHASHDIR", "1")
        # Depend mode takes the includes from the compiler's own -MMD output instead of running
        # the preprocessor a second time on every miss: a cold kernel build took 4:27 with it,
        # over 5 min without it, 4:03 with no ccache at all (docs/benchmarks.md, 2026-12-04).
        env.setdefault("CCACHE_DEPEND", "1")
        extra = ["CC=ccache gcc", "HOSTCC=ccache gcc"]
    return env, extra


def run_logged(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, what: str = ""
) -> None:
    """Run ``cmd`` with its output on stdout (the rule's log) and progress lines on stderr."""
    start = time.monotonic()
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    tail: deque[str] = deque(maxlen=40)
    last = start
    for lines, line in enumerate(proc.stdout, 1):
        sys.stdout.write(line)
        tail.append(line)
        now = time.monotonic()
        if now - last > 30:
            last = now
            print(
                f"{what or cmd[0]}: {now - start:.0f} s, {lines} lines of output",
                file=sys.stderr,
                flush=True,
            )
    rc = proc.wait()
    if rc != 0:
        raise PipelineError(
            f"{what or cmd[0]} failed (exit {rc}); last lines:\n" + "".join(tail).rstrip()
        )


def configure(
    tree: Path, build: Path, fragments: list[Path], required: list[str], ccache: str, work: Path
) -> dict[str, str]:
    """allnoconfig plus the merged fragments; fail naming required options that were dropped."""
    build.mkdir(parents=True, exist_ok=True)
    wanted = kconfig.merge(fragments)
    allconfig = build / "bcfpipe-fragments.config"
    allconfig.write_text(kconfig.render(wanted))
    env, extra = _env(ccache, work)
    run_logged(
        [
            "make",
            "-C",
            str(tree),
            f"O={build.resolve()}",
            *extra,
            f"KCONFIG_ALLCONFIG={allconfig.resolve()}",
            "allnoconfig",
        ],
        env=env,
        what="kernel configuration",
    )
    final = kconfig.parse((build / ".config").read_text())
    kconfig.assert_required(final, required, wanted)
    return final


MAKE_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*=[^\s]*$")


def build_kernel(
    tree: Path, build: Path, jobs: int, ccache: str, work: Path, make_vars: Sequence[str] = ()
) -> dict[str, Any]:
    bad = [v for v in make_vars if not MAKE_VAR.match(v)]
    if bad:
        raise PipelineError(
            f"make variables must look like NAME=VALUE without spaces: {', '.join(bad)}"
        )
    env, extra = _env(ccache, work)
    start = time.monotonic()
    run_logged(
        [
            "make",
            "-C",
            str(tree),
            f"O={build.resolve()}",
            *extra,
            *make_vars,
            f"-j{jobs}",
            "bzImage",
        ],
        env=env,
        what="kernel build",
    )
    release = (build / "include" / "config" / "kernel.release").read_text().strip()
    return {
        "release": release,
        "build_seconds": round(time.monotonic() - start, 1),
        "ccache": bool(extra),
        "make_vars": list(make_vars),
    }


def build_bpftool(tree: Path, build: Path, jobs: int) -> Path:
    """A static bpftool (and the static libbpf beside it) built from the variant's own tree."""
    out = (build / "tools" / "bpftool").resolve()
    out.mkdir(parents=True, exist_ok=True)
    vmlinux = (build / "vmlinux").resolve()
    if not vmlinux.is_file():
        raise PipelineError(
            f"{vmlinux} is missing: build the kernel before bpftool, whose "
            f"skeletons take BTF from it"
        )
    run_logged(
        [
            "make",
            "-C",
            str(tree / "tools" / "bpf" / "bpftool"),
            f"OUTPUT={out}/",
            f"-j{jobs}",
            f"VMLINUX_BTF={vmlinux}",
            "feature-llvm=0",
            "feature-libbfd=0",
            "feature-libbfd-liberty=0",
            "feature-libbfd-liberty-z=0",
            "EXTRA_LDFLAGS=-static",
        ],
        what="bpftool build",
    )
    return out / "bpftool"


def libbpf_dirs(build: Path) -> tuple[Path, Path]:
    """(include dir, libbpf.a) that the bpftool build leaves behind."""
    base = (build / "tools" / "bpftool" / "libbpf").resolve()
    return base / "include", base / "libbpf.a"
