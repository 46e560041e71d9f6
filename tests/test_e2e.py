"""End to end on the real thing: fetch, build and boot the default kernel, load real objects.

Slow (a kernel build: about 4 minutes on 2 idle cores); run with ``pytest -m slow``. All tests
share one pipeline run in ``.test-output/`` (or $BCFPIPE_TEST_OUT).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e import OUT, REPO, misbehaving_batch, snakemake

pytestmark = pytest.mark.slow
RESULTS = OUT / "results"


@pytest.fixture(scope="module")
def kick_tires() -> None:
    snakemake("kick_tires")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_boot_check_passes_on_the_built_kernel(kick_tires: None) -> None:
    boot = _load(RESULTS / "kernel/stock/boot_check.json")
    build = _load(RESULTS / "kernel/stock/build.json")
    assert boot["release"] == build["release"]
    assert boot["release"].startswith("6.12.")
    assert boot["vm"]["status"] == "ok" and boot["vm"]["exit_code"] == 0
    assert "name trivial" in boot["prog"]
    accel = _load(RESULTS / "host/accel.json")
    assert accel["accel"] in ("kvm", "tcg") and accel["reason"]
    assert boot["accel"] == accel["accel"]
    config = (RESULTS / "kernel/stock/config").read_text()
    for opt in ("CONFIG_BPF_SYSCALL=y", "CONFIG_DEBUG_INFO_BTF=y", "CONFIG_NET_9P_VIRTIO=y"):
        assert opt in config
    source = _load(RESULTS / "sources/linux-6.12-debian.json")
    assert source["version"] == "6.12.117-1" and len(source["sha256"]) == 64


def test_finished_run_plans_nothing(kick_tires: None) -> None:
    proc = snakemake("-n", "kick_tires")
    assert "Nothing to be done" in proc.stdout + proc.stderr
    print(f"no-op dry run took {proc.elapsed:.2f} s")  # type: ignore[attr-defined]


def test_kick_tires_verdicts(kick_tires: None) -> None:
    loads = RESULTS / "loads/stock"
    ok = _load(loads / "patterns/clang-19_-O2_masked_index_ok.json")
    assert ok["verdict"] == "loaded"
    assert ok["programs"][0]["insns_processed"] > 0
    assert ok["programs"][0]["verification_time_us"] is not None
    oob = _load(loads / "patterns/clang-19_-O2_masked_index_oob.json")
    assert oob["verdict"] == "rejected"
    prog = oob["programs"][0]
    assert prog["error_category"] == "map_value_bounds", prog
    assert "invalid access to map value" in prog["error_line"]
    assert (loads / "patterns/clang-19_-O2_masked_index_oob.log").read_text().count("processed")
    # The cover-letter shape with a 30-bit shift: 6.12.117 still rejects it (a false rejection).
    arsh = _load(loads / "patterns/clang-19_-O2_arsh30_infeasible.json")
    assert arsh["verdict"] == "rejected"
    assert arsh["programs"][0]["error_category"] == "scalar_deref"
    xdp = _load(loads / "xdp-lb/clang-19_-O2_xdp_proto_count.json")
    assert xdp["verdict"] == "loaded" and xdp["programs"][0]["prog_type"] == "xdp"
    for r in (ok, oob, arsh, xdp):
        assert r["vm"]["status"] == "ok" and r["vm"]["boots"] == 1
    # The target's answer: every object under both variants as its truth lines expect.
    table = (RESULTS / "tables/kick_tires.md").read_text()
    assert table.rstrip().splitlines()[-1] == "kick_tires: PASS (8 of 8 checked rows as expected)"


def _compile(name: str, out: Path) -> Path:
    clang = next(c for c in ("clang-19", "clang-16", "clang-14") if shutil.which(c))
    obj = out / f"{name}.o"
    subprocess.run(
        [
            clang,
            "-O2",
            "-g",
            "-target",
            "bpf",
            "-c",
            str(REPO / "tests/fixtures/bpf" / f"{name}.c"),
            "-o",
            str(obj),
        ],
        check=True,
    )
    return obj


def test_compat_issues_are_not_verdicts(kick_tires: None, tmp_path: Path) -> None:
    objs = [_compile("legacy_maps", tmp_path), _compile("unknown_helper", tmp_path)]
    outs = [tmp_path / "legacy.json", tmp_path / "helper.json"]
    cmd = [
        sys.executable,
        "-m",
        "bcfpipe",
        "load-objects",
        # The stock variant's VM spec as the pipeline wrote it: kernel, initramfs, settings.
        "--vm",
        str(RESULTS / "guest/stock/vm.json"),
    ]
    for obj, out in zip(objs, outs, strict=True):
        cmd += [
            "--object",
            str(obj),
            "--project",
            "fixtures",
            "--types=",
            "--out",
            str(out),
            "--log",
            str(out.with_suffix(".log")),
        ]
    subprocess.run(cmd, check=True, cwd=REPO)
    legacy, helper = _load(outs[0]), _load(outs[1])
    # Both objects went through one boot: batching works and each keeps its own result.
    assert legacy["vm"]["boots"] == 1 and helper["vm"]["boots"] == 1
    assert legacy["verdict"] == "compat_issue", legacy
    assert helper["verdict"] == "compat_issue", helper
    assert helper["programs"][0]["error_category"] == "unknown_helper"


def test_crashing_and_hanging_objects_are_recorded_and_isolated(
    kick_tires: None, tmp_path: Path
) -> None:
    """A batch where one object panics the guest and one hangs the loader.

    The guest's loader is wrapped by a script that misbehaves on purpose for objects named
    crash*/hang*, so the production path (run_jobs, the guest init, the timeouts) is what runs.
    """
    from bcfpipe.load import loadjob

    initrd, jobs = misbehaving_batch(tmp_path, RESULTS)
    results = loadjob.run_jobs(
        jobs,
        kernel=RESULTS / "kernel/stock/bzImage",
        initrd=initrd,
        accel=_load(RESULTS / "host/accel.json")["accel"],
        variant="stock",
        timeout_s=120,
        per_object_timeout=10,
    )
    verdicts = [r["verdict"] for r, _ in results]
    assert verdicts == ["loaded", "vm_crash", "loaded", "timeout", "loaded"], verdicts
    crash, raw = results[1]
    assert "Kernel panic" in raw or "sysrq" in raw.lower()
    assert crash["vm"]["boots"] == 2  # the crash cost one extra boot, not the whole batch
    assert results[3][0]["vm"]["status"] == "timeout"


def test_kill_9_then_resume_redoes_nothing_finished(kick_tires: None) -> None:
    """Load the e2e corpus with more jobs than cores, kill -9 Snakemake mid-run, resume."""
    import os
    import signal
    import time

    from tests.e2e import config_file

    loads = RESULTS / "loads"  # every variant: the truth report needs them all
    target = str(RESULTS / "tables/truth.md")
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        target,
        "--profile",
        str(REPO / "profiles/local"),
        "--configfile",
        str(config_file()),
        "--cores",
        "2",
        "--jobs",
        "4",
        "--resources",
        "vm_slots=2",
    ]
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 600
    while len(list(loads.glob("*/*/*.json"))) < 12 and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p: p.stat().st_mtime_ns for p in loads.glob("*/*/*.json")}
    assert len(before) >= 12
    for p in before:  # every result on disk is whole: written atomically
        assert json.loads(p.read_text())["programs"] is not None

    snakemake(target, "--unlock")
    plan = snakemake(target, "-n")
    planned = plan.stdout.count("rule load_object:")
    snakemake(target)
    after = {p: p.stat().st_mtime_ns for p in loads.glob("*/*/*.json")}
    # Only what was missing (or in flight when killed) ran again.
    redone = [p for p in before if after[p] != before[p]]
    assert len(redone) <= 2, redone  # at most the jobs in flight, whose outputs Snakemake distrusts
    assert planned == len(after) - len(before) + len(redone)
    truth = json.loads((RESULTS / "tables/truth.json").read_text())
    assert truth["unsafe_accepted"] == []


def test_the_kernels_veristat_compares_our_variant_csvs(kick_tires: None, tmp_path: Path) -> None:
    """veristat from the stock tree (built against the tree's own libbpf) reads our per-variant
    CSVs in its compare mode and agrees with compare.csv on every program's verdicts."""
    tables = RESULTS / "tables"
    snakemake(*(str(tables / v / "veristat.csv") for v in ("stock", "bcf")))
    snakemake(str(tables / "compare.csv"))
    tree = OUT / "work" / "trees" / "stock"
    libbpf = tree / "build" / "tools" / "bpf" / "resolve_btfids" / "libbpf"
    veristat = tmp_path / "veristat"
    include = [libbpf / "include", tree / "tools/include", tree / "tools/include/uapi"]
    source = tree / "tools/testing/selftests/bpf/veristat.c"
    libs = [str(libbpf / "libbpf.a"), "-lelf", "-lz", "-lm"]
    cmd = ["gcc", "-O1", "-o", str(veristat), *(f"-I{d}" for d in include), str(source), *libs]
    subprocess.run(cmd, check=True)
    files = [str(tables / v / "veristat.csv") for v in ("stock", "bcf")]
    proc = subprocess.run(
        [str(veristat), "-C", "-o", "csv", *files], capture_output=True, text=True, check=True
    )
    joined = {(r["file_name"], r["prog_name"]): r for r in csv.DictReader(io.StringIO(proc.stdout))}
    ours = {
        (f"{r['project']}/{r['object']}", r["program"]): r
        for r in csv.DictReader((tables / "compare.csv").open())
    }
    assert joined.keys() == ours.keys() and joined
    ok = {"loaded": "success"}
    for key, r in ours.items():
        j = joined[key]
        assert j["verdict_base"] == ok.get(r["verdict_stock"], "failure"), key
        assert j["verdict_comp"] == ok.get(r["verdict_bcf"], "failure"), key
        assert j["total_insns_base"] == (r["insns_stock"] or "0"), key
        assert j["total_insns_comp"] == (r["insns_bcf"] or "0"), key


def test_batched_loads_give_each_object_its_own_resumed_guest(kick_tires: None) -> None:
    """load.batch_size 3, guests not shared (the default): one job per three objects, one guest
    per object, each resumed from the variant's snapshot."""
    wanted = yaml.safe_load((REPO / "tests/configs/e2e.yaml").read_text())["corpus"]["kick_tires"]
    paths = [RESULTS / "loads" / v / f"{o}.json" for v in ("stock", "bcf") for o in wanted]
    before = {p: _load(p)["verdict"] for p in paths}
    proc = snakemake("kick_tires", "--config", "load={batch_size: 3}")
    assert "load_batch_stock_patterns_" in proc.stdout + proc.stderr
    after = {p: _load(p) for p in paths}
    assert {p: r["verdict"] for p, r in after.items()} == before
    for r in after.values():
        assert r["vm"]["objects_in_vm"] == 1 and r["vm"]["start"] == "snapshot", r["vm"]


def test_batched_loads_boot_once_for_several_objects(kick_tires: None) -> None:
    """load.batch_size 3, shared_guest: the kick_tires objects load in VMs of up to three."""
    wanted = yaml.safe_load((REPO / "tests/configs/e2e.yaml").read_text())["corpus"]["kick_tires"]
    paths = [RESULTS / "loads" / v / f"{o}.json" for v in ("stock", "bcf") for o in wanted]
    before = {p: _load(p)["verdict"] for p in paths}
    batched = ("--config", "load={batch_size: 3, shared_guest: true}")
    proc = snakemake("kick_tires", *batched)
    assert "load_batch_stock_patterns_" in proc.stdout + proc.stderr
    after = {p: _load(p) for p in paths}
    assert {p: r["verdict"] for p, r in after.items()} == before
    vms = [r["vm"] for r in after.values()]
    assert all(1 <= vm["objects_in_vm"] <= 3 for vm in vms)
    assert any(vm["objects_in_vm"] > 1 and vm["boots"] == 1 for vm in vms), vms
    for vm in vms:  # each object carries its share of the VM job
        assert vm["wall_seconds"] * vm["objects_in_vm"] == pytest.approx(
            vm["vm_wall_seconds"], abs=0.01
        )
    assert list((RESULTS / "logs/load_batch/stock/patterns").glob("batch-*.log"))
    rerun = snakemake("-n", "kick_tires", *batched)
    assert "Nothing to be done" in rerun.stdout + rerun.stderr
