"""The saved guest every VM job starts from (bcfpipe/guest/snapshot.py): the fast checks of what
decides whether a snapshot may start a VM. tests/test_snapshot_vm.py restores real ones."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.guest import clock, snapshot, vm, vmspec


def made(tmp_path: Path, **kw: object) -> snapshot.Snapshot:
    for name in ("bzImage", "initramfs.cpio", "guest.state"):
        (tmp_path / name).write_bytes(b"x")
    fields: dict[str, object] = {
        "state": str(tmp_path / "guest.state"),
        "kernel": str(tmp_path / "bzImage"),
        "initrd": str(tmp_path / "initramfs.cpio"),
        "memory_mb": 512,
        "accel": "tcg",
        "append": "",
        "qemu": "qemu-system-x86_64",
        "qemu_version": "QEMU emulator version 7.2.22",
        "tsc_khz": clock.host_tsc_khz(),
    }
    fields.update(kw)
    return snapshot.Snapshot(**fields)  # type: ignore[arg-type]


def job(tmp_path: Path, **kw: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "kernel": tmp_path / "bzImage",
        "initrd": tmp_path / "initramfs.cpio",
        "memory_mb": 512,
        "accel": "tcg",
        "append": "",
        "qemu": "qemu-system-x86_64",
    }
    settings.update(kw)
    return settings


def test_a_snapshot_fits_the_settings_it_was_made_with(tmp_path: Path) -> None:
    assert snapshot.mismatch(made(tmp_path), **job(tmp_path)) == ""  # type: ignore[arg-type]


def test_paths_are_compared_as_files_not_as_spellings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = made(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert snapshot.mismatch(snap, **job(tmp_path, kernel=Path("bzImage"))) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("memory_mb", 1024),
        ("accel", "kvm"),
        ("append", "kasan_multi_shot"),
        ("qemu", "/opt/qemu/bin/qemu-system-x86_64"),
    ],
)
def test_every_setting_that_differs_is_named(tmp_path: Path, key: str, value: object) -> None:
    why = snapshot.mismatch(made(tmp_path), **job(tmp_path, **{key: value}))  # type: ignore[arg-type]
    assert why.startswith(key) and repr(value) in why


def test_another_kernel_is_named(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"y")
    why = snapshot.mismatch(made(tmp_path), **job(tmp_path, kernel=other))  # type: ignore[arg-type]
    assert why.startswith("kernel ")


def test_a_missing_state_file_is_named(tmp_path: Path) -> None:
    snap = made(tmp_path)
    Path(snap.state).unlink()
    assert "state file" in snapshot.mismatch(snap, **job(tmp_path))  # type: ignore[arg-type]


def test_record_round_trip_and_bad_records(tmp_path: Path) -> None:
    snap = made(tmp_path, state_bytes=5, seconds=1.5)
    rec = tmp_path / "snapshot.json"
    rec.write_text(json.dumps(snap.to_dict()))
    assert snapshot.read(rec) == snap
    rec.write_text(json.dumps({**snap.to_dict(), "schema": 99}))
    with pytest.raises(PipelineError, match="not a schema-1 snapshot record"):
        snapshot.read(rec)
    rec.write_text(json.dumps({**snap.to_dict(), "surprise": 1}))
    with pytest.raises(PipelineError, match="delete it"):
        snapshot.read(rec)
    with pytest.raises(PipelineError, match="run guest_snapshot"):
        snapshot.read(tmp_path / "none.json")


def test_jobs_and_snapshots_have_the_same_devices(tmp_path: Path) -> None:
    """A saved guest resumes only on the devices it was saved with: the job's command differs
    from the snapshot boot's in the second serial port's backend alone."""
    args = ("qemu", tmp_path / "k", tmp_path / "i", tmp_path / "s", tmp_path / "c", "tcg", 512)
    boot = vm.snapshot_command(*args, "x", go="null")
    job_ = vm.snapshot_command(*args, "x", go="stdio")
    assert boot[boot.index("-append") + 1].endswith(" x bcfpipe.snapshot")
    assert boot.count("-serial") == 2
    assert [a for a in boot if a != "null"] == [a for a in job_ if a != "stdio"]


def test_the_spec_refuses_a_snapshot_of_another_kernel(tmp_path: Path) -> None:
    snap = made(tmp_path, kernel_sha256="0" * 64, initrd_sha256="0" * 64)
    rec = tmp_path / "snapshot.json"
    rec.write_text(json.dumps(snap.to_dict()))
    accel = tmp_path / "accel.json"
    accel.write_text('{"accel": "tcg"}')
    settings = vmspec.LoadSettings(512, "qemu", "", 120, 60, "bcfpipe-load", False, 4, 60.0)
    with pytest.raises(PipelineError, match="made from another kernel"):
        vmspec.write_spec(
            tmp_path / "vm.json",
            "stock",
            snap.kernel,
            snap.initrd,
            str(accel),
            settings,
            snapshot=str(rec),
        )
    spec = vmspec.write_spec(
        tmp_path / "vm.json", "stock", snap.kernel, snap.initrd, str(accel), settings
    )
    assert spec["snapshot"] == ""
    assert vmspec.read_spec(tmp_path / "vm.json").start_kw() == {"append": "", "snapshot": None}


FAKE_QEMU = """#!{python}
# Stands in for QEMU resuming a guest: copies the state it was given on -incoming to the share,
# then does what guest/init does after its line (exit-status 'running', then the payload's 0).
import os, sys
args = sys.argv[1:]
incoming = args[args.index("-incoming") + 1]
share = args[args.index("-virtfs") + 1].split("path=")[1].split(",")[0]
assert incoming.startswith("fd:"), incoming
with os.fdopen(int(incoming[3:]), "rb") as f:
    state = f.read()
