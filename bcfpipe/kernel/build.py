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


# A build folder's files that describe its own variant or tree (``source`` links to it), and the
# tools' builds, which name files by absolute path (a copy would neither match its new place nor
# notice the variant's changes: the bcf series changes libbpf): never taken from a seed.
SEED_SKIP = frozenset({".config", "bcfpipe-fragments.config", "source", "tools"})
OBJTOOL = Path("tools/objtool/objtool")


def seed_build(seed: Path, tree: Path, build: Path, touched: Sequence[str]) -> float | None:
    """Copy the finished build folder ``seed`` of the same source into ``build``, never built.

    Kbuild's records in ``seed`` name sources and headers relative to the build folder
    (``../include/…``: each build folder lies inside its tree), and every tree copy keeps the
    pristine files' times, so in ``build`` make recompiles exactly what differs: files the
    variant's or the seed's patches touched (``touched``, paths in the tree, stamped now here:
    a file patched before the seed was built is older than the seed's objects; one whose bytes
    are the seed tree's gets that file's time instead, however often it was patched), objects
    depending on changed headers, config symbols (recorded per object by fixdep) or command lines
    (make variables). Copies, not hard links: the compiler rewrites objects in place.

    Returns the seed's objtool time for :func:`build_kernel` (every object depends on objtool's
    file time), or None, nothing done: ``build`` was built before, ``seed`` was not, or a patch
    touches objtool's sources.
    """
    if (build / "vmlinux.o").exists() or not (seed / "vmlinux.o").exists():
        return None
    if not (seed / OBJTOOL).exists():
        return None
    if any(f.startswith(("tools/objtool/", "tools/build/", "tools/lib/subcmd/")) for f in touched):
        return None

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set(SEED_SKIP & set(names)) if Path(folder) == seed else set()

    shutil.copytree(seed, build, symlinks=True, ignore=ignore, dirs_exist_ok=True)
    seed_tree = (seed / "source").resolve() if (seed / "source").exists() else seed.parent
    for rel in sorted(set(touched)):
        mine, theirs = tree / rel, seed_tree / rel
        if not mine.exists():
            continue
        if theirs.is_file() and mine.read_bytes() == theirs.read_bytes():
            # A file the patches leave as the seed compiled it (a later patch undid an earlier
            # one): the seed's time, so that nothing depending on it is rebuilt.
            st = theirs.stat()
            os.utime(mine, (st.st_atime, st.st_mtime))
        else:
            os.utime(mine)
    # make reruns Kconfig when .config is newer than include/config/auto.conf, and the seed's
    # auto.conf may be the newer one: this variant's configuration must win.
    os.utime(build / ".config")
    return (seed / OBJTOOL).stat().st_mtime


def build_kernel(
    tree: Path,
    build: Path,
    jobs: int,
    ccache: str,
    work: Path,
    make_vars: Sequence[str] = (),
    seed_objtool: float | None = None,
    kcflags: str = "",
) -> dict[str, Any]:
    """``make bzImage``, with ``kcflags`` (``kernel.kcflags``) as KCFLAGS. ``seed_objtool`` (a
    seeded build folder, :func:`seed_build`): objtool is built first and given the seed's
    objtool time, since every object depends on that time and the sources are the same, so the
    seed's objects stay valid."""
    bad = [v for v in make_vars if not MAKE_VAR.match(v)]
    if bad:
        raise PipelineError(
            f"make variables must look like NAME=VALUE without spaces: {', '.join(bad)}"
        )
    if "\n" in kcflags:
        raise PipelineError("kernel.kcflags must be one line of compiler flags")
    kcflags = kcflags.strip()
    env, extra = _env(ccache, work)
    start = time.monotonic()
    flags = [f"KCFLAGS={kcflags}"] if kcflags else []
    make = [
        "make",
        "-C",
        str(tree),
        f"O={build.resolve()}",
        *extra,
        *flags,
        *make_vars,
        f"-j{jobs}",
    ]
    if seed_objtool is not None:
        run_logged([*make, "tools/objtool"], env=env, what="objtool build")
        # All of objtool's build gets the time, or the next make would link it again.
        for path in (build / OBJTOOL.parent).rglob("*"):
            os.utime(path, (seed_objtool, seed_objtool), follow_symlinks=False)
    run_logged([*make, "bzImage"], env=env, what="kernel build")
    release = (build / "include" / "config" / "kernel.release").read_text().strip()
    return {
        "release": release,
        "build_seconds": round(time.monotonic() - start, 1),
        "ccache": bool(extra),
        "make_vars": list(make_vars),
        "kcflags": kcflags,
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
