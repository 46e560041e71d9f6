from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.fetch.apt import IsolatedApt
from tests.e2e import OUT, REPO

CONDITIONS = REPO / "../shared/conditions"
# drat-trim's lrat-check, an LRAT checker that is not ours: bookworm lacks it, trixie's package
# runs here (it needs glibc 2.34). Fetched once per checkout into the test output, never installed.
TOOLS = OUT / "tools"


@pytest.fixture
def conditions_dir() -> Path:
    if not CONDITIONS.is_dir():
        pytest.skip(f"{CONDITIONS} not present")
    return CONDITIONS


@pytest.fixture(scope="session")
def lrat_check() -> str:
    """The path of an independent LRAT checker: the host's, or trixie's drat-trim unpacked here.

    CI must run the check, so there a failed fetch fails the test; elsewhere it skips."""
    found = shutil.which("lrat-check")
    if found:
        return found
    binary = TOOLS / "usr" / "bin" / "lrat-check"
    if not binary.is_file():
        try:
            apt = IsolatedApt(TOOLS / "apt", "trixie")
            apt.update()
            deb = apt.download("drat-trim", "", TOOLS / "debs")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(TOOLS)], check=True)
        except (PipelineError, OSError, subprocess.CalledProcessError) as e:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"lrat-check is not installed and trixie's drat-trim was not fetched: {e}")
    return str(binary)
