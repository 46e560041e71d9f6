"""Shared machinery of the slow tests: one real pipeline run per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from bcfpipe.load.loadjob import ObjectJob

REPO = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BCFPIPE_TEST_OUT", REPO / ".test-output"))


def config_file() -> Path:
    cfg = yaml.safe_load((REPO / "tests" / "configs" / "e2e.yaml").read_text())
    cfg["paths"] = {
        "resources": str(REPO / "resources"),  # the download cache is shared with real runs
        "work": str(OUT / "work"),
        "results": str(OUT / "results"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "e2e-config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def snakemake(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Targets and flags first: --resources takes every following word as a name=value pair.
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        *args,
        # ./run's settings (rerun-incomplete, keep-going); --cores and --resources below win.
        "--profile",
        str(REPO / "profiles/local"),
        "--configfile",
        str(config_file()),
        "--cores",
        "2",
        "--resources",
        "vm_slots=2",
    ]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    proc.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
        )
    return proc


def misbehaving_batch(tmp_path: Path, results: Path) -> tuple[Path, list[ObjectJob]]:
    """A stock guest whose loader misbehaves on purpose for objects named crash*/hang* (a kernel
    panic, a hang), and five copies of a loading object named ok1, crash, ok2, hang, ok3: the
    production path (run_jobs, the guest init, the timeouts) meets a crash and a hang."""
    from bcfpipe.guest import initramfs
    from bcfpipe.load import loadjob

    wrapper = tmp_path / "wrapper.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do obj=$out; out=$a; done\n'
        'case "$(basename "$obj")" in\n'
        "crash*) echo c > /proc/sysrq-trigger ;;\n"
        "hang*) sleep 1000 ;;\n"
        "esac\n"
        'exec /bin/bcfpipe-load.real "$@"\n'
    )
    entries = initramfs.initramfs_entries(
        Path("/bin/busybox"),
        REPO / "guest" / "init",
        {
            "bpftool": results / "kernel/stock/bpftool",
            "bcfpipe-load.real": results / "kernel/stock/bcfpipe-load",
        },
    )
    entries.append(initramfs.Entry("bin/bcfpipe-load", 0o100755, wrapper.read_bytes()))
    initrd = tmp_path / "initrd.cpio"
    initramfs.write_cpio(initrd, entries)

    good = results / "corpus/objects/patterns/clang-19_-O2_masked_index_ok.o"
    jobs = []
    for name in ("ok1", "crash", "ok2", "hang", "ok3"):
        shutil.copyfile(good, tmp_path / f"{name}.o")
        jobs.append(loadjob.ObjectJob(tmp_path / f"{name}.o", "fixtures"))
    return initrd, jobs
