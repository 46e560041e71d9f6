from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.kernel import build


@pytest.mark.skipif(shutil.which("ccache") is None, reason="ccache not installed")
def test_ccache_is_shared_between_variants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CCACHE_DIR", "CCACHE_BASEDIR", "CCACHE_NOHASHDIR", "CCACHE_DEPEND"):
        monkeypatch.delenv(var, raising=False)
    env, extra = build._env("auto", tmp_path / "work")
    assert extra == ["CC=ccache gcc", "HOSTCC=ccache gcc"]
    # One cache for every variant's tree under work/, the compiler's directory left out of the
    # hash, and no second preprocessor run on a miss.
    assert env["CCACHE_DIR"] == str((tmp_path / "work" / "ccache").resolve())
    assert env["CCACHE_BASEDIR"] == str((tmp_path / "work").resolve())
    assert env["CCACHE_NOHASHDIR"] == "1"
    assert env["CCACHE_DEPEND"] == "1"
    # A user's own ccache settings win.
    monkeypatch.setenv("CCACHE_DEPEND", "0")
    assert build._env("yes", tmp_path)[0]["CCACHE_DEPEND"] == "0"


def test_ccache_off_or_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build._env("no", tmp_path)[1] == []
    monkeypatch.setenv("PATH", str(tmp_path))  # no ccache anywhere
    assert build._env("auto", tmp_path)[1] == []
    with pytest.raises(PipelineError, match="apt-get install ccache"):
        build._env("yes", tmp_path)


def _seed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A finished baseline build (old times) and a variant's tree with a configured build."""
    seed = tmp_path / "stock" / "build"
    for rel in ("vmlinux.o", "kernel/fork.o", "tools/objtool/objtool", "tools/bpf/x.o", ".config"):
        (seed / rel).parent.mkdir(parents=True, exist_ok=True)
        (seed / rel).write_text(f"stock {rel}")
    (seed / "source").symlink_to("..")
    for path in [*seed.rglob("*"), seed]:
        os.utime(path, (1000.0, 1000.0), follow_symlinks=False)
    tree = tmp_path / "bcf"
    (tree / "kernel").mkdir(parents=True)
    (tree / "kernel" / "verifier.c").write_text("patched")
    os.utime(tree / "kernel" / "verifier.c", (500.0, 500.0))  # patched before stock was built
    build_dir = tree / "build"
    build_dir.mkdir()
    (build_dir / ".config").write_text("bcf config")
    (build_dir / "source").symlink_to("..")
    return seed, tree, build_dir


def test_a_seeded_build_keeps_its_config_and_recompiles_what_differs(tmp_path: Path) -> None:
    seed, tree, build_dir = _seed(tmp_path)
    objtool = build.seed_build(seed, tree, build_dir, ["kernel/verifier.c", "gone.c"])
    assert objtool == 1000.0
    assert (build_dir / "kernel" / "fork.o").read_text() == "stock kernel/fork.o"
    assert (build_dir / "kernel" / "fork.o").stat().st_mtime == 1000.0  # times kept
    assert (build_dir / ".config").read_text() == "bcf config"
    assert (build_dir / ".config").stat().st_mtime > 1000.0  # Kconfig runs again
    assert not (build_dir / "tools").exists()  # the tools' builds start afresh
    # The patched file is newer than every object of the seed: make recompiles it.
    assert (tree / "kernel" / "verifier.c").stat().st_mtime > 1000.0
    # Built once: never seeded again.
    assert build.seed_build(seed, tree, build_dir, []) is None


def test_a_seeded_build_keeps_the_seeds_time_for_a_file_patched_back(tmp_path: Path) -> None:
    """A series that changes a header and changes it back later (0002 and 0018 with
    include/uapi/linux/bpf.h) leaves bytes the seed compiled: stamping them would rebuild every
    object that includes them."""
    seed, tree, build_dir = _seed(tmp_path)
    stock = tmp_path / "stock" / "include" / "bpf.h"
    stock.parent.mkdir(parents=True)
    stock.write_text("union bpf_attr;")
    os.utime(stock, (400.0, 400.0))
    (tree / "include").mkdir()
    (tree / "include" / "bpf.h").write_text("union bpf_attr;")  # patched, then patched back
    build.seed_build(seed, tree, build_dir, ["kernel/verifier.c", "include/bpf.h"])
    assert (tree / "include" / "bpf.h").stat().st_mtime == 400.0
    assert (tree / "kernel" / "verifier.c").stat().st_mtime > 1000.0


def test_no_seed_from_an_unbuilt_folder_or_over_a_patched_objtool(tmp_path: Path) -> None:
    seed, tree, build_dir = _seed(tmp_path)
    assert build.seed_build(seed, tree, build_dir, ["tools/objtool/check.c"]) is None
    (seed / "vmlinux.o").unlink()
    assert build.seed_build(seed, tree, build_dir, []) is None
    assert not (build_dir / "kernel").exists()


def test_kcflags_reach_make_as_one_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(build, "run_logged", lambda cmd, **kw: calls.append(list(cmd)))
    (tmp_path / "b" / "include" / "config").mkdir(parents=True)
    (tmp_path / "b" / "include" / "config" / "kernel.release").write_text("6.12.0\n")
    info = build.build_kernel(
        tmp_path / "t", tmp_path / "b", 2, "no", tmp_path, ["A=1"], kcflags=" -fno-var-tracking -g "
    )
    assert "KCFLAGS=-fno-var-tracking -g" in calls[-1]
    assert calls[-1][-1] == "bzImage" and "A=1" in calls[-1]
    assert info["kcflags"] == "-fno-var-tracking -g" and info["make_vars"] == ["A=1"]
    build.build_kernel(tmp_path / "t", tmp_path / "b", 2, "no", tmp_path, kcflags="")
    assert not any(w.startswith("KCFLAGS") for w in calls[-1])
    with pytest.raises(PipelineError, match="one line"):
        build.build_kernel(tmp_path / "t", tmp_path / "b", 2, "no", tmp_path, kcflags="-O2\n-g")
