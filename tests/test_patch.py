from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.kernel import patch


def _diff(tmp: Path, name: str, rel: str, old: str, new: str) -> Path:
    a, b = tmp / "da" / rel, tmp / "db" / rel
    for p, text in ((a, old), (b, new)):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    out = subprocess.run(
        ["diff", "-u", f"da/{rel}", f"db/{rel}"], cwd=tmp, capture_output=True, text=True
    ).stdout
    for p in (a, b):
        p.unlink()
    target = tmp / "series" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(out)
    return target


@pytest.fixture
def pristine(tmp_path: Path) -> Path:
    tree = tmp_path / "pristine"
    (tree / "kernel").mkdir(parents=True)
    (tree / "kernel" / "v.c").write_text("one\ntwo\nthree\n")
    (tree / "other.c").write_text("untouched\n")
    old = 1_000_000_000
    for p in tree.rglob("*"):
        os.utime(p, (old, old))
    return tree


def test_series_applies_in_order_and_records_digests(tmp_path: Path, pristine: Path) -> None:
    _diff(tmp_path, "0001-a.patch", "kernel/v.c", "one\ntwo\nthree\n", "one\nTWO\nthree\n")
    # The second patch only applies on top of the first: order matters.
    _diff(tmp_path, "0002-b.patch", "kernel/v.c", "one\nTWO\nthree\n", "one\nTWO\nTHREE\n")
    (tmp_path / "series" / "series").write_text("# order matters\n0001-a.patch\n0002-b.patch -p1\n")
    entries = patch.read_series(tmp_path / "series")
    assert [e.path.name for e in entries] == ["0001-a.patch", "0002-b.patch"]
    tree = tmp_path / "tree"
    rec = patch.apply_series(pristine, tree, entries, tmp_path / "state.json")
    assert (tree / "kernel" / "v.c").read_text() == "one\nTWO\nTHREE\n"
    assert (pristine / "kernel" / "v.c").read_text() == "one\ntwo\nthree\n"
    assert [p["patch"] for p in rec["patches"]] == ["0001-a.patch", "0002-b.patch"]
    assert all(len(p["sha256"]) == 64 for p in rec["patches"])
    assert rec["touched"] == ["kernel/v.c"]
    # Untouched files keep their time, so make does not rebuild them.
    assert (tree / "other.c").stat().st_mtime == 1_000_000_000


def test_reverted_file_is_restamped_so_make_rebuilds_it(tmp_path: Path, pristine: Path) -> None:
    _diff(tmp_path, "0001-a.patch", "kernel/v.c", "one\ntwo\nthree\n", "one\nTWO\nthree\n")
    (tmp_path / "series" / "series").write_text("0001-a.patch\n")
    tree, state = tmp_path / "tree", tmp_path / "state.json"
    patch.apply_series(pristine, tree, patch.read_series(tmp_path / "series"), state)
    # Now the series is empty: kernel/v.c goes back to its pristine text but must look new.
    patch.apply_series(pristine, tree, [], state)
    assert (tree / "kernel" / "v.c").read_text() == "one\ntwo\nthree\n"
    assert (tree / "kernel" / "v.c").stat().st_mtime > 1_000_000_000


