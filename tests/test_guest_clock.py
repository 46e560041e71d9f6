"""The guest's clock (bcfpipe/guest/clock.py): the host's TSC rate, measured, on the guest
kernel's command line. Booted guests check the clocksource in tests/test_snapshot_vm.py."""

from __future__ import annotations

import platform
import re
from pathlib import Path

import pytest

from bcfpipe.guest import clock, vm


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the TSC is x86's")
def test_the_host_tsc_rate_is_measured_in_whole_mhz() -> None:
    khz = clock.host_tsc_khz()
    assert khz % 1000 == 0
    assert 100_000 <= khz <= 10_000_000  # 100 MHz to 10 GHz
    # What the host kernel says, where it says it (cpuinfo's MHz is the TSC's in a VM like the
    # reference machine, the current frequency on hardware that scales it).
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if "tsc_known_freq" in cpuinfo and "hypervisor" in cpuinfo:
        mhz = float(re.search(r"cpu MHz\s*:\s*([\d.]+)", cpuinfo).group(1))  # type: ignore[union-attr]
        assert abs(khz - mhz * 1000) <= 2 * clock.SAME_RATE_KHZ


def test_rates_a_mhz_apart_are_one_rate() -> None:
    assert clock.same_rate(2_445_000, 2_446_000)
    assert not clock.same_rate(2_445_000, 2_447_000)
    assert clock.same_rate(0, 0)
    assert not clock.same_rate(0, 2_445_000)


def test_the_guest_is_told_the_rate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def append_of(cmd: list[str]) -> str:
        return cmd[cmd.index("-append") + 1]

    args = ("qemu", tmp_path / "k", tmp_path / "i", tmp_path / "s", tmp_path / "c", "tcg", 512)
    monkeypatch.setattr(clock, "host_tsc_khz", lambda: 2_445_000)
    told = append_of(vm.qemu_command(*args, append="kasan_multi_shot"))
    assert told.endswith("tsc=reliable quiet loglevel=5 tsc_early_khz=2445000 kasan_multi_shot")
    monkeypatch.setattr(clock, "host_tsc_khz", lambda: 0)
    assert "tsc_early_khz" not in append_of(vm.qemu_command(*args))
    assert append_of(vm.qemu_command(*args)).endswith("loglevel=5")
