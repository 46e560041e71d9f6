"""VM jobs that resume a saved guest (bcfpipe/guest/snapshot.py) on the e2e run's stock kernel:
the same verdicts and verifier statistics as booted guests, isolation of a crash or hang, two
jobs resuming one state at once, and the boot a broken or unfitting snapshot falls back to."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.guest import snapshot, vm, vmspec
from bcfpipe.load import loadjob
from bcfpipe.load.compare import PROGRAM_FIELDS, compare_results
from tests.e2e import OUT, misbehaving_batch, snakemake

pytestmark = pytest.mark.slow

RESULTS = OUT / "results"
KERNEL = RESULTS / "kernel/stock/bzImage"


@pytest.fixture(scope="module")
def snaps() -> dict[str, snapshot.Snapshot]:
    records = {v: RESULTS / f"guest/{v}/snapshot.json" for v in ("stock", "bcf")}
    snakemake(*map(str, records.values()), str(RESULTS / "corpus/index.json"))
    return {v: snapshot.read(r) for v, r in records.items()}


@pytest.fixture(scope="module")
def snap(snaps: dict[str, snapshot.Snapshot]) -> snapshot.Snapshot:
    return snaps["stock"]


def accel() -> str:
    return vm.read_accel(RESULTS / "host/accel.json")


def corpus_jobs() -> list[loadjob.ObjectJob]:
    objs = sorted((RESULTS / "corpus/objects").glob("*/*.o"))
    assert len(objs) >= 10
    return [loadjob.ObjectJob(p, p.parent.name) for p in objs]


def load(jobs: list[loadjob.ObjectJob], variant: str = "stock", **kw: Any) -> list[dict[str, Any]]:
    kw.setdefault("kernel", RESULTS / f"kernel/{variant}/bzImage")
    kw.setdefault("initrd", RESULTS / f"guest/{variant}/initramfs.cpio")
    run = loadjob.run_jobs_bcf if variant == "bcf" else loadjob.run_jobs
    results = run(jobs, accel=accel(), variant=variant, timeout_s=120, per_object_timeout=60, **kw)
    return [r for r, _ in results]


def summary(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Per program what compare-loads holds equal between two runs."""
    return [tuple(p[k] for k in PROGRAM_FIELDS) for p in result["programs"]]


