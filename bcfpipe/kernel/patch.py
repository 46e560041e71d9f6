"""Patch series: ``patches/<component>/<series>/series`` lists patches in order.

A variant's tree is a fresh copy of the pristine tree with its series applied. Copies keep file
times, so files a patch touched before but not now would look older than their objects and make
would skip them: every file touched by the old or the new series is stamped 'now' after patching.

The kernel's build directory lives inside the variant's tree (``make O=<tree>/build``): kbuild
then names every source relative to it (``../kernel/fork.c``), the same in each variant's tree, so
ccache serves a second variant from the first one's objects. Recreating the tree keeps it.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, sha256_file, write_json_atomic


@dataclass(frozen=True)
class SeriesEntry:
    path: Path
    strip: int = 1


def read_series(series_dir: Path) -> list[SeriesEntry]:
    """Parse a quilt-style ``series`` file: one patch per line, optional ``-pN``, '#' comments."""
    series = series_dir / "series"
    if not series.is_file():
        raise PipelineError(f"{series} does not exist; a patch series folder needs a 'series' file")
    entries = []
    for lineno, raw in enumerate(series.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        strip = 1
        for opt in parts[1:]:
            m = re.fullmatch(r"-p(\d+)", opt)
            if not m:
                raise PipelineError(f"{series}:{lineno}: unknown option '{opt}' (only -pN)")
            strip = int(m.group(1))
        path = series_dir / parts[0]
        if not path.is_file():
            raise PipelineError(f"{series}:{lineno}: patch '{parts[0]}' not found in {series_dir}")
        entries.append(SeriesEntry(path, strip))
    return entries


def read_patch_sets(
    tree: Path, sets: list[str], skip: list[str], where: str = "patch_sets"
) -> list[SeriesEntry]:
    """Patches of ``sets`` (folders of ``tree``), in set order and by name within a set.

    Files matching ``skip`` (the cover letters of ``git format-patch``) are left out. A set that
    is missing or holds no patch is an error naming the folders that do exist.
    """
    entries: list[SeriesEntry] = []
    for name in sets:
        folder = tree / name
        if not folder.is_dir():
            parent = folder.parent
            there = (
                sorted(p.name for p in parent.iterdir() if p.is_dir()) if parent.is_dir() else []
            )
            raise PipelineError(
                f"{where}: patch set '{name}' does not exist in {tree}"
                + (
                    f" (folders in {parent.relative_to(tree)}/: {', '.join(there)})"
                    if there
                    else ""
                )
                + ". The patch repository's commit and the configured set names disagree: fix the "
                "name in the config, or go back to the commit the config pins"
            )
        patches = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.name.endswith(".patch")
            and not any(fnmatch.fnmatch(p.name, pat) for pat in skip)
        )
        if not patches:
            raise PipelineError(
                f"{where}: patch set '{name}' in {tree} holds no *.patch file besides "
                f"{', '.join(skip) or 'nothing'}"
            )
        entries += [SeriesEntry(p) for p in patches]
    return entries


def patch_set_args(tree_record: str, variant: dict[str, Any]) -> str:
    """``patch-tree`` arguments for a variant's patch sets, shell-quoted (names contain ':')."""
    args = ["--patch-tree", tree_record]
    for s in variant["patch_sets"]:
        args += ["--patch-set", s]
    for g in variant["patch_skip"]:
        args += ["--patch-skip", g]
    return shlex.join(args)


def whole_files(series_dir: Path) -> list[Path]:
    """New files a series adds as plain sources (``<series>/files/<path in tree>``).

    Keeping new files whole (not as diffs) lets them be read, linted and compiled outside the
    kernel, e.g. the certificate checker's user-space test build.
    """
    root = series_dir / "files"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def series_files(series_dir: Path) -> list[str]:
    """Every file a series consists of (for Snakemake inputs): series, patches, whole files."""
    return (
        [str(series_dir / "series")]
        + [str(e.path) for e in read_series(series_dir)]
        + [str(p) for p in whole_files(series_dir)]
    )


