"""Shared machinery of the slow tests: one real pipeline run per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BCFPIPE_TEST_OUT", REPO / ".test-output"))


def config_file() -> Path:
    cfg = yaml.safe_load((REPO / "tests" / "configs" / "e2e.yaml").read_text())
    cfg["paths"] = {
        "resources": str(REPO / "resources"),  # the download cache is shared with real runs
        "work": str(OUT / "work"),
        "results": str(OUT / "results"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "e2e-config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def snakemake(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Targets and flags first: --resources takes every following word as a name=value pair.
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        *args,
        # ./run's settings (rerun-incomplete, keep-going); --cores and --resources below win.
        "--profile",
        str(REPO / "profiles/local"),
        "--configfile",
        str(config_file()),
        "--cores",
        "2",
        "--resources",
        "vm_slots=2",
    ]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    proc.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
        )
    return proc