@pytest.mark.parametrize("variant", ["stock", "bcf"])
def test_resumed_guests_give_the_verdicts_and_statistics_of_booted_ones(
    snaps: dict[str, snapshot.Snapshot], variant: str
) -> None:
    """Also across load.verifier_log: the resumed guests log at level 4 (the default, 'stats'),
    the booted ones at 1|4 ('trace'); the error lines must agree as well."""
    jobs = corpus_jobs()
    resumed = [load([j], variant, snapshot=snaps[variant])[0] for j in jobs]
    booted = [load([j], variant, log_level=vmspec.LOG_LEVELS["trace"])[0] for j in jobs]
    assert {r["vm"]["start"] for r in resumed} == {"snapshot"}
    assert {r["vm"]["start"] for r in booted} == {"boot"}
    for a, b in zip(resumed, booted, strict=True):
        assert a["object"] == b["object"]
        # what compare-loads holds equal between two runs: verdicts, BCF outcome, and per
        # program its verdict, error (line and errno), instruction and state counts
        assert compare_results(a["object"], a, b) == []
    verdicts = {r["verdict"] for r in resumed}
    assert {"loaded", "rejected"} <= verdicts, verdicts
    # The point of it: a resumed VM costs a fraction of a boot (medians, not a timed assertion
    # of a benchmark: a factor this machine shows with a wide margin even when busy).
    fast = sorted(r["vm"]["wall_seconds"] for r in resumed)[len(resumed) // 2]
    slow = sorted(r["vm"]["wall_seconds"] for r in booted)[len(booted) // 2]
    assert fast < slow, (fast, slow)


def load_objects(spec: Path, objects: list[Path], out: Path) -> list[dict[str, Any]]:
    """``bcfpipe load-objects`` as a load job runs it: one process for the objects."""
    outs = [out / f"{k}-{o.stem}.json" for k, o in enumerate(objects)]
    cmd = [sys.executable, "-m", "bcfpipe", "load-objects", "--vm", str(spec), "--project", "p"]
    cmd += ["--object", *map(str, objects), "--out", *map(str, outs)]
    cmd += ["--log", *(str(o.with_suffix(".log")) for o in outs)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [json.loads(o.read_text()) for o in outs]


def test_a_job_loads_objects_with_the_same_bytes_once(
    snaps: dict[str, snapshot.Snapshot], tmp_path: Path
) -> None:
    """load.dedup (the default): an object with the bytes of an earlier one in its job is not
    loaded again; its result is that load under its own name, which a load of its own gives."""
    spec = RESULTS / "guest/stock/vm.json"
    snakemake(str(spec))
    assert json.loads(spec.read_text())["settings"]["dedup"] is True
    first, other = (j.path for j in corpus_jobs()[:2])
    twin = tmp_path / "twin" / first.name.replace("_-O2_", "_-Os_")
    twin.parent.mkdir()
    twin.write_bytes(first.read_bytes())
    a, b, c = load_objects(spec, [first, other, twin], tmp_path)
    assert a["vm"]["start"] == b["vm"]["start"] == "snapshot"
    assert c["vm"]["start"] == "copy" and c["vm"]["wall_seconds"] == 0.0
    assert (c["object"], c["same_bytes_as"]) == (twin.name, first.name)
    assert c["programs"] == a["programs"] and c["verdict"] == a["verdict"]
    (alone,) = load_objects(spec, [twin], tmp_path / "twin")
    assert alone["vm"]["start"] == "snapshot" and "same_bytes_as" not in alone
    assert summary(alone) == summary(c)


def test_two_jobs_resume_one_state_at_once(snap: snapshot.Snapshot) -> None:
    jobs = corpus_jobs()[:4]
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda js: load(js, snapshot=snap), [jobs, jobs])
    assert [summary(r) for r in a] == [summary(r) for r in b]
    assert all(r["vm"]["start"] == "snapshot" and r["vm"]["boots"] == 1 for r in a + b)


def test_a_broken_state_falls_back_to_a_boot(snap: snapshot.Snapshot, tmp_path: Path) -> None:
    broken = tmp_path / "guest.state"
    data = Path(snap.state).read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    job = corpus_jobs()[:1]
    (result,) = load(job, snapshot=dataclasses.replace(snap, state=str(broken)))
    (good,) = load(job, snapshot=snap)
    assert result["vm"]["start"] == "boot"
    assert "restore failed" in result["vm"]["start_detail"]
    assert summary(result) == summary(good)


def test_a_snapshot_of_other_settings_is_not_used(snap: snapshot.Snapshot) -> None:
    (result,) = load(corpus_jobs()[:1], snapshot=snap, memory_mb=snap.memory_mb * 2)
    assert result["vm"]["start"] == "boot"
    assert result["vm"]["start_detail"].startswith("snapshot not used: memory_mb")


def test_a_crash_or_hang_after_resuming_costs_only_its_object(
    snap: snapshot.Snapshot, tmp_path: Path
) -> None:
    """As tests/test_e2e.py's batch, every VM resumed from a snapshot of the wrapped guest."""
    initrd, jobs = misbehaving_batch(tmp_path, RESULTS)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    wrapped = vm.save_snapshot(
        kernel=KERNEL,
        initrd=initrd,
        state=tmp_path / "guest.state",
        record=tmp_path / "snapshot.json",
        scratch=scratch,
        accel=accel(),
        memory_mb=512,
        qemu="qemu-system-x86_64",
    )
    assert json.loads((tmp_path / "snapshot.json").read_text())["state_bytes"] > 0
    results = loadjob.run_jobs(
        jobs,
        kernel=KERNEL,
        initrd=initrd,
        accel=accel(),
        variant="stock",
        timeout_s=120,
        per_object_timeout=10,
        snapshot=wrapped,
    )
    verdicts = [r["verdict"] for r, _ in results]
    assert verdicts == ["loaded", "vm_crash", "loaded", "timeout", "loaded"], verdicts
    assert results[1][0]["vm"]["boots"] == 2  # the crash cost one extra start
    assert all(r["vm"]["start"] == "snapshot" for r, _ in results)
