"""bcfpipe compare-loads: two runs' verdicts and counts per program, times left out."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bcfpipe.load.compare import compare_trees

PROGRAM = {
    "name": "xdp_prog",
    "verdict": "rejected",
    "error_category": "bcf_refuted",
    "error_line": "R1 invalid mem access",
    "errno": 13,
    "insns_processed": 40,
    "total_states": 3,
    "peak_states": 3,
    "max_states_per_insn": 1,
    "stack_depth": "8",
    "verification_time_us": 812,
    "load_ns": 3_000_000,
}
RESULT = {
    "schema": 1,
    "variant": "bcf",
    "project": "patterns",
    "object": "clang-19_-O2_x.o",
    "verdict": "rejected",
    "bcf": {"outcome": "refuted", "rounds": 2, "proof_seconds": 0.2},
    "vm": {"start": "snapshot", "wall_seconds": 0.61},
    "programs": [PROGRAM, dict(PROGRAM, name="tc_prog", verdict="loaded", errno=0)],
}


def write(root: Path, rel: str, result: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))


def test_times_and_the_start_are_not_compared(tmp_path: Path) -> None:
    new = copy.deepcopy(RESULT)
    new["vm"] = {"start": "boot", "wall_seconds": 1.4}
    new["bcf"]["proof_seconds"] = 9.0
    new["programs"][0]["verification_time_us"] = 4000
    write(tmp_path / "a", "bcf/patterns/x.json", RESULT)
    write(tmp_path / "b", "bcf/patterns/x.json", new)
    cmp = compare_trees(tmp_path / "a", tmp_path / "b")
    assert cmp.compared == 1 and not cmp.differences
    assert cmp.summary() == "1 results compared: no differences"


def test_every_changed_field_is_named_with_its_program(tmp_path: Path) -> None:
    new = copy.deepcopy(RESULT)
    new["verdict"] = "loaded"
    new["bcf"]["outcome"] = "accepted"
    new["programs"][0].update(verdict="loaded", insns_processed=41)
    write(tmp_path / "a", "bcf/patterns/x.json", RESULT)
    write(tmp_path / "b", "bcf/patterns/x.json", new)
    write(tmp_path / "a", "stock/patterns/gone.json", RESULT)
    write(tmp_path / "b", "stock/patterns/added.json", RESULT)
    cmp = compare_trees(tmp_path / "a", tmp_path / "b")
    got = {(d.what, d.old, d.new) for d in cmp.differences}
    assert got == {
        ("verdict", "rejected", "loaded"),
        ("bcf.outcome", "refuted", "accepted"),
        ("xdp_prog: verdict", "rejected", "loaded"),
        ("xdp_prog: insns_processed", 40, 41),
    }
    assert cmp.only_old == ["stock/patterns/gone.json"]
    assert cmp.only_new == ["stock/patterns/added.json"]
    assert cmp.counts()["verdict"] == 2
    assert "1 only in the old run" in cmp.summary()


def test_a_lost_program_is_a_difference(tmp_path: Path) -> None:
    new = copy.deepcopy(RESULT)
    new["programs"].pop()
    write(tmp_path / "a", "bcf/p/x.json", RESULT)
    write(tmp_path / "b", "bcf/p/x.json", new)
    assert [
        (d.what, d.old, d.new) for d in compare_trees(tmp_path / "a", tmp_path / "b").differences
    ] == [("programs", 2, 1)]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bcfpipe", "compare-loads", *args], capture_output=True, text=True
    )


def test_the_command_fails_on_a_difference_and_names_it(tmp_path: Path) -> None:
    write(tmp_path / "a", "bcf/p/x.json", RESULT)
    write(tmp_path / "b", "bcf/p/x.json", RESULT)
    same = cli(str(tmp_path / "a"), str(tmp_path / "b"))
    assert same.returncode == 0 and "no differences" in same.stdout
    write(tmp_path / "b", "bcf/p/x.json", dict(RESULT, verdict="loaded"))
    (tmp_path / "b" / "bcf/p/broken.json").write_text("{")
    (tmp_path / "a" / "bcf/p/broken.json").write_text("{}")
    diff = cli(str(tmp_path / "a"), str(tmp_path / "b"))
    assert diff.returncode == 1
    assert "bcf/p/x.json: verdict: 'rejected' -> 'loaded'" in diff.stdout
    assert "1 unreadable" in diff.stdout
    missing = cli(str(tmp_path / "a"), str(tmp_path / "nothing"))
    assert missing.returncode != 0 and "is not a folder" in missing.stderr
