"""The VM spec of a kernel variant: what every VM job of that variant boots and how it loads.

One small file per variant (``results/guest/<variant>/vm.json``) names the kernel, the initramfs,
the accelerator record and the load settings. Each load job depends on it and on its object
alone: a corpus of thousands of objects then plans two inputs per job instead of five, and a
changed kernel or load setting reaches every load of that variant, and only of that variant,
through this file's rule.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, sha256_file, write_json_atomic
from bcfpipe.guest import snapshot as snapshots

SCHEMA = 1
LOADERS = ("bcfpipe-load", "bpftool")
# load.verifier_log -> the verifier's log level for bcfpipe-load. 4 (BPF_LOG_STATS) keeps every
# message the verifier prints unconditionally (errors, BCF lines) and the statistics; 1 adds the
# instruction trace, which the verifier formats for every processed instruction.
LOG_LEVELS = {"stats": 4, "trace": 1 | 4}


@dataclass(frozen=True)
class LoadSettings:
    """The settings of a variant's VM jobs that come from the config, not from earlier stages."""

    memory_mb: int
    qemu: str
    scratch: str
    boot_timeout_s: float
    object_timeout_s: int
    loader: str  # bcfpipe-load (the project's loader) | bpftool (the paper's loop)
    bcf: bool
    bcf_rounds: int
    bcf_prove_seconds: float
    cmdline: str = ""  # added to the guest kernel's command line
    shared_guest: bool = False  # the objects of one job share a guest (load.shared_guest)
    dedup: bool = False  # a job loads identical objects once (load.dedup)
    verifier_log: str = "stats"  # what the verifier logs (load.verifier_log)

    def __post_init__(self) -> None:
        if self.loader not in LOADERS:
            raise PipelineError(f"unknown loader {self.loader!r}: use one of {', '.join(LOADERS)}")
        if self.verifier_log not in LOG_LEVELS:
            raise PipelineError(
                f"unknown load.verifier_log {self.verifier_log!r}: use one of "
                f"{', '.join(LOG_LEVELS)}"
            )

    @property
    def log_level(self) -> int:
        """The verifier log level bcfpipe-load asks for (``-L``)."""
        return LOG_LEVELS[self.verifier_log]


@dataclass(frozen=True)
class VmSpec:
    variant: str
    kernel: str
    initrd: str
    accel: str  # the probe's record (results/host/accel.json), read when the VM starts
    settings: LoadSettings
    snapshot: str = ""  # the guest_snapshot record every VM starts from ('' = boot each time)

    def start_kw(self) -> dict[str, Any]:
        """How a VM of this spec starts: vm.run's ``append`` and ``snapshot`` arguments."""
        snap = snapshots.read(self.snapshot) if self.snapshot else None
        return {"append": self.settings.cmdline, "snapshot": snap}

    def vm_timeout(self, objects: int) -> float:
        """Wall-clock limit of one boot that loads ``objects`` objects: the boot limit covers the
        first object, each further one adds its own limit."""
        return self.settings.boot_timeout_s + max(objects - 1, 0) * self.settings.object_timeout_s


def settings_from_config(config: dict[str, Any], variant: dict[str, Any]) -> LoadSettings:
    """A variant's load settings from a validated config (guest and load sections)."""
    guest, load = config["guest"], config["load"]
    return LoadSettings(
        memory_mb=int(guest["memory_mb"]),
        qemu=str(guest["qemu"]),
        scratch=str(guest["scratch"]),
        boot_timeout_s=float(guest["boot_timeout_s"]),
        object_timeout_s=int(load["object_timeout_s"]),
        loader=str(variant["loader"]),
        bcf=bool(variant["bcf"]),
        bcf_rounds=int(load["bcf_rounds"]),
        bcf_prove_seconds=float(load["bcf_prove_seconds"]),
        cmdline=str(variant["cmdline"]),
        shared_guest=bool(load["shared_guest"]),
        dedup=bool(load["dedup"]),
        verifier_log=str(load["verifier_log"]),
    )


def settings_arg(config: dict[str, Any], variant: dict[str, Any]) -> str:
    """The settings as the vm-spec command takes them (JSON, keys sorted: a stable rule param)."""
    return json.dumps(asdict(settings_from_config(config, variant)), sort_keys=True)


def write_spec(
    out: str | os.PathLike[str],
    variant: str,
    kernel: str,
    initrd: str,
    accel: str,
    settings: LoadSettings,
    snapshot: str = "",
) -> dict[str, Any]:
    for what, path in (("kernel", kernel), ("initramfs", initrd), ("accelerator record", accel)):
        if not Path(path).is_file():
            raise PipelineError(f"vm spec of {variant}: the {what} {path} does not exist")
    kernel_sha, initrd_sha = sha256_file(kernel), sha256_file(initrd)
    if snapshot:
        snap = snapshots.read(snapshot)
        if (snap.kernel_sha256, snap.initrd_sha256) != (kernel_sha, initrd_sha):
            raise PipelineError(
                f"vm spec of {variant}: the snapshot {snapshot} was made from another kernel or "
                "initramfs: delete it and rerun the guest_snapshot rule"
            )
    record = {
        "schema": SCHEMA,
        "variant": variant,
        "kernel": kernel,
        "initrd": initrd,
        "accel": accel,
        "settings": asdict(settings),
        "snapshot": snapshot,
        # Which bytes the loads of this variant booted, for provenance; not checked at boot.
        "kernel_sha256": kernel_sha,
        "initrd_sha256": initrd_sha,
    }
    write_json_atomic(out, record)
    return record


def read_spec(path: str | os.PathLike[str]) -> VmSpec:
    try:
        data = read_json(path)
    except FileNotFoundError as e:
        raise PipelineError(f"vm spec {path} does not exist: run the vm_spec rule first") from e
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise PipelineError(
            f"vm spec {path} is not a schema-{SCHEMA} spec: delete it and rerun the vm_spec rule"
        )
    try:
        names = {f.name for f in fields(LoadSettings)}
        settings = LoadSettings(**{k: v for k, v in data["settings"].items() if k in names})
        return VmSpec(
            variant=data["variant"],
            kernel=data["kernel"],
            initrd=data["initrd"],
            accel=data["accel"],
            settings=settings,
            snapshot=data.get("snapshot", ""),
        )
    except (KeyError, TypeError) as e:
        raise PipelineError(
            f"vm spec {path} lacks {e}: delete it and rerun the vm_spec rule"
        ) from e