def test_kept_build_folder_survives_repatching(tmp_path: Path, pristine: Path) -> None:
    _diff(tmp_path, "0001-a.patch", "kernel/v.c", "one\ntwo\nthree\n", "one\nTWO\nthree\n")
    (tmp_path / "series" / "series").write_text("0001-a.patch\n")
    tree, state = tmp_path / "tree", tmp_path / "state.json"
    entries = patch.read_series(tmp_path / "series")
    patch.apply_series(pristine, tree, entries, state, keep=["build"])
    (tree / "build" / "kernel").mkdir(parents=True)
    (tree / "build" / "kernel" / "v.o").write_text("object")
    (tree / "stray.o").write_text("in the tree itself")
    patch.apply_series(pristine, tree, [], state, keep=["build"])
    # The build folder (incremental kernel builds) stays; everything else is the fresh copy.
    assert (tree / "build" / "kernel" / "v.o").read_text() == "object"
    assert not (tree / "stray.o").exists()
    assert (tree / "kernel" / "v.c").read_text() == "one\ntwo\nthree\n"
    assert not list(tmp_path.glob(".tree.*"))
    # A run cut off after moving it aside: the next run still finds it.
    (tree / "build").rename(tmp_path / ".tree.build.kept")
    patch.apply_series(pristine, tree, entries, state, keep=["build"])
    assert (tree / "build" / "kernel" / "v.o").read_text() == "object"
    # Without keep, a recreated tree is the pristine copy alone.
    patch.apply_series(pristine, tree, entries, state)
    assert not (tree / "build").exists()


def test_kept_name_in_the_source_is_refused(tmp_path: Path, pristine: Path) -> None:
    (pristine / "build").mkdir()
    with pytest.raises(PipelineError, match="top-level 'build'"):
        patch.apply_series(pristine, tmp_path / "tree", [], tmp_path / "s.json", keep=["build"])


def test_conflict_names_patch_and_shows_rejected_hunk(tmp_path: Path, pristine: Path) -> None:
    _diff(tmp_path, "0001-ok.patch", "other.c", "untouched\n", "touched\n")
    _diff(tmp_path, "0002-stale.patch", "kernel/v.c", "one\nzwei\nthree\n", "one\n2\nthree\n")
    (tmp_path / "series" / "series").write_text("0001-ok.patch\n0002-stale.patch\n")
    with pytest.raises(PipelineError) as err:
        patch.apply_series(
            pristine,
            tmp_path / "tree",
            patch.read_series(tmp_path / "series"),
            tmp_path / "state.json",
        )
    msg = str(err.value)
    assert "patch 0002-stale.patch" in msg and "does not apply" in msg
    assert "rejected hunk" in msg and "-zwei" in msg
    assert not (tmp_path / "state.json").exists()


def test_series_errors(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="needs a 'series' file"):
        patch.read_series(tmp_path)
    (tmp_path / "series").write_text("missing.patch\n")
    with pytest.raises(PipelineError, match=r"series:1: patch 'missing.patch' not found"):
        patch.read_series(tmp_path)
    (tmp_path / "x.patch").write_text("")
    (tmp_path / "series").write_text("x.patch -R\n")
    with pytest.raises(PipelineError, match="unknown option '-R'"):
        patch.read_series(tmp_path)


def test_whole_files_are_installed_before_patches(tmp_path: Path, pristine: Path) -> None:
    series = tmp_path / "series"
    (series / "files" / "kernel").mkdir(parents=True)
    (series / "files" / "kernel" / "new.c").write_text("new\n")
    # The patch edits the installed file: files go in first.
    _diff(tmp_path, "0001-edit-new.patch", "kernel/new.c", "new\n", "newer\n")
    (series / "series").write_text("0001-edit-new.patch\n")
    rec = patch.apply_series(
        pristine, tmp_path / "tree", patch.read_series(series), tmp_path / "state.json", series
    )
    assert (tmp_path / "tree" / "kernel" / "new.c").read_text() == "newer\n"
    assert rec["files"][0]["file"] == "kernel/new.c" and len(rec["files"][0]["sha256"]) == 64
    assert str(series / "files" / "kernel" / "new.c") in patch.series_files(series)


def test_whole_file_may_not_overwrite(tmp_path: Path, pristine: Path) -> None:
    series = tmp_path / "s"
    (series / "files").mkdir(parents=True)
    (series / "files" / "other.c").write_text("x\n")
    (series / "series").write_text("")
    with pytest.raises(PipelineError, match=r"would overwrite other\.c"):
        patch.apply_series(pristine, tmp_path / "tree", [], tmp_path / "state.json", series)
