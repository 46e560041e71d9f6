"""Benchmarks of the pipeline's heavy steps on this machine (numbers go into docs/benchmarks.md).

  python benchmarks/pipeline.py rebuild   # rebuild after touching kernel/bpf/verifier.c
  python benchmarks/pipeline.py scratch   # kernel build from scratch (a fresh build dir, no ccache)
  python benchmarks/pipeline.py boot N    # boot-check wall time, N boots
  python benchmarks/pipeline.py loads     # per-object VM wall time and throughput from results/
  python benchmarks/pipeline.py noop      # `snakemake -n` on a finished run

Runs against an existing default run (./run first). Prints one JSON line per measurement.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bcfpipe import config  # noqa: E402
from bcfpipe.fsutil import read_json  # noqa: E402
from bcfpipe.guest import probe  # noqa: E402
from bcfpipe.kernel import build  # noqa: E402

RESULTS = REPO / "results"
WORK = REPO / "work"


def machine() -> dict[str, object]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "load_before": os.getloadavg()[0],
    }


def emit(name: str, **values: object) -> None:
    print(json.dumps({"benchmark": name, **values, "machine": machine()}), flush=True)


def rebuild() -> None:
    tree = Path(read_json(RESULTS / "kernel/stock/patched.json")["tree"])
    (tree / "kernel/bpf/verifier.c").touch()
    start = time.monotonic()
    build.build_kernel(tree, WORK / "build/stock", os.cpu_count() or 2, "auto", WORK)
    emit("kernel_rebuild_after_touching_verifier", seconds=round(time.monotonic() - start, 1))


def scratch() -> None:
    cfg = config.validate({})
    tree = Path(read_json(RESULTS / "kernel/stock/patched.json")["tree"])
    frags = [
        REPO / "config/kernel" / f"{f}.config" for f in cfg["kernel"]["variants"][0]["fragments"]
    ]
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        bdir = Path(tmp) / "build"
        build.configure(tree, bdir, frags, cfg["kernel"]["required_options"], "no", WORK)
        start = time.monotonic()
        build.build_kernel(tree, bdir, os.cpu_count() or 2, "no", WORK)
        emit("kernel_build_from_scratch", seconds=round(time.monotonic() - start, 1))


def boot(n: int) -> None:
    walls = []
    accel = read_json(RESULTS / "host/accel.json")["accel"]
    for _ in range(n):
        outcome, _found = probe.boot_check(
            RESULTS / "kernel/stock/bzImage",
            RESULTS / "guest/stock/initramfs.cpio",
            RESULTS / "guest/trivial.o",
            accel,
            120,
            512,
            "qemu-system-x86_64",
            "",
        )
        assert outcome.status == "ok", outcome
        walls.append(outcome.wall_seconds)
    emit(
        "boot_check",
        accel=accel,
        runs=n,
        median_s=statistics.median(walls),
        min_s=min(walls),
        max_s=max(walls),
    )


def loads() -> None:
    """Per-object VM wall time by variant and start (snapshot or boot), and the throughput."""
    groups: dict[tuple[str, str], list[float]] = {}
    stamps = []
    for f in sorted((RESULTS / "loads").glob("*/*/*.json")):
        rec = read_json(f)
        key = (rec["variant"], rec["vm"].get("start", "boot"))
        groups.setdefault(key, []).append(rec["vm"]["wall_seconds"])
        stamps.append(f.stat().st_mtime)
    if len(stamps) < 2:
        sys.exit("no results/loads yet: run the pipeline first")
    # Throughput of the whole corpus run as the results arrived: it includes Snakemake's own
    # cost and whatever else ran beside it (the corpus compilation, other users of the cores).
    span_min = (max(stamps) - min(stamps)) / 60
    for (variant, start), walls in sorted(groups.items()):
        emit(
            "per_object_vm",
            variant=variant,
            start=start,
            objects=len(walls),
            median_s=statistics.median(walls),
            p90_s=round(statistics.quantiles(walls, n=10)[-1], 3) if len(walls) > 1 else walls[0],
            max_s=max(walls),
        )
    emit(
        "loads_throughput",
        objects=len(stamps),
        minutes=round(span_min, 2),
        throughput_objects_per_min=round(len(stamps) / span_min, 1) if span_min else None,
    )


def noop() -> None:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--profile", "profiles/local"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - start
    emit(
        "noop_dry_run",
        seconds=round(elapsed, 2),
        nothing_to_do="Nothing to be done" in proc.stdout + proc.stderr,
    )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "loads"
    if what == "boot":
        boot(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    elif what in ("rebuild", "scratch", "loads", "noop"):
        globals()[what]()
    else:
        sys.exit(__doc__)
