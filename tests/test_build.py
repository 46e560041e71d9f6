from __future__ import annotations

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
