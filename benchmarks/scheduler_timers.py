"""Snakemake's scheduling cost with and without bcfpipe/schedtimer.py.

    .venv/bin/python benchmarks/scheduler_timers.py [JOBS] [SECONDS_PER_JOB]

Runs a workflow of JOBS independent jobs (``sleep SECONDS_PER_JOB``, default 1,500 × 0.05 s) on
two cores with the local profile's scheduler settings, once with Snakemake's own timers and once
with one pending timer, and prints wall time and the CPU time of Snakemake and its jobs. The jobs
sleep, so the CPU time is nearly all Snakemake's.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WORKFLOW = """
import sys
sys.path.insert(0, {repo!r})
if {fix!r}:
    from bcfpipe import schedtimer
    assert schedtimer.install()

rule all:
    input: expand("out/{{i}}", i=range({jobs}))

rule one:
    output: "out/{{i}}"
    shell: "sleep {seconds}; touch {{output}}"
"""


def run(fix: bool, jobs: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bcfpipe-sched-") as tmp:
        Path(tmp, "Snakefile").write_text(
            WORKFLOW.format(repo=str(REPO), fix=fix, jobs=jobs, seconds=seconds)
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "--cores",
                "2",
                "--scheduler",
                "greedy",
                "--scheduler-subsample",
                "32",
                "--quiet",
                "all",
            ],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


def main() -> None:
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    for fix in (False, True):
        result = {"jobs": jobs, "sleep_s": seconds, "one_timer": fix, **run(fix, jobs, seconds)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
