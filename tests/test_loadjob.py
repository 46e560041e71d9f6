"""run_jobs' boot bookkeeping, against a stand-in for QEMU that plays scripted guest fates.

The real VM paths (a guest panic caused by an object, a hung loader, kill -9 and resume) are
covered by the slow end-to-end tests; these cover the decisions that are hard to provoke there:
a guest that dies before any loader ran is the host's fault and is booted again.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from bcfpipe.load import loadjob

# Each boot reads the next fate from FATES (one per line) in the job directory:
#   panic   the guest dies during boot, before the payload (the TCG IO-APIC timer failure)
#   ok      every object's loader runs and exits 0 with no programs
FAKE_QEMU = """#!{python}
import sys
from pathlib import Path
args = sys.argv[1:]
share = Path(args[args.index("-virtfs") + 1].split("path=")[1].split(",")[0])
console = Path(args[args.index("-serial") + 1].removeprefix("file:"))
assert "no_timer_check" in args[args.index("-append") + 1]
fates = Path({fates!r}).read_text().split()
boot_file = Path({fates!r} + ".boots")
n = int(boot_file.read_text()) if boot_file.exists() else 0
boot_file.write_text(str(n + 1))
fate = fates[min(n, len(fates) - 1)]
if fate == "panic":
    console.write_text("Kernel panic - not syncing: IO-APIC + timer doesn't work!\\n")
    sys.exit(0)
for k in range(len(list((share / "objs").iterdir()))):
    out = share / "out" / str(k)
    out.mkdir(parents=True, exist_ok=True)
    (out / "programs").write_text("0\\n")
    (out / "status").write_text("0\\n")
(share / "exit-status").write_text("0\\n")
console.write_text("booted\\n")
"""


def _setup(tmp_path: Path, fates: list[str]) -> tuple[Path, list[loadjob.ObjectJob]]:
    fates_file = tmp_path / "fates"
    fates_file.write_text("\n".join(fates))
    qemu = tmp_path / "fake-qemu"
    qemu.write_text(FAKE_QEMU.format(python=sys.executable, fates=str(fates_file)))
    qemu.chmod(qemu.stat().st_mode | stat.S_IXUSR)
    jobs = []
    for name in ("clang-19_-O2_a.o", "clang-19_-O2_b.o"):
        obj = tmp_path / name
        obj.write_bytes(b"\x7fELF")
        jobs.append(loadjob.ObjectJob(obj, "p"))
    return qemu, jobs


def _run(tmp_path: Path, fates: list[str]) -> list[dict[str, object]]:
    qemu, jobs = _setup(tmp_path, fates)
    results = loadjob.run_jobs(
        jobs,
        kernel=tmp_path / "bzImage",
        initrd=tmp_path / "initrd",
        accel="tcg",
        variant="stock",
        timeout_s=30,
        per_object_timeout=10,
        qemu=str(qemu),
        scratch=str(tmp_path / "scratch"),
    )
    return [r for r, _ in results]


def test_boot_failure_before_payload_is_retried(tmp_path: Path) -> None:
    results = _run(tmp_path, ["panic", "ok"])
    assert [r["verdict"] for r in results] == ["loaded", "loaded"]
    assert all(r["vm"]["boots"] == 2 for r in results)  # type: ignore[index]


def test_boot_failure_retries_are_bounded(tmp_path: Path) -> None:
    results = _run(tmp_path, ["panic"] * 10)
    assert [r["verdict"] for r in results] == ["vm_crash", "vm_crash"]
    assert (tmp_path / "fates.boots").read_text() == str(1 + loadjob.INFRA_RETRIES)
    detail = results[0]["vm"]["detail"]  # type: ignore[index]
    assert "Kernel panic" in detail


def test_healthy_guest_boots_once(tmp_path: Path) -> None:
    results = _run(tmp_path, ["ok"])
    assert [r["vm"]["boots"] for r in results] == [1, 1]  # type: ignore[index]


def test_objects_with_the_same_bytes_are_loaded_once(tmp_path: Path) -> None:
    """load.dedup: a twin is an object with the bytes and program types of an earlier one."""
    a, b, c, d = (tmp_path / f"clang-19_-O{k}_x.o" for k in "123s")
    for path, data in ((a, b"one"), (b, b"two"), (c, b"one"), (d, b"one")):
        path.write_bytes(data)
    jobs = [loadjob.ObjectJob(p, "p") for p in (a, b, c, d)]
    jobs[3].types = {"prog": "xdp"}  # the same bytes loaded as another type: a load of its own
    missing = loadjob.ObjectJob(tmp_path / "gone.o", "p")
    assert loadjob.same_bytes([*jobs, missing, missing]) == [None, None, 0, None, None, None]


def test_a_twin_gets_the_load_under_its_own_name(tmp_path: Path) -> None:
    result = {
        "object": "clang-14_-O2_x.o",
        "group": "x",
        "compiler": "clang-14",
        "opt": "-O2",
        "verdict": "rejected",
        "vm": {"start": "snapshot", "boots": 1, "wall_seconds": 0.4, "vm_wall_seconds": 0.4},
        "programs": [{"name": "p", "verdict": "rejected", "insns_processed": 12}],
    }
    twin, raw = loadjob.copy_result(
        result, "verifier log", loadjob.ObjectJob(tmp_path / "clang-14_-O3_x.o", "p")
    )
    assert (twin["object"], twin["compiler"], twin["opt"], twin["group"]) == (
        "clang-14_-O3_x.o",
        "clang-14",
        "-O3",
        "x",
    )
    assert twin["same_bytes_as"] == "clang-14_-O2_x.o"
    assert twin["programs"] == result["programs"] and twin["verdict"] == "rejected"
    assert twin["vm"]["start"] == "copy" and twin["vm"]["wall_seconds"] == 0.0
    assert twin["vm"]["boots"] == 0
    assert result["vm"]["start"] == "snapshot"  # the loaded object's own result is untouched
    assert raw.endswith("verifier log") and "clang-14_-O2_x.o" in raw
