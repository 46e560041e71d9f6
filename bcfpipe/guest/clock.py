"""The guest's clock: the host's TSC rate, given to the guest kernel on its command line.

Every time a result reports from inside the guest (the verifier's ``verification time``, the
loader's ``load_ns``, the BCF checker's ``check_ns``) comes from the guest kernel's clocksource.
The minimal guest kernel has neither HPET nor ACPI's PM timer, so it can calibrate its TSC only
against the PIT, and under TCG that calibration fails whenever the host is busy ("tsc: Unable to
calibrate against PIT"): the kernel then counts time in jiffies, and every such time is a
multiple of 4 ms. Under TCG the guest's TSC counts at the host's rate (QEMU returns the host's
ticks; with KVM the guest reads the host's TSC too), so the host's rate, measured here, is what
the guest is told (``tsc_early_khz``), and its clocksource is the TSC.

A snapshot records the rate its guest was booted with: restored on a host whose TSC runs at
another rate, the guest's clock would run fast or slow, so such a snapshot is not used there
(``snapshot.mismatch``).
"""

from __future__ import annotations

import ctypes
import functools
import mmap
import platform
import statistics
import sys
import time

# rdtsc; shl rdx, 32; or rax, rdx; ret: the 64-bit counter in rax.
_RDTSC = bytes.fromhex("0f3148c1e2204809d0c3")
# How the guest's clock is set, for rules whose outputs depend on it (a changed text reruns them).
GUEST_CLOCK = "tsc_early_khz: the host's TSC rate, measured, rounded to MHz"
# Rates within this many kHz are one rate: the measurement is rounded to MHz, and a clock off by
# a thousandth of a percent is not what a benchmark can see.
SAME_RATE_KHZ = 1000


@functools.cache
def host_tsc_khz() -> int:
    """The host's TSC rate in kHz, rounded to MHz; 0 where it cannot be measured (a host that is
    not x86-64 Linux, or that refuses executable memory): the guest then calibrates by itself.

    Counted against CLOCK_MONOTONIC_RAW over three 5 ms windows, each end read between two clock
    readings (the closest pair of five) and placed at their midpoint: on the reference machine
    this gives 2,445.39–2,445.43 MHz where the host kernel reports 2,445.406 MHz, in about 20 ms.
    """
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return 0
    try:
        code = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except (OSError, ValueError):
        return 0
    code.write(_RDTSC)
    # The function keeps the mapping alive: ctypes holds the buffer the address came from.
    rdtsc = ctypes.CFUNCTYPE(ctypes.c_uint64)(ctypes.addressof(ctypes.c_char.from_buffer(code)))

    def stamp() -> tuple[float, int]:
        best = (float("inf"), 0.0, 0)
        for _ in range(5):
            a = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            c = rdtsc()
            b = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            if b - a < best[0]:
                best = (b - a, (a + b) / 2, c)
        return best[1], best[2]

    rates = []
    for _ in range(3):
        t0, c0 = stamp()
        time.sleep(0.005)
        t1, c1 = stamp()
        if t1 > t0 and c1 > c0:
            rates.append((c1 - c0) * 1_000_000 / (t1 - t0))
    if not rates:
        return 0
    return round(statistics.median(rates) / 1000) * 1000


def same_rate(a: int, b: int) -> bool:
    """Whether a guest booted with TSC rate ``a`` keeps time on a host of rate ``b`` (kHz)."""
    return abs(a - b) <= SAME_RATE_KHZ


def kernel_args(khz: int) -> str:
    """The guest kernel's words for a TSC of ``khz`` ('' when unknown)."""
    return f"tsc_early_khz={khz}" if khz > 0 else ""
