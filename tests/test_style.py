"""The project's own style gates, run with the tests so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=REPO, capture_output=True, text=True)


def test_ruff_lint() -> None:
    proc = run("ruff", "check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_format() -> None:
    proc = run("ruff", "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_mypy() -> None:
    proc = run("mypy", "bcfpipe")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_snakefmt() -> None:
    # The workflow's files, formatted as the Snakemake catalog's CI checks them.
    proc = run("snakefmt", "--check", "Snakefile", "rules")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
