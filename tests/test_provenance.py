"""Provenance manifest: git state, input digests, tool versions, stable id, the footer line."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from bcfpipe.aggregate import provenance
from bcfpipe.cli import main

FIX = Path(__file__).parent / "fixtures" / "results"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_git_state_commit_and_dirty(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "f").write_text("a")
    git(tmp_path, "add", "f")
    git(tmp_path, "commit", "-qm", "x")
    clean = provenance.git_state(tmp_path)
    assert len(clean["commit"]) == 40 and clean["dirty"] is False
    (tmp_path / "f").write_text("b")
    dirty = provenance.git_state(tmp_path)
    assert dirty["dirty"] is True and dirty["changed"] == ["f"]
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    (outside / ".git").write_text("gitdir: /nonexistent\n")
    assert provenance.git_state(outside)["commit"] is None


def test_inputs_digest_every_file(tmp_path: Path) -> None:
    obj = tmp_path / "p" / "a.o"
    obj.parent.mkdir()
    obj.write_bytes(b"\x7fELF-ish")
    cfg = tmp_path / "config"
    cfg.write_text("CONFIG_BPF=y\n")
    src = tmp_path / "src.json"
    src.write_text(json.dumps({"name": "linux", "version": "6.12.117-1", "sha256": "ab" * 32}))
    patched = tmp_path / "patched.json"
    patched.write_text(
        json.dumps({"series": "bcf", "patches": [{"patch": "0001.patch", "sha256": "cd" * 32}]})
    )
    got = provenance.inputs(
        [str(src)], {"bcf": str(patched)}, {"bcf": str(cfg)}, {}, {}, [str(obj)]
    )
    assert got["sources"]["linux"]["version"] == "6.12.117-1"
    assert got["variants"]["bcf"]["patches"] == [{"patch": "0001.patch", "sha256": "cd" * 32}]
    assert (
        got["variants"]["bcf"]["kernel_config_sha256"]
        == hashlib.sha256(cfg.read_bytes()).hexdigest()
    )
    assert got["corpus"]["files"][str(obj)] == hashlib.sha256(obj.read_bytes()).hexdigest()
    assert got["corpus"]["objects"] == 1


def test_missing_tool_is_recorded_not_fatal() -> None:
    assert provenance.tool_version(["no-such-tool-bcfpipe", "--version"]).startswith("not found")
    tools = provenance.tool_versions(["no-such-clang"], "no-such-qemu", {})
    assert tools["clang"]["no-such-clang"].startswith("not found")
    assert tools["snakemake"] == "9.27.1"
    assert tools["python"].count(".") == 2


def test_id_ignores_times_and_footer_names_it(tmp_path: Path) -> None:
    kw = dict(repo=tmp_path, config={"a": 1}, inputs_={}, tools={}, host={}, times={"results": 0})
    m1 = provenance.build(**kw, started=0.0)  # type: ignore[arg-type]
    m2 = provenance.build(**kw, started=1000.0)  # type: ignore[arg-type]
    assert m1["id"] == m2["id"] and m1["times"] != m2["times"]
    m3 = provenance.build(**{**kw, "config": {"a": 2}}, started=0.0)  # type: ignore[arg-type]
    assert m3["id"] != m1["id"]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(m1))
    assert provenance.footer(path) == f"{path} id {m1['id']}, workflow unknown"


def test_manifest_command_on_fixtures(tmp_path: Path) -> None:
    objs = tmp_path / "objects"
    index = json.loads((FIX / "index.json").read_text())
    for project, sources in index["prog_index"].items():
        for names in sources.values():
            for name in names:
                (objs / project).mkdir(parents=True, exist_ok=True)
                (objs / project / name).write_bytes(name.encode())
    accel = tmp_path / "accel.json"
    accel.write_text(json.dumps({"accel": "tcg", "reason": "test"}))
    out = tmp_path / "manifest.json"
    rc = main(
        [
            "provenance-manifest",
            "--index", str(FIX / "index.json"),
            "--loads", str(FIX / "loads"),
            "--variant", "stock", "bcf",
            "--repo", str(Path(__file__).parent.parent),
            "--config-json", json.dumps({"kernel": {"variants": [{"name": "stock"}]}}),
            "--corpus-objects", str(objs),
            "--accel", str(accel),
            "--compiler", "clang-nonexistent",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert rc == 0
    m = json.loads(out.read_text())
    assert m["id"] == provenance.manifest_id(m)
    assert m["inputs"]["corpus"]["objects"] == 12
    assert m["host"]["accel"]["accel"] == "tcg" and m["host"]["cpus"] >= 1
    assert m["times"]["results"] == 24
    assert m["times"]["first_result_written"] <= m["times"]["last_result_written"]
    assert len(m["workflow"]["commit"]) == 40
    assert m["config"]["kernel"]["variants"][0]["name"] == "stock"


def test_footer_on_missing_manifest_is_clear(tmp_path: Path) -> None:
    from bcfpipe.errors import PipelineError

    with pytest.raises(PipelineError, match="cannot read provenance manifest"):
        provenance.footer(tmp_path / "nope.json")
