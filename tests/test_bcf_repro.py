"""Conditions captured from the bcf kernel that the user side must keep handling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPRO = Path(__file__).parent / "fixtures" / "bcf-repro"


def prove(cond: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # The pipeline's limit (load.bcf_prove_seconds), not the CLI's 10 s: a busy CI machine
        # takes several times the 2.5 s these need on idle cores.
        [
            sys.executable,
            "-m",
            "bcfpipe",
            "prove",
            str(cond),
            "-o",
            str(tmp / "c.cert"),
            "--time-limit",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def check(cond: Path, cert: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bcfpipe", "check", str(cond), str(cert)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_mod_index_first_condition_is_certified(tmp_path: Path) -> None:
    proc = prove(REPRO / "mod_index.0.range.11.bcfc", tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = check(REPRO / "mod_index.0.range.11.bcfc", tmp_path / "c.cert")
    assert proc.returncode == 0, proc.stderr


def test_mod_index_second_condition_is_certified(tmp_path: Path) -> None:
    """CaDiCaL's refutation holds a no-op unit hint the prover must drop (issue #5)."""
    proc = prove(REPRO / "mod_index.1.range.12.bcfc", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert check(REPRO / "mod_index.1.range.12.bcfc", tmp_path / "c.cert").returncode == 0