with open(os.path.join(share, "state-read"), "wb") as f:
    f.write(state)
assert sys.stdin.readline() == "go\\n"
with open(os.path.join(share, "exit-status"), "w") as f:
    f.write("running\\n")
with open(os.path.join(share, "exit-status"), "w") as f:
    f.write("0\\n")
"""


def test_a_resumed_vm_reads_the_state_from_a_descriptor(tmp_path: Path) -> None:
    """QEMU gets the state as ``-incoming fd:N``, a descriptor of the file opened for it alone
    (no shell and cat in between), and the host's copy of the descriptor is closed after."""
    qemu = tmp_path / "qemu"
    qemu.write_text(FAKE_QEMU.format(python=sys.executable))
    qemu.chmod(0o755)
    snap = made(tmp_path, qemu=str(qemu))
    Path(snap.state).write_bytes(b"saved guest state" * 1000)
    share = tmp_path / "share"
    share.mkdir()
    before = set(os.listdir("/proc/self/fd"))
    out = vm.run(
        Path(snap.kernel), Path(snap.initrd), share, accel="tcg", timeout_s=30, qemu=str(qemu),
        snapshot=snap,
    )  # fmt: skip
    assert (out.status, out.exit_code, out.start) == ("ok", 0, "snapshot"), out
    assert (share / "state-read").read_bytes() == Path(snap.state).read_bytes()
    assert set(os.listdir("/proc/self/fd")) <= before


def test_a_snapshot_of_another_tsc_rate_is_named(tmp_path: Path) -> None:
    """Restored on a host whose TSC runs at another rate, the guest's clock would be wrong."""
    host = clock.host_tsc_khz()
    assert snapshot.mismatch(made(tmp_path, tsc_khz=host + 1000), **job(tmp_path)) == ""  # type: ignore[arg-type]
    why = snapshot.mismatch(made(tmp_path, tsc_khz=host + 50_000), **job(tmp_path))  # type: ignore[arg-type]
    assert why.startswith("guest TSC rate") and f"this host: {host} kHz" in why
    if host:
        # A record from before the rate was given: its guest counts in jiffies.
        assert "guest TSC rate 0 kHz" in snapshot.mismatch(
            made(tmp_path, tsc_khz=0), **job(tmp_path)
        )  # type: ignore[arg-type]
