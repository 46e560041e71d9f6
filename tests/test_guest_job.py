"""A VM job's share (bcfpipe/guest/job.py) and the accelerator probe's and boot check's decisions
(bcfpipe/guest/probe.py), without a VM: the boots are played by stand-ins."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.guest import job, probe, vm


def test_the_share_holds_the_inputs_and_run_sh_and_is_removed(tmp_path: Path) -> None:
    src = tmp_path / "prog.o"
    src.write_bytes(b"\x7fELF")
    files: dict[str, Path | bytes] = {"objs/0/prog.o": src, "certs/0/ab.cert": b"cert"}
    with job.vm_job(
        "echo hi\n", files, dirs=["inputs/0"], scratch=str(tmp_path / "scratch"), prefix="t-"
    ) as share:
        assert share.parent == tmp_path / "scratch" and share.name.startswith("t-")
        assert (share / "run.sh").read_text() == "echo hi\n"
        assert (share / "objs/0/prog.o").read_bytes() == b"\x7fELF"
        assert (share / "certs/0/ab.cert").read_bytes() == b"cert"
        assert (share / "inputs/0").is_dir() and not list((share / "inputs/0").iterdir())
        assert not (share / "objs/0/prog.o").stat().st_mode & stat.S_IXUSR
        assert job.read(share, "missing.txt") == ""
        (share / "out.txt").write_text("guest wrote this")
        assert job.read(share, "out.txt") == "guest wrote this"
    assert not share.exists()


def test_the_share_is_removed_when_the_block_raises(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError, match="boom"),
        job.vm_job("true\n", {"a/b/c.bin": b"x"}, scratch=str(tmp_path)) as share,
    ):
        assert (share / "a/b/c.bin").is_file()
        raise RuntimeError("boom")
    assert not share.exists()
    assert list(tmp_path.iterdir()) == []


def test_executable_inputs_are_made_executable(tmp_path: Path) -> None:
    binary = tmp_path / "test_verifier"
    binary.write_bytes(b"\x7fELF")
    binary.chmod(0o644)
    with job.vm_job(
        "./test_verifier\n",
        {"test_verifier": binary, "data": b"d"},
        executable={"test_verifier"},
        scratch=str(tmp_path / "s"),
    ) as share:
        assert stat.S_IMODE((share / "test_verifier").stat().st_mode) == 0o755
        assert not (share / "data").stat().st_mode & stat.S_IXUSR


def test_a_scratch_dir_is_removed_after_use(tmp_path: Path) -> None:
    with job.scratch_dir(str(tmp_path), "bcfpipe-snapshot-") as path:
        assert path.is_dir() and path.name.startswith("bcfpipe-snapshot-")
        (path / "share").mkdir()
    assert not path.exists()


def outcome(status: str = "ok", exit_code: int | None = 0, detail: str = "") -> vm.VmOutcome:
    return vm.VmOutcome(status, exit_code, 1.5, "kvm", 0, detail)


def probe_record(mode: str) -> dict[str, Any]:
    paths = {name: Path(name) for name in ("kernel", "initrd", "obj")}
    return probe.probe_accel(
        mode, **paths, timeout_s=10, memory_mb=512, qemu="qemu-system-x86_64", scratch=""
    )


def no_boot(*args: object) -> tuple[vm.VmOutcome, dict[str, Any]]:
    raise AssertionError("the probe booted when it should not have")


def test_tcg_is_taken_as_forced_without_a_boot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "boot_check", no_boot)
    monkeypatch.setattr(vm, "kvm_usable", lambda: True)
    rec = probe_record("tcg")
    assert rec["accel"] == "tcg" and rec["reason"] == "forced by guest.accel"
    assert rec["requested"] == "tcg" and rec["kvm_device"] is True
    assert "kvm_probe" not in rec


def test_kvm_without_a_usable_dev_kvm_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "boot_check", no_boot)
    monkeypatch.setattr(vm, "kvm_usable", lambda: False)
    with pytest.raises(PipelineError, match=r"guest\.accel is 'kvm' but /dev/kvm is not usable"):
        probe_record("kvm")
    rec = probe_record("auto")
    assert rec["accel"] == "tcg" and rec["reason"] == "/dev/kvm missing or not accessible"


def test_a_kvm_boot_decides_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vm, "kvm_usable", lambda: True)
    accels = []

    def boot(*args: Any) -> tuple[vm.VmOutcome, dict[str, Any]]:
        accels.append(args[3])
        return fate, {}

    monkeypatch.setattr(probe, "boot_check", boot)
    fate = outcome()
    rec = probe_record("auto")
    assert rec["accel"] == "kvm" and rec["kvm_probe"] == fate.to_dict()
    fate = outcome("vm_crash", None, "qemu: kvm failed")
    rec = probe_record("auto")
    assert rec["accel"] == "tcg"
    assert rec["reason"] == "KVM boot failed (vm_crash: qemu: kvm failed)"
    fate = outcome("ok", 3)
    assert probe_record("auto")["reason"] == "KVM boot failed (ok: payload exit 3)"
    with pytest.raises(PipelineError, match="a real boot with KVM failed"):
        probe_record("kvm")
    assert accels == ["kvm"] * 4


# Plays a guest that runs the boot check's payload: it reads the share QEMU is given.
FAKE_QEMU = """#!{python}
import sys
from pathlib import Path
args = sys.argv[1:]
share = Path(args[args.index("-virtfs") + 1].split("path=")[1].split(",")[0])
console = Path(args[args.index("-serial") + 1].removeprefix("file:"))
assert "bpftool prog load trivial.o" in (share / "run.sh").read_text()
assert (share / "trivial.o").read_bytes() == b"\\x7fELF"
Path({seen!r}).write_text(str(share))
(share / "uname.txt").write_text("6.1.0\\n")
(share / "prog.txt").write_text("7: socket_filter  name trivial\\n")
(share / "exit-status").write_text("0\\n")
console.write_text("booted\\n")
"""


def test_boot_check_reads_back_what_the_guest_wrote(tmp_path: Path) -> None:
    qemu = tmp_path / "fake-qemu"
    qemu.write_text(FAKE_QEMU.format(python=sys.executable, seen=str(tmp_path / "seen")))
    qemu.chmod(0o755)
    obj = tmp_path / "trivial.o"
    obj.write_bytes(b"\x7fELF")
    scratch = tmp_path / "scratch"
    result, found = probe.boot_check(
        tmp_path / "bzImage", tmp_path / "initrd", obj, "tcg", 30, 512, str(qemu), str(scratch)
    )
    assert result.status == "ok" and result.exit_code == 0
    assert found["uname.txt"] == "6.1.0\n" and found["console.log"] == "booted\n"
    assert found["payload.log"] == ""
    assert Path((tmp_path / "seen").read_text()).name.startswith("bcfpipe-boot-")
    assert list(scratch.iterdir()) == []
    assert probe.boot_problems(result, found, "6.1.0") == []
    rec = probe.boot_record("6.1.0", "tcg", result, found)
    assert rec["prog"] == "7: socket_filter  name trivial" and rec["vm"] == result.to_dict()
    problems = probe.boot_problems(outcome("timeout", None, "no exit"), found, "6.2.0")
    assert problems == [
        "the VM did not finish (timeout: no exit)",
        "uname -r in the guest is '6.1.0', the built tree is '6.2.0'",
    ]
