"""Git provider: one commit, fetched shallowly by its id and verified.

A commit id is the pin: ``git fetch --depth 1 <url> <commit>`` asks the server for exactly that
commit, and ``git rev-parse FETCH_HEAD`` must name it again before anything reads the tree (a
digest of an archive the server generates is not stable, a commit id is). The fetched commit stays
in a bare cache repository under ``resources/git/<name>.git``, so a second run fetches nothing;
the tree is exported from it with ``git archive`` into the work directory.

Servers must allow fetching a commit by id (GitHub and kernel.org do; so do ``file://`` mirrors
with git >= 2.x protocol v2). An abbreviated id cannot be fetched: the config needs all 40 digits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from bcfpipe.errors import PipelineError

FULL_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def _git(args: list[str], what: str, cwd: Path | None = None) -> str:
    if shutil.which("git") is None:
        raise PipelineError(
            "'git' not found: the git source provider needs it (apt-get install git)"
        )
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise PipelineError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def check_commit(commit: str, where: str) -> str:
    c = commit.strip().lower()
    if not FULL_COMMIT.match(c):
        raise PipelineError(
            f"{where}: '{commit}' is not a full commit id. A git source is pinned by all 40 hex "
            f"digits (an abbreviated id cannot be fetched by id); find it with "
            f"'git rev-parse {commit}' in a clone of the repository"
        )
    return c


def has_commit(repo: Path, commit: str) -> bool:
    if not (repo / "HEAD").is_file():
        return False
    proc = subprocess.run(
        ["git", "--git-dir", str(repo), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
    )
    return proc.returncode == 0


def fetch_commit(url: str, commit: str, repo: Path, name: str = "") -> Path:
    """Make ``commit`` of ``url`` present in the bare cache ``repo``; verify it; return ``repo``."""
    label = f"sources.{name}" if name else url
    commit = check_commit(commit, f"{label}.commit")
    if has_commit(repo, commit):
        return repo
    repo.parent.mkdir(parents=True, exist_ok=True)
    if not (repo / "HEAD").is_file():
        _git(["init", "-q", "--bare", str(repo)], f"git init {repo}")
    try:
        _git(
            ["--git-dir", str(repo), "fetch", "--quiet", "--no-tags", "--depth", "1", url, commit],
            f"git fetch --depth 1 {url} {commit}",
        )
    except PipelineError as err:
        raise PipelineError(
            f"{err}\nCould not fetch commit {commit} from {url} ({label}). Check the network, "
            f"that the url is right, and that the commit exists there (a force-push can remove "
            f"it). To use a local mirror instead, clone the repository somewhere and set "
            f"{label}.url to file:///path/to/clone; the commit must stay the same"
        ) from None
    got = _git(
        ["--git-dir", str(repo), "rev-parse", "FETCH_HEAD^{commit}"], "git rev-parse FETCH_HEAD"
    ).strip()
    if got != commit:
        raise PipelineError(
            f"{url} answered commit {got} when asked for {commit} ({label}.commit); the mirror "
            f"is not what the config pins. Point {label}.url at a repository that has {commit}"
        )
    # Keep the commit reachable from a ref so that a gc of the cache never drops it.
    _git(["--git-dir", str(repo), "update-ref", f"refs/bcfpipe/{commit}", commit], "git update-ref")
    return repo


def export_tree(repo: Path, commit: str, dest: Path) -> None:
    """Write the tree of ``commit`` into the (empty) directory ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(
        ["git", "--git-dir", str(repo), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], stdin=archive.stdout, capture_output=True, text=True
    )
    assert archive.stdout is not None and archive.stderr is not None
    archive.stdout.close()
    err = archive.stderr.read().decode(errors="replace")
    if archive.wait() != 0 or untar.returncode != 0:
        raise PipelineError(
            f"exporting commit {commit} from {repo} failed: {err.strip()} {untar.stderr.strip()}"
        )
