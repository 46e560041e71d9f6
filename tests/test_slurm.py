"""kick_tires through SLURM on a one-node cluster started here, against the local run's verdicts.

Slow: it needs the local e2e run of tests/e2e.py (shared with test_e2e.py; a no-op when that has
run) and root. The SLURM run writes its results to a temporary directory but shares the e2e run's
build trees, so its kernel jobs are the incremental rebuilds a rerun does; every job of kick_tires
still runs as (part of) a SLURM job, through profiles/slurm with the site settings a 2-core node
needs. Run alone: .venv/bin/python -m pytest -m slow tests/test_slurm.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import localslurm
from tests.e2e import OUT, REPO, config_file, snakemake

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[localslurm.LocalSlurm]:
    if os.geteuid() != 0:
        pytest.skip("a local SLURM node needs root")
    if missing := localslurm.missing_tools():
        pytest.skip(f"not installed: {' '.join(missing)} (./run test installs them)")
    # A short private path: munge's socket path must fit a sockaddr_un (108 bytes).
    with tempfile.TemporaryDirectory(prefix="bcfslurm-") as root:
        c = localslurm.start(Path(root) / "cluster")
        try:
            yield c
        finally:
            c.stop()


def site_profile(tmp: Path, c: localslurm.LocalSlurm, logdir: Path, cfgfile: Path) -> Path:
    """profiles/slurm with what a site changes: CPUs and memory of its nodes, status command."""
    prof = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    prof["cores"] = c.cpus
    prof["jobs"] = 4
    prof["latency-wait"] = 5
    prof["slurm-logdir"] = str(logdir)
    # No slurmdbd here: squeue answers, and MinJobAge keeps finished jobs visible to it.
    prof["slurm-status-command"] = "squeue"
    prof["slurm-init-seconds-before-status-checks"] = 2
    prof["slurm-no-account"] = True
    prof["set-threads"] = [
        f"{r.split('=')[0]}={min(int(r.split('=')[1]), c.cpus)}" for r in prof["set-threads"]
    ]
    prof["resources"] = [f"vm_slots={c.cpus}", f"compile_slots={c.cpus}", "downloads=1"]
    out = tmp / "profile"
    out.mkdir()
    (out / "config.yaml").write_text(yaml.safe_dump(prof))
    # The rules declare their memory (rules/*.smk): any rule asking more than half the node is
    # capped, as a site with small nodes would (set-resources).
    half = c.memory_mb // 2
    caps = [f"{r}:mem_mb={half}" for r, mb in declared_memory(out, cfgfile).items() if mb > half]
    if caps:
        prof["set-resources"] = caps
        (out / "config.yaml").write_text(yaml.safe_dump(prof))
    return out


def declared_memory(profile: Path, cfgfile: Path) -> dict[str, int]:
    """mem_mb of each rule of kick_tires, as the plan through ``profile`` shows it."""
    cmd = [sys.executable, "-m", "snakemake", "-n", "kick_tires", "--profile", str(profile)]
    cmd += ["--configfile", str(cfgfile)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = re.findall(r"rule (\w+):\n(?:.*\n)*?\s+resources: .*?\bmem_mb=(\d+)", proc.stdout)
    return {rule: int(mb) for rule, mb in found}


def minutes(limit: str) -> int:
    """squeue's time limit ([D-]H:MM:SS, M:SS) in minutes."""
    days, _, clock = limit.rpartition("-")
    parts = [int(x) for x in clock.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return int(days or 0) * 1440 + parts[0] * 60 + parts[1]


def verdicts(loads: Path) -> dict[str, Any]:
    out = {}
    for path in sorted(loads.glob("*/*/*.json")):
        r = json.loads(path.read_text())
        out[str(path.relative_to(loads))] = (
            r["verdict"],
            [(p["name"], p["verdict"], p.get("error_category")) for p in r["programs"]],
        )
    return out


def test_kick_tires_through_slurm_equals_the_local_run(
    cluster: localslurm.LocalSlurm, tmp_path: Path
) -> None:
    snakemake("kick_tires")  # the local reference run (a no-op once test_e2e ran it)
    local = verdicts(OUT / "results/loads")

    cfg = yaml.safe_load(config_file().read_text())
    cfg["paths"]["results"] = str(tmp_path / "results")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    logdir = tmp_path / "slurm-logs"
    profile = site_profile(tmp_path, cluster, logdir, tmp_path / "config.yaml")
    cmd = [sys.executable, "-m", "snakemake", "kick_tires", "--profile", str(profile)]
    cmd += ["--configfile", str(tmp_path / "config.yaml")]
    start = time.monotonic()
    # Inside the cluster's private network namespace (loopback only; jobs have no network, so
    # the kernel source comes from the download cache the local run filled).
    proc = subprocess.run(
        cluster.command(cmd), cwd=REPO, env=cluster.env, capture_output=True, text=True
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-8000:] + cluster.logs()
    print(f"kick_tires through SLURM: {elapsed:.0f} s")
    # The site profile alone set the run: no workflow profile (profiles/default) mixed in.
    assert f"Using profile {profile} for setting default command line arguments." in proc.stderr
    assert "workflow specific profile" not in proc.stderr

    # Same verdicts, object by object and program by program.
    remote = verdicts(tmp_path / "results/loads")
    assert remote == {k: local[k] for k in remote}
    assert len(remote) == 2 * len(cfg["corpus"]["kick_tires"])

    # Every SLURM job ran and left its own log; the VM jobs went in one batch, not one each.
    fmt = "--format=%i|%T|%C|%m|%l|%k"
    jobs = cluster.run("squeue", "--states=all", "--noheader", fmt).stdout.split()
    states = {line.split("|")[1] for line in jobs}
    assert states == {"COMPLETED"}, jobs
    # What the jobs asked SLURM for: no more than the node has, and the kernel build's own
    # runtime (90 min, declared on the rule) reached the kernel job.
    fields = [line.split("|") for line in jobs]
    assert all(int(f[2]) <= cluster.cpus for f in fields), jobs
    kernel = [f for f in fields if "build_kernel" in f[5]]
    assert kernel and all(minutes(f[4]) >= 90 for f in kernel), jobs
    logs = sorted(logdir.rglob("*.log"))
    assert len(logs) == len(jobs)
    assert len([p for p in logs if "group_vm_loads" in str(p)]) == 1
    assert len(jobs) < 33  # kick_tires has 33 jobs; groups submit fewer
    print(f"{len(jobs)} SLURM jobs")
