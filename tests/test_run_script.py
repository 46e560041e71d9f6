"""./run installs what the pipeline needs; ./run test adds what only the tests need.

The script runs in a copy of the checkout's entry files with stand-ins for dpkg-query (nothing is
installed), apt-get, the venv's python and snakemake, which record how they were called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RECORD = '#!/bin/sh\necho "$(basename "$0") $*" >> "$LOG"\n'


def packages(name: str) -> list[str]:
    lines = (REPO / "envs" / name).read_text().splitlines()
    return [w for ln in lines for w in ln.split("#", 1)[0].split()]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "co"
    (root / "bin").mkdir(parents=True)
    (root / ".venv/bin").mkdir(parents=True)
    shutil.copy2(REPO / "run", root / "run")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "envs", root / "envs")
    for tool in ("bin/dpkg-query", "bin/apt-get", ".venv/bin/python", ".venv/bin/snakemake"):
        (root / tool).write_text("#!/bin/sh\nexit 1\n" if "dpkg" in tool else RECORD)
        (root / tool).chmod(0o755)
    (root / "bin/sudo").write_text('#!/bin/sh\nexec "$@"\n')  # not root: apt-get is still ours
    (root / "bin/sudo").chmod(0o755)
    return root


def run(root: Path, *args: str) -> list[str]:
    log = root / "calls.log"
    log.write_text("")
    env = {**os.environ, "LOG": str(log), "PATH": f"{root / 'bin'}:{os.environ['PATH']}"}
    proc = subprocess.run([str(root / "run"), *args], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return log.read_text().splitlines()


def installed(calls: list[str]) -> set[str]:
    return {w for c in calls if c.startswith("apt-get install") for w in c.split()[2:]}


def test_test_packages_are_in_their_own_list() -> None:
    pipeline, test = set(packages("debian-packages.txt")), set(packages("debian-packages-test.txt"))
    assert {"slurmctld", "slurmd", "slurm-client", "munge"} <= test
    assert not pipeline & test


def test_run_installs_the_pipeline_only(checkout: Path) -> None:
    calls = run(checkout, "kick_tires")
    assert set(packages("debian-packages.txt")) <= installed(calls)
    assert not installed(calls) & set(packages("debian-packages-test.txt"))
    assert "python -m pip install -q --no-compile --disable-pip-version-check -e ." in calls
    # pip's one-core byte-compiling is left to compileall on every core, tests left out
    compiled = [c for c in calls if c.startswith("python -m compileall -q -j0 -x /tests?/ ")]
    assert len(compiled) == 1
    assert calls.index(compiled[0]) > calls.index(
        "python -m pip install -q --no-compile --disable-pip-version-check -e ."
    )
    assert calls[-1] == "snakemake --profile profiles/local kick_tires"
    # bcfpipe itself is compiled on every run, installing or not (PYTHONDONTWRITEBYTECODE)
    assert "python -m compileall -q bcfpipe" in calls
    again = run(checkout, "kick_tires")
    assert "python -m compileall -q bcfpipe" in again
    assert not [c for c in again if "pip install" in c or "-j0" in c]
    # a named profile replaces the local one (profiles merge key by key)
    assert run(checkout, "--profile", "profiles/slurm", "-n")[-1] == (
        "snakemake --profile profiles/slurm -n"
    )


def test_run_test_adds_the_test_packages_and_extras(checkout: Path) -> None:
    calls = run(checkout, "test", "-m", "not slow")
    want = set(packages("debian-packages.txt")) | set(packages("debian-packages-test.txt"))
    assert want <= installed(calls)
    assert "python -m pip install -q --no-compile --disable-pip-version-check -e .[dev]" in calls
    assert calls[-1] == "python -m pytest -m not slow"
    # the extras include the pipeline's packages: ./run after ./run test installs no Python
    assert not [c for c in run(checkout) if "pip install" in c]
    # ... but ./run test after ./run does (the extras are missing)
    (checkout / ".venv/.bcfpipe-installed-dev").unlink()
    assert [c for c in run(checkout, "test") if c.endswith("-e .[dev]")]
