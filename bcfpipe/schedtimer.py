"""One pending re-evaluation timer in Snakemake's scheduler instead of one per scheduling round.

Snakemake 9.27.1's job scheduler ends every round that had ready jobs by starting a
``threading.Timer`` of the job rate limit's timespan (1 s by default) that starts another round
(``JobScheduler._schedule_reevalutation``). A round started by such a timer starts the next one,
so every job that finished while others were waiting leaves a timer behind that fires each
second for the rest of the run: after a few hundred jobs the scheduler ran hundreds of rounds a
second, a third of a core on a 2-core machine (docs/benchmarks.md, "Snakemake's timers"). The
timer exists so that jobs the rate limit held back are started once its timespan has passed;
one pending timer does that as well, so a new one is started only when none is pending.

The Snakefile installs this into the process that schedules (local runs and a SLURM run's main
process); a job's own process never schedules, so it is left alone there.
"""

from __future__ import annotations

import threading
from typing import Any

# The Snakemake version whose scheduler this replaces a method of; any other is left as it is.
VERSION = "9.27.1"
METHOD = "_schedule_reevalutation"  # sic: Snakemake's spelling


def coalescing(original: Any) -> Any:
    """A ``_schedule_reevalutation`` that keeps at most one timer per scheduler pending."""
    lock = threading.Lock()

    def schedule(self: Any, delay: float) -> None:
        with lock:
            if getattr(self, "_bcfpipe_timer_pending", False):
                return
            self._bcfpipe_timer_pending = True

        def fire() -> None:
            with lock:
                self._bcfpipe_timer_pending = False
            self._open_jobs.release()

        timer = threading.Timer(delay, fire)
        # Snakemake's own timers would hold the process up to a timespan at its exit.
        timer.daemon = True
        timer.start()

    schedule.__wrapped__ = original  # type: ignore[attr-defined]
    return schedule


def install() -> bool:
    """Replace the scheduler's method when Snakemake is the version this was written for; True
    when it is (now) in place."""
    try:
        import snakemake
        from snakemake.scheduling import job_scheduler
    except ImportError:
        return False
    cls = getattr(job_scheduler, "JobScheduler", None)
    original = getattr(cls, METHOD, None)
    if snakemake.__version__ != VERSION or original is None:
        return False
    if not hasattr(original, "__wrapped__"):
        setattr(cls, METHOD, coalescing(original))
    return True
