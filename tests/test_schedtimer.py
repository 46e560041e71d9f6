"""Snakemake's re-evaluation timers, one pending at a time (bcfpipe/schedtimer.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from snakemake.scheduling import job_scheduler

from bcfpipe import schedtimer


class FakeScheduler:
    def __init__(self) -> None:
        self._open_jobs = threading.Semaphore(0)


def test_many_requests_leave_one_timer_that_fires_once() -> None:
    schedule = schedtimer.coalescing(None)
    sched = FakeScheduler()
    before = threading.active_count()
    for _ in range(200):
        schedule(sched, 0.2)
    assert threading.active_count() == before + 1
    assert sched._open_jobs.acquire(timeout=5)
    assert not sched._open_jobs.acquire(timeout=0.4)
    # Once it has fired, the next request starts a timer again.
    schedule(sched, 0.05)
    assert sched._open_jobs.acquire(timeout=5)


def test_schedulers_keep_their_own_timer() -> None:
    schedule = schedtimer.coalescing(None)
    a, b = FakeScheduler(), FakeScheduler()
    schedule(a, 0.05)
    schedule(b, 0.05)
    assert a._open_jobs.acquire(timeout=5) and b._open_jobs.acquire(timeout=5)


def test_install_replaces_the_method_of_this_snakemake_once() -> None:
    assert schedtimer.install()
    method = getattr(job_scheduler.JobScheduler, schedtimer.METHOD)
    assert hasattr(method, "__wrapped__")
    assert schedtimer.install()
    assert getattr(job_scheduler.JobScheduler, schedtimer.METHOD) is method


WORKFLOW = """
import sys
sys.path.insert(0, {repo!r})
from bcfpipe import schedtimer
assert schedtimer.install()

rule all:
    input: expand("out/{{i}}", i=range(6))

rule one:
    output: "out/{{i}}"
    shell: "date +%s.%N > {{output}}"
"""


def test_a_rate_limited_run_still_starts_every_job(tmp_path: Path) -> None:
    """The timer is what starts the jobs the rate limit held back: with 2 jobs a second, six
    jobs take the three seconds and all of them run."""
    repo = str(Path(__file__).resolve().parents[1])
    (tmp_path / "Snakefile").write_text(WORKFLOW.format(repo=repo))
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--max-jobs-per-timespan", "2/1s"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [str(i) for i in range(6)]
    stamps = sorted(float((tmp_path / "out" / str(i)).read_text()) for i in range(6))
    assert stamps[-1] - stamps[0] >= 1.5, stamps  # the limit held, in three rounds
    assert time.monotonic() - start < 100