def install_files(series_dir: Path, tree: Path) -> list[dict[str, str]]:
    """Copy the series' whole files into ``tree``; they must be new (patches edit, files add)."""
    installed = []
    root = series_dir / "files"
    for src in whole_files(series_dir):
        rel = src.relative_to(root)
        dest = tree / rel
        if dest.exists():
            raise PipelineError(
                f"{src} would overwrite {rel}, which the source tree already has; change existing "
                f"files with a patch in the series instead"
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        installed.append({"file": str(rel), "sha256": sha256_file(src)})
    return installed


def _touched(patch_output: str) -> list[str]:
    return re.findall(r"^patching file '?(.+?)'?$", patch_output, flags=re.M)


def apply_series(
    pristine: Path,
    tree: Path,
    entries: list[SeriesEntry],
    state: Path,
    series_dir: Path | None = None,
    hint: str = "Refresh the patch against this source tree (or fix its order in 'series').",
    keep: Sequence[str] = (),
) -> dict[str, Any]:
    """Recreate ``tree`` from ``pristine`` and apply ``entries``; return the provenance record.

    ``hint`` ends the error when a patch does not apply: what the user should do about it.
    ``keep`` names top-level folders of the old tree (a build directory) that the new one keeps.
    """
    previous: list[str] = []
    if state.is_file():
        previous = list(read_json(state).get("touched", []))
        state.unlink()  # the tree is about to change: no valid state until we finish
    aside = {name: tree.parent / f".{tree.name}.{name}.kept" for name in keep}
    for name in keep:
        if (pristine / name).exists():
            raise PipelineError(
                f"the source tree {pristine} has a top-level '{name}', the name of the folder "
                f"bcfpipe keeps in {tree}: rename it in the source"
            )
        # A copy that a run cut off between the moves left aside is the one, unless the tree
        # has the folder again (then that copy is older than it).
        if (tree / name).is_dir():
            if aside[name].exists():
                shutil.rmtree(aside[name])
            (tree / name).rename(aside[name])
    if tree.exists():
        shutil.rmtree(tree)
    tree.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--reflink=auto", str(pristine), str(tree)], check=True)
    for name, kept in aside.items():
        if kept.is_dir():
            kept.rename(tree / name)

    installed = install_files(series_dir, tree) if series_dir else []
    applied = []
    touched: list[str] = [f["file"] for f in installed]
    for entry in entries:
        with tempfile.NamedTemporaryFile(suffix=".rej", delete=False) as rej:
            rej_path = Path(rej.name)
        try:
            proc = subprocess.run(
                [
                    "patch",
                    f"-p{entry.strip}",
                    "--forward",
                    "--batch",
                    "--no-backup-if-mismatch",
                    f"--reject-file={rej_path}",
                    "-i",
                    str(entry.path.resolve()),
                ],
                cwd=tree,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                rejected = rej_path.read_text() if rej_path.stat().st_size else ""
                raise PipelineError(
                    f"patch {entry.path.name} (series {entry.path.parent}) does not apply to "
                    f"{pristine.name}:\n{proc.stdout.strip()}\n"
                    + (f"rejected hunk(s):\n{rejected.strip()}\n" if rejected else "")
                    + hint
                )
        finally:
            rej_path.unlink(missing_ok=True)
        files = _touched(proc.stdout)
        touched += files
        applied.append(
            {
                "patch": entry.path.name,
                "set": entry.path.parent.name,
                "sha256": sha256_file(entry.path),
                "strip": entry.strip,
                "files": files,
            }
        )
    now = time.time()
    for rel in sorted(set(previous) | set(touched)):
        p = tree / rel
        if p.exists():
            os.utime(p, (now, now))
    record = {"patches": applied, "files": installed, "touched": sorted(set(touched))}
    write_json_atomic(state, record)
    return record


def patch_sets_hint(patch_src: dict[str, Any], kernel_src: dict[str, Any]) -> str:
    """What to do when a patch set from another repository does not apply to the kernel."""
    return (
        f"The patch sets come from {patch_src.get('url') or patch_src.get('file')} at "
        f"{patch_src.get('commit') or patch_src.get('sha256') or '?'} and are applied to "
        f"source '{kernel_src.get('name')}' at "
        f"{kernel_src.get('commit') or kernel_src.get('version') or kernel_src.get('sha256')}. "
        f"They were written for one base commit: keep the pair pinned in config/paper.yaml "
        f"(docs/paper.md, 'When a download or a patch fails'); if you moved either commit, "
        f"move it back or pick the base commit the patch repository's README names."
    )
