"""bcfpipe.load.plan (select target, rerun-failed, collect-loads) and tests.localslurm's config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.load import plan
from tests import localslurm

OBJECTS = [("p", "clang-19_-O2_a"), ("p", "clang-19_-O2_b"), ("q", "clang-19_-O2_c")]
VARIANTS = ["stock", "bcf"]


def select(**kw: list[str]) -> list[str]:
    sel = plan.Selection.from_config({"select": kw})
    return plan.select_loads(OBJECTS, VARIANTS, "R", sel)


def test_empty_selection_is_everything() -> None:
    assert len(select()) == 6


def test_one_project_one_variant_one_object() -> None:
    assert select(projects=["q"]) == [
        "R/loads/stock/q/clang-19_-O2_c.json",
        "R/loads/bcf/q/clang-19_-O2_c.json",
    ]
    assert select(variants=["bcf"], projects=["p"]) == [
        "R/loads/bcf/p/clang-19_-O2_a.json",
        "R/loads/bcf/p/clang-19_-O2_b.json",
    ]
    assert select(objects=["p/clang-19_-O2_b"], variants=["stock"]) == [
        "R/loads/stock/p/clang-19_-O2_b.json"
    ]


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"projects": ["x"]}, "select.projects names 'x'"),
        ({"variants": ["upstream"]}, "kernel.variants: stock, bcf"),
        ({"objects": ["p/a"]}, "e.g. p/clang-19_-O2_a"),
        ({"objects": ["p/clang-19_-O2_a"], "projects": ["q"]}, "nothing is selected"),
    ],
)
def test_bad_selection_names_the_problem(kw: dict[str, list[str]], needle: str) -> None:
    with pytest.raises(PipelineError, match=needle):
        select(**kw)


def _result(path: Path, verdict: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"verdict": verdict}))
    path.with_suffix(".log").write_text("log")
    return path


def test_rerun_candidates_and_forget(tmp_path: Path) -> None:
    loads = tmp_path / "loads"
    ok = _result(loads / "stock/p/a.json", "loaded")
    crash = _result(loads / "bcf/p/a.json", "vm_crash")
    hang = _result(loads / "stock/q/c.json", "timeout")
    (loads / "stock/q/broken.json").write_text("{")
    found = plan.rerun_candidates(loads)
    assert found == [crash, loads / "stock/q/broken.json", hang]
    assert plan.rerun_candidates(loads, ["loaded"]) == [ok, loads / "stock/q/broken.json"]
    assert plan.forget(found) == 3
    assert not crash.exists() and not crash.with_suffix(".log").exists() and ok.exists()
    with pytest.raises(PipelineError, match="nothing has been loaded"):
        plan.rerun_candidates(tmp_path / "nope")


def test_collect_loads(tmp_path: Path) -> None:
    a = _result(tmp_path / "a.json", "loaded")
    b = _result(tmp_path / "b.json", "rejected")
    rec = plan.collect_loads([a, b], "stock")
    assert rec["count"] == 2 and rec["verdicts"] == {"loaded": 1, "rejected": 1}
    assert len(rec["results"][0]["sha256"]) == 64
    with pytest.raises(PipelineError, match="missing: run its load_object job"):
        plan.collect_loads([tmp_path / "c.json"], "stock")


def test_local_slurm_conf_keeps_everything_under_root_and_on_loopback(tmp_path: Path) -> None:
    text = localslurm.slurm_conf(
        tmp_path,
        controller="vm",
        ctld_port=40001,
        slurmd_port=40002,
        cpus=2,
        memory_mb=4000,
        user="root",
        munge_socket=tmp_path / "munge.sock",
    )
    conf = dict(line.split("=", 1) for line in text.splitlines() if not line.startswith("Node"))
    for key in ("StateSaveLocation", "SlurmdSpoolDir", "SlurmctldPidFile", "SlurmdPidFile"):
        assert conf[key].startswith(str(tmp_path)), key
    assert conf["SlurmctldHost"] == "vm(127.0.0.1)"
    assert (conf["SlurmctldPort"], conf["SlurmdPort"]) == ("40001", "40002")
    assert conf["AuthInfo"] == f"socket={tmp_path}/munge.sock"
    assert conf["AccountingStorageType"] == "accounting_storage/none"
    assert int(conf["MinJobAge"]) >= 3 * 40  # squeue must still see finished jobs
    assert "NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000" in text


def test_free_ports_differ() -> None:
    ports = {localslurm.free_port() for _ in range(5)}
    assert all(1024 < p < 65536 for p in ports) and len(ports) >= 2


def test_batches_keep_projects_apart_and_sources_together() -> None:
    objs = [
        ("p", "clang-19_-O2_b", "b19"),
        ("p", "clang-14_-O2_a", "a14"),
        ("q", "clang-14_-O2_c", "c14"),
        ("p", "clang-19_-O2_a", "a19"),
        ("p", "clang-14_-O2_b", "b14"),
    ]
    batches = plan.load_batches(objs, 2)
    assert [(b.name, [o for o, _ in b.objects]) for b in batches] == [
        ("p/batch-0000", ["clang-14_-O2_a", "clang-19_-O2_a"]),
        ("p/batch-0001", ["clang-14_-O2_b", "clang-19_-O2_b"]),
        ("q/batch-0000", ["clang-14_-O2_c"]),
    ]
    assert batches[0].objects[0] == ("clang-14_-O2_a", "a14")  # the path travels with its name
    # Size 1 is one VM per object; every object is in exactly one batch whatever the size.
    for size in (1, 3, 10):
        flat = [o for b in plan.load_batches(objs, size) for o, _ in b.objects]
        assert sorted(flat) == sorted(o for _, o, _ in objs)
        assert all(len(b.objects) <= size for b in plan.load_batches(objs, size))


def test_batches_keep_a_sources_objects_by_one_compiler_together() -> None:
    """They are the objects that may have the same bytes, which a job loads once."""
    objs = [("p", f"clang-{c}_-O{o}_{n}", n) for n in "ab" for c in (14, 19) for o in "123"]
    batches = plan.load_batches(objs, 8)
    assert [[o for o, _ in b.objects] for b in batches] == [
        [f"clang-{c}_-O{o}_a" for c in (14, 19) for o in "123"],
        [f"clang-{c}_-O{o}_b" for c in (14, 19) for o in "123"],
    ]
    # A group larger than the batch is split, and one that does not fit starts a batch.
    assert [len(b.objects) for b in plan.load_batches(objs, 2)] == [2, 1] * 4
    assert [len(b.objects) for b in plan.load_batches(objs, 4)] == [3, 3, 3, 3]


def test_kick_tires_objects_get_batches_of_their_own() -> None:
    """A target that asks for the kick_tires objects loads them and no other object."""
    objs = [("p", f"clang-19_-O2_{n}", n) for n in "abcdef"] + [("q", "clang-19_-O2_g", "g")]
    first = {"p/clang-19_-O2_c", "p/clang-19_-O2_e", "q/clang-19_-O2_g"}
    batches = plan.load_batches(objs, 3, first=first)
    assert [(b.name, [o[-1] for o, _ in b.objects]) for b in batches] == [
        ("p/batch-0000", ["c", "e"]),
        ("p/batch-0001", ["a", "b", "d"]),
        ("p/batch-0002", ["f"]),
        ("q/batch-0000", ["g"]),
    ]


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(PipelineError, match="batch_size"):
        plan.load_batches([("p", "x", "x")], 0)
