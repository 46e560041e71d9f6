"""Each profile alone decides a run's settings: no workflow profile is mixed in.

Snakemake loads ``profiles/default`` (beside the Snakefile or in the working directory) as a
*workflow* profile into every run, and its keys win over ``--profile``: a SLURM run then got the
local machine's ``cores: all`` and ``vm_slots=2``. The local settings live in ``profiles/local``,
which ``./run`` names. Each test plans with one profile (a dry run, nothing is built) and checks
what the run uses: the line Snakemake prints about profiles, what the plan shows (threads, group
jobs) and the effective command line Snakemake derives from the profile.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent

# Snakemake's own parse of the command line, with profiles applied: the settings a run uses.
EFFECTIVE = """
import json, sys
from snakemake.cli import parse_args
_, a = parse_args(sys.argv[1:])
def res(m):  # constant values only (Snakemake's own defaults are functions)
    out = {}
    for k, v in (m or {}).items():
        try:
            out[k] = v.value
        except ValueError:
            out[k] = "<function>"
    return out
print(json.dumps({
    "executor": a.executor, "cores": a.cores, "jobs": a.jobs,
    "resources": res(a.resources), "default_resources": res(a.default_resources),
    "set_threads": {k: v.value for k, v in (a.set_threads or {}).items()},
    "set_resources": {r: res(m) for r, m in (a.set_resources or {}).items()},
    "groups": a.groups, "group_components": a.group_components,
    "set_resource_scopes": a.set_resource_scopes,
    "slurm_logdir": str(a.slurm_logdir) if getattr(a, "slurm_logdir", None) else None,
    "keep_going": a.keep_going, "rerun_incomplete": a.rerun_incomplete,
    "scheduler": a.scheduler, "scheduler_subsample": a.scheduler_subsample,
}, default=str))
"""


def dry_run(tmp: Path, profile: str) -> subprocess.CompletedProcess[str]:
    paths = f'{{"results": "{tmp}/results", "work": "{tmp}/work", "resources": "{tmp}/res"}}'
    cmd = [sys.executable, "-m", "snakemake", "--profile", profile, "-n", "-p", "kick_tires"]
    cmd += ["--config", f"paths={paths}"]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)


def effective(profile: str) -> dict[str, Any]:
    cmd = [sys.executable, "-c", EFFECTIVE, "--profile", profile, "-n"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout.splitlines()[-1]))


def profile_yaml(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "profiles" / name / "config.yaml").read_text()))


def pairs(entries: list[str]) -> dict[str, Any]:
    out = {}
    for entry in entries:
        key, value = entry.split("=", 1)
        out[key] = int(value) if value.isdigit() else value
    return out


def threads_of(plan: str, rule: str) -> set[int]:
    blocks = re.findall(rf"rule {rule}:\n(.*?)\n\n", plan + "\n\n", flags=re.S)
    return {int(m) for b in blocks for m in re.findall(r"^\s+threads: (\d+)$", b, flags=re.M)}


def test_no_profiles_default() -> None:
    """The name Snakemake picks up by itself is not used (tests/test_profiles.py says why)."""
    assert not (REPO / "profiles" / "default").exists()


def test_slurm_profile_alone_sets_the_slurm_run(tmp_path: Path) -> None:
    proc = dry_run(tmp_path, "profiles/slurm")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Using profile profiles/slurm for setting default command line arguments." in (
        proc.stderr
    )
    assert "workflow specific profile" not in proc.stderr + proc.stdout

    prof = profile_yaml("slurm")
    # The plan: the kernel build gets the profile's 8 threads (with the local profile's
    # `cores: all` mixed in, a 2-core submit host scaled them down to 2), and the VM and kernel
    # jobs go in the profile's group jobs.
    assert threads_of(proc.stdout, "build_kernel") == {pairs(prof["set-threads"])["build_kernel"]}
    assert "Group job vm_batches" in proc.stdout
    assert "Group job kernel" in proc.stdout

    eff = effective("profiles/slurm")
    assert eff["executor"] == "slurm"
    assert eff["cores"] == prof["cores"]
    assert eff["jobs"] == prof["jobs"]
    assert eff["resources"] == pairs(prof["resources"])
    assert eff["set_resource_scopes"] == pairs(prof["set-resource-scopes"])
    assert eff["set_threads"] == pairs(prof["set-threads"])
    assert eff["groups"] == pairs(prof["groups"])
    assert eff["group_components"] == pairs(prof["group-components"])
    assert eff["slurm_logdir"] == prof["slurm-logdir"]
    for key, value in pairs(prof["default-resources"]).items():
        assert eff["default_resources"][key] == value


def test_slurm_profile_plans_the_whole_evaluation(tmp_path: Path) -> None:
    """Every group of the profile is closed under the default DAG: a group whose job depends on
    a rule outside it that depends on the group again cannot be planned at all."""
    t = tmp_path
    paths = f'{{"results": "{t}/results", "work": "{t}/work", "resources": "{t}/res"}}'
    cmd = [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm", "-n", "all"]
    proc = subprocess.run(
        [*cmd, "--config", f"paths={paths}"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for group in ("vm_batches", "kernel", "aggregate", "compile"):
        assert f"Group job {group}" in proc.stdout, group


def test_rules_declare_what_a_cluster_job_needs(tmp_path: Path) -> None:
    """The sizes are on the rules: the SLURM plan shows them with no per-rule profile entry."""
    assert "set-resources" not in profile_yaml("slurm")
    proc = dry_run(tmp_path, "profiles/slurm")
    assert proc.returncode == 0, proc.stderr[-3000:]

    def resources(rule: str) -> dict[str, str]:
        block = re.search(rf"rule {rule}:\n(.*?)\n\n", proc.stdout + "\n\n", flags=re.S)
        assert block, rule
        line = re.search(r"^\s+resources: (.*)$", block[1], flags=re.M)
        assert line, rule
        return dict(kv.split("=", 1) for kv in line[1].split(", "))

    assert {k: resources("build_kernel")[k] for k in ("mem_mb", "runtime")} == {
        "mem_mb": "8000",
        "runtime": "90",
    }
    # A batch of the three kick_tires objects of 'patterns': 5 minutes each.
    assert {
        k: resources("load_batch_stock_patterns_0000")[k] for k in ("mem_mb", "runtime", "vm_slots")
    } == {"mem_mb": "2000", "runtime": "15", "vm_slots": "1"}
    assert resources("compile_source")["runtime"] == "5"
    assert resources("boot_check")["mem_mb"] == "2000"
    # A rule that declares nothing gets the profile's default.
    assert resources("preflight")["mem_mb"] == "1000"


def test_local_profile_alone_sets_the_local_run(tmp_path: Path) -> None:
    proc = dry_run(tmp_path, "profiles/local")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Using profile profiles/local for setting default command line arguments." in (
        proc.stderr
    )
    assert "workflow specific profile" not in proc.stderr + proc.stdout
    cores = len(os.sched_getaffinity(0))
    assert threads_of(proc.stdout, "build_kernel") == {cores}
    # Only the batch rules' own group, which a dry run shows and a local run ignores (Snakemake's
    # Rule.group is None unless the execution is remote or a dry run).
    assert set(re.findall(r"Group job (\w+)", proc.stdout)) <= {"vm_batches"}

    prof = profile_yaml("local")
    eff = effective("profiles/local")
    assert eff["executor"] in (None, "local")
    assert eff["cores"] == cores  # `cores: all`
    assert eff["resources"] == pairs(prof["resources"])
    assert not eff["groups"]
    assert eff["keep_going"] and eff["rerun_incomplete"]
    # Scheduling rounds over every ready job cost a VM job's time (docs/benchmarks.md).
    assert eff["scheduler"] == "greedy" and eff["scheduler_subsample"] == 32


def test_run_names_the_local_profile() -> None:
    run = (REPO / "run").read_text()
    assert "--profile profiles/local" in run
    assert "profiles/default" not in run
