"""Aggregation tables against numbers recomputed independently from the fixture JSONs.

The recomputations below read the raw JSON dicts, not bcfpipe's records, so a bug in the reader
and the same bug in a table cannot cancel out.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.aggregate import paper, tables
from bcfpipe.aggregate.results import ResultSet, bcf_variants, parse_result, read_results
from bcfpipe.aggregate.table import read_csv, render_markdown, write_table
from bcfpipe.errors import PipelineError
from bcfpipe.load.results import result_paths

FIX = Path(__file__).parent / "fixtures" / "results"
INDEX = FIX / "index.json"
LOADS = FIX / "loads"


def raw(variant: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((LOADS / variant).glob("*/*.json"))]


@pytest.fixture(scope="module")
def rs():  # type: ignore[no-untyped-def]
    return read_results(result_paths(INDEX, LOADS, ["stock", "bcf"]))


def test_fixtures_are_what_the_readme_says() -> None:
    stock, bcf = raw("stock"), raw("bcf")
    assert len(stock) == len(bcf) == 12
    assert all("synthetic" not in r for r in stock)
    assert all("synthetic" in r and r["variant"] == "bcf" for r in bcf)


def test_summary_counts_match_raw_json(rs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_table(tables.project_summary(rs, "stock"), tmp_path / "summary", "PROV")
    prov, rows = read_csv(tmp_path / "summary.csv")
    assert prov == "PROV"
    by_project = {r["project"]: r for r in rows}
    for project in ("patterns", "cgroup-sock", "maps"):
        objs = [r for r in raw("stock") if r["project"] == project]
        progs = [p for r in objs for p in r["programs"]]
        row = by_project[project]
        assert int(row["objects"]) == len(objs)
        assert int(row["programs"]) == len(progs)
        for v in ("loaded", "rejected", "compat_issue", "timeout", "vm_crash"):
            assert int(row[f"objects_{v}"]) == sum(r["verdict"] == v for r in objs)
            assert int(row[f"programs_{v}"]) == sum(p["verdict"] == v for p in progs)
        sigs = {
            (p["insns_processed"], p["total_states"], p["peak_states"], p["error_normalized"])
            for p in progs
            if p["verdict"] == "rejected"
        }
        assert int(row["programs_rejected_unique"]) == len(sigs)
    # 3 var_shift_bound + 3 bpf_loop_index + 2 var_shift_unsafe rejected in patterns. The loop
    # index rejections carry two signatures across compilers, while var_shift_bound (safe) and
    # var_shift_unsafe share one: the signature does not see the source, as in the paper.
    assert by_project["patterns"]["objects_rejected"] == "8"
    assert by_project["patterns"]["objects_rejected_unique"] == "3"
    total = by_project["all"]
    assert int(total["objects"]) == 12
    assert int(total["objects_rejected_unique"]) == sum(
        int(r["objects_rejected_unique"]) for p, r in by_project.items() if p != "all"
    )


def test_unique_is_within_project(rs) -> None:  # type: ignore[no-untyped-def]
    # Same signature in two projects is two unique rejections.
    data = raw("stock")[0]
    twin = json.loads(json.dumps(data))
    twin["project"] = "elsewhere"
    from bcfpipe.aggregate.results import ResultSet

    pair = ResultSet([parse_result(data, "a"), parse_result(twin, "b")])
    assert len(tables.unique_programs(pair.programs())) == 2


def test_unique_rejections_list_covers_every_rejected_program(rs) -> None:  # type: ignore[no-untyped-def]
    t = tables.unique_rejections(rs, "stock")
    rejected = sum(p["verdict"] == "rejected" for r in raw("stock") for p in r["programs"])
    assert sum(row[6] for row in t.rows) == rejected
    assert len(t.rows) == len(tables.unique_programs(rs.of("stock").programs()))


def test_error_categories_match_raw(rs) -> None:  # type: ignore[no-untyped-def]
    t = tables.error_categories(rs, "stock")
    cats = Counter(
        p["error_category"]
        for r in raw("stock")
        for p in r["programs"]
        if p["verdict"] == "rejected"
    )
    got = {row[2]: row[3] for row in t.rows if row[0] == "all"}
    assert got == dict(cats)


def test_compiler_divergence(rs) -> None:  # type: ignore[no-untyped-def]
    # Stock treats every fixture source alike; the synthetic bcf run splits bpf_loop_index (two
    # variants accepted, one at the round limit).
    assert tables.compiler_divergence(rs, "stock").rows == []
    rows = tables.compiler_divergence(rs, "bcf").rows
    assert [(r[1], r[4], r[5]) for r in rows] == [("bpf_loop_index", 2, 1)]
    assert "clang-16 -O3" in rows[0][8]


def test_compare_marks_verdict_changes(rs) -> None:  # type: ignore[no-untyped-def]
    t = tables.compare_variants(rs, ["stock", "bcf"])
    stock = {(r["project"], r["object"], p["name"]): p for r in raw("stock") for p in r["programs"]}
    bcf = {(r["project"], r["object"], p["name"]): p for r in raw("bcf") for p in r["programs"]}
    changed = {k for k in stock if stock[k]["verdict"] != bcf[k]["verdict"]}
    assert {tuple(r[:3]) for r in t.rows if "verdict" in r[-1]} == changed
    assert len(t.rows) == len(stock)
    i = t.columns.index("insns_diff_pct_bcf")
    row = next(r for r in t.rows if r[1] == "clang-14_-O1_var_shift_bound.o")
    k = ("patterns", "clang-14_-O1_var_shift_bound.o", row[2])
    expect = (
        100
        * (bcf[k]["insns_processed"] - stock[k]["insns_processed"])
        / stock[k]["insns_processed"]
    )
    assert row[i] == pytest.approx(expect, abs=0.05)
    md = render_markdown(t, "P")
    assert "**loaded**" in md and "**timeout**" in md


def test_compare_with_one_variant_says_so(rs) -> None:  # type: ignore[no-untyped-def]
    t = tables.compare_variants(rs.of("stock"), ["stock", "upstream"])
    assert t.is_unavailable
    assert "Only stock ran" in t.rows[0][0] and "upstream" in t.rows[0][0]


def test_acceptance_matches_raw(rs) -> None:  # type: ignore[no-untyped-def]
    t = paper.acceptance(rs, ["bcf"], ["stock", "bcf"])
    m = {row[1]: row for row in t.rows}
    stock = {r["object"]: r for r in raw("stock")}
    bcf = {r["object"]: r for r in raw("bcf")}
    rej = [o for o in stock if stock[o]["verdict"] == "rejected"]
    acc = [o for o in rej if bcf[o]["verdict"] == "loaded"]
    row = m["rejected objects accepted (raw)"]
    assert (row[2], row[3]) == (len(rej), len(acc)) == (10, 5)
    # Unique classes of stock rejections: var_shift_bound+var_shift_unsafe (one signature, 3 of 5
    # accepted: partly), bpf_loop_index 23 insns (accepted), bpf_loop_index 22 insns (1 of 2:
    # partly), connect4, spinlock.
    u = m["unique rejections accepted"]
    assert (u[2], u[3]) == (5, 1)
    assert "2 classes only partly" in u[5]
    assert m["loaded by stock, not by the variant"][3] == 0


def test_table2_matches_raw(rs) -> None:  # type: ignore[no-untyped-def]
    t = paper.table2(rs, ["bcf"], ["stock", "bcf"])
    stats = {row[1]: row[3:] for row in t.rows}
    progs = [p for r in raw("bcf") for p in r["programs"] if p["refinements"]]
    refs = [x for p in progs for x in p["refinements"]]

    def mma(vals: list[float]) -> list[Any]:
        return [len(vals), min(vals), pytest.approx(statistics.mean(vals)), max(vals)]

    assert stats["refinements per program"] == mma([len(p["refinements"]) for p in progs])
    assert stats["symbolic track length"] == mma([x["track_length"] for x in refs])
    assert stats["condition size"] == mma([x["condition_bytes"] for x in refs])
    assert stats["certificate size"] == mma([x["certificate_bytes"] for x in refs])
    assert stats["certificate check time"] == mma([x["check_ns"] / 1000 for x in refs])
    ratio = [
        100 * sum(x["solve_seconds"] for x in p["refinements"]) / (p["verification_time_us"] / 1e6)
        for p in progs
    ]
    assert stats["proof time / verification time"] == mma(ratio)
    need = [100 * len({x["insn"] for x in p["refinements"]}) / p["insns_processed"] for p in progs]
    assert stats["insns needing a proof / insns processed"] == mma(need)


def test_paper_outputs_say_when_no_bcf_ran(rs) -> None:  # type: ignore[no-untyped-def]
    only_stock = rs.of("stock")
    assert bcf_variants(only_stock, ["stock"]) == []
    for t in (
        paper.acceptance(only_stock, [], ["stock"]),
        paper.table2(only_stock, [], ["stock"]),
    ):
        assert t.is_unavailable
        assert "No BCF variant has run" in t.rows[0][0]
        assert "0" not in render_markdown(t, "P").split("\n", 2)[2].split("_provenance")[0]
    # Configured but without results: named as not run, not counted as zero acceptance.
    t = paper.acceptance(only_stock, ["bcf"], ["stock", "bcf"])
    assert t.rows[0][1] == "not run"


def test_baseline_is_the_first_configured_variant(rs) -> None:  # type: ignore[no-untyped-def]
    # The rules pass kernel.baseline first; a BCF variant as baseline is not a BCF run to compare.
    assert bcf_variants(rs, ["stock", "bcf"]) == ["bcf"]
    assert bcf_variants(rs, ["bcf", "stock"]) == []
    t = paper.acceptance(rs.of("bcf"), ["stock"], ["nobody", "stock"])
    assert t.is_unavailable and "The baseline variant nobody has no results" in t.rows[0][0]


def test_load_time_ratio(rs) -> None:  # type: ignore[no-untyped-def]
    t = paper.load_time(rs, ["stock", "bcf"])
    rows = {r[0]: r for r in t.rows}
    loaded = [
        p["verification_time_us"]
        for r in raw("stock")
        for p in r["programs"]
        if p["verdict"] == "loaded"
    ]
    assert rows["stock"][1] == len(loaded)
    assert rows["stock"][5] == max(loaded)
    assert rows["bcf"][8] == 3  # programs loaded by both: arsh_infeasible + the two skb programs


def test_result_paths_follow_the_index(tmp_path: Path) -> None:
    paths = result_paths(INDEX, LOADS, ["stock", "upstream"])
    assert len(paths) == 12  # upstream has no results at all: not run, not an error
    partial = tmp_path / "loads"
    (partial / "stock" / "maps").mkdir(parents=True)
    src = LOADS / "stock" / "maps" / "clang-14_-O1_spinlock_helper_unsafe.json"
    (partial / "stock" / "maps" / src.name).write_text(src.read_text())
    with pytest.raises(PipelineError, match=r"11 results .* are missing"):
        result_paths(INDEX, partial, ["stock"])


def test_bad_results_are_named(tmp_path: Path) -> None:
    data = raw("bcf")[3]
    data["programs"][0]["refinements"] = [{"kind": "range", "insn": 3}]
    with pytest.raises(PipelineError, match="lacks track_length"):
        parse_result(data, "x.json")
    (tmp_path / "a.json").write_text("{")
    with pytest.raises(PipelineError, match=r"a\.json is not valid JSON"):
        read_results([tmp_path / "a.json"])
    dup = tmp_path / "b.json"
    dup.write_text(json.dumps(raw("stock")[0]))
    with pytest.raises(PipelineError, match="are both results of"):
        other = LOADS / "stock" / "cgroup-sock" / dup_name(dup)
        read_results([dup, other])


def dup_name(path: Path) -> str:
    return str(json.loads(path.read_text())["object"]).replace(".o", ".json")


def test_readme_dynamic_validation_line() -> None:
    from bcfpipe.aggregate import readme
    from bcfpipe.aggregate.results import ResultSet

    rep = {
        "kernel": "bcf-kasan",
        "variant": "bcf",
        "baseline": "stock",
        "summary": {
            "programs": 5,
            "runs": 300,
            "failures": 0,
            "status": {"clean": 4, "not_runnable": 1},
        },
    }
    line = readme.dynamic(rep)
    assert line.startswith("0 soundness failures in 300 runs of 5 bcf-accepted")
    assert "(4 clean, 1 not executed)" in line
    assert "not run" in readme.dynamic(None)
    claim = next(
        c
        for c in readme.claims(ResultSet([]), ["stock"], [], None, rep)
        if c.file_key == "soundness"
    )
    assert claim.here == line


def test_readme_soundness_line_counts_unsafe_acceptances() -> None:
    from bcfpipe.aggregate import readme

    truth = {
        "summary": "3/3 stock verdicts agree with the ground truth; 1 unsafe programs accepted",
        "by_project": [
            {
                "project": "adversarial",
                "variant": "bcf",
                "programs": 5,
                "unsafe": 5,
                "unsafe_accepted": 0,
                "safe": 0,
                "safe_loaded": 0,
            },
            {
                "project": "patterns",
                "variant": "bcf",
                "programs": 4,
                "unsafe": 2,
                "unsafe_accepted": 1,
                "safe": 2,
                "safe_loaded": 2,
            },
            {
                "project": "patterns",
                "variant": "stock",
                "programs": 4,
                "unsafe": 2,
                "unsafe_accepted": 0,
                "safe": 2,
                "safe_loaded": 0,
            },
        ],
    }
    line = readme.soundness(truth)
    assert "bcf: 1 of 7 unsafe program variants accepted" in line
    assert "stock: 0 of 2 unsafe program variants accepted" in line
    assert "bcf, all-unsafe projects: 0 of 5 accepted" in line
    assert "every unsafe program" in readme.soundness(None)


def test_figure8_leaves_zero_check_times_off_the_log_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check faster than the guest clock's step reads 0 ns: counted in the title, never drawn
    at a made-up 1e-9 that stretches the log axis over eight decades."""
    import shutil

    from bcfpipe.aggregate import plots

    loads = tmp_path / "loads"
    shutil.copytree(LOADS, loads)
    zeroed = 0
    for p in sorted((loads / "bcf").glob("*/*.json")):
        data = json.loads(p.read_text())
        for prog in data["programs"]:
            for r in prog.get("refinements", []):
                if r.get("check_ns") and zeroed < 2:
                    r["check_ns"] = 0
                    zeroed += 1
        p.write_text(json.dumps(data))
    assert zeroed == 2
    rs = read_results(result_paths(INDEX, loads, ["stock", "bcf"]))
    figs = []
    monkeypatch.setattr(plots, "_save", lambda fig, *a: figs.append(fig))
    plots.figure8(rs, ["bcf"], ["stock", "bcf"], tmp_path / "f.pdf", tmp_path / "f.png", "p")
    (_, a_time), (_, a_scatter) = figs[0].axes[0:2], figs[0].axes[2:4]
    assert "2 at 0 µs (below the guest clock's step), not drawn" in a_time.get_title()
    assert a_time.get_xlim()[0] > 1e-3
    assert a_scatter.get_ylim()[0] > 1e-3


def test_a_certificate_checked_once_for_many_paths_counts_once() -> None:
    """0011: the kernel checks a certificate once per load and reuses it for every path with the
    same condition (``cached``): no check time of its own, its proof time counted once."""
    import dataclasses

    from bcfpipe.aggregate.results import Program, Refinement

    first = Refinement("path", 7, 10, 100, 50, 4000, 0.5, 1)
    again = dataclasses.replace(first, check_ns=0, cached=True)
    prog = Program(
        variant="bcf",
        project="p",
        object="o.o",
        group="o",
        compiler="clang-19",
        opt="-O2",
        name="f",
        verdict="loaded",
        category="",
        error_line="",
        error_normalized="",
        insns=100,
        total_states=1,
        peak_states=1,
        vtime_us=1_000_000,
        load_ns=1,
        refinements=(first, again, again),
    )
    metric = {m.name: m for m in paper.TABLE2}
    assert metric["certificate check time"].values([prog]) == [4.0]
    assert metric["proof time / verification time"].values([prog]) == [50.0]
    assert metric["refinements per program"].values([prog]) == [3.0]


def test_veristat_rows_are_what_veristat_parses() -> None:
    from bcfpipe.aggregate.results import ResultSet

    data = raw("stock")[0]
    data = dict(data, project="p,q", object="a,b.o")
    first = dict(data["programs"][0], name="x,y", verdict="compat_issue")
    first.update(insns_processed=None, total_states=None, verification_time_us=None)
    unnamed = dict(first, name="")
    data["programs"] = [first, unnamed]
    t = tables.veristat(ResultSet([parse_result(data, "a")]), "stock")
    assert t.columns[:3] == ["file_name", "prog_name", "verdict"]
    # one row: the unnamed failure cannot be joined by name, and the notes say so
    assert t.rows == [["p_q/a_b.o", "x_y", "failure", 0, 0, 0, *t.rows[0][6:]]]
    assert all(isinstance(v, int) for v in t.rows[0][3:])
    assert any("without a program name" in n for n in t.notes)


def test_a_table_with_missing_cells_reads_back_as_empty(tmp_path: Path) -> None:
    from bcfpipe.aggregate.table import Table, frame

    t = Table("T", frame(["a", "b"], [[1, None], [None, 2.5]]))
    assert t.rows == [[1, None], [None, 2.5]]
    write_table(t, tmp_path / "t", "P")
    assert (tmp_path / "t.csv").read_text() == "a,b\n1,\n,2.5\n"
    assert read_csv(tmp_path / "t.csv") == ("P", [{"a": "1", "b": ""}, {"a": "", "b": "2.5"}])
    with pytest.raises(ValueError, match="no provenance sidecar"):
        read_csv(tmp_path / "missing.csv")


def test_bcf_outcomes_count_each_stock_rejection_once(rs) -> None:  # type: ignore[no-untyped-def]
    t = paper.bcf_outcomes(rs, ["bcf"], ["stock", "bcf"])
    stock = {(r["project"], r["object"]): r["verdict"] for r in raw("stock")}
    bcf = {(r["project"], r["object"]): r.get("bcf") for r in raw("bcf")}
    expect: Counter[tuple[str, str]] = Counter()
    for key, verdict in stock.items():
        if verdict == "rejected" and key in bcf:
            rec = bcf[key]
            label = "no record" if rec is None else rec["outcome"]
            # results written before 2026-12-06: round_limit is budget (rounds)
            label = "budget (rounds)" if label == "round_limit" else label
            expect[(key[0], label)] += 1
            expect[("all", label)] += 1
    got: Counter[tuple[str, str]] = Counter()
    cols = t.columns
    n_out = len(cols) - len(paper.REPLAY_COLUMNS)
    assert cols[n_out:] == paper.REPLAY_COLUMNS
    for row in t.rows:
        for col, n in zip(cols[3:n_out], row[3:n_out], strict=True):
            if n:
                got[(row[1], col)] += n
        assert row[2] == sum(row[3:n_out])
        # the replay columns split the refuted objects (those replayed)
        assert sum(row[n_out:]) <= row[cols.index("refuted")]
    assert got == expect and expect[("all", "budget (rounds)")] == 1
    assert [r[1] for r in t.rows][-1] == "all"


def test_bcf_outcomes_count_the_replays_of_refuted_objects(rs) -> None:  # type: ignore[no-untyped-def]
    """A refuted object's replay verdict (result["bcf"]["replay"]) lands in its column; one
    written before the replay existed counts in none."""
    verdicts = ["reproduced", "diverged", None]
    objects, expect = [], Counter()
    k = 0
    for o in rs.objects:
        if o.variant == "bcf" and (o.bcf or {}).get("outcome") == "refuted":
            verdict = verdicts[k % 3]
            k += 1
            if verdict:
                o = dataclasses.replace(o, bcf={**o.bcf, "replay": verdict})
                expect[(o.project, f"refuted: {verdict}")] += 1
                expect[("all", f"refuted: {verdict}")] += 1
        objects.append(o)
    assert k >= 2, "the fixtures need refuted objects"
    t = paper.bcf_outcomes(ResultSet(objects), ["bcf"], ["stock", "bcf"])
    got = Counter()
    for row in t.rows:
        for col in paper.REPLAY_COLUMNS:
            if n := row[t.columns.index(col)]:
                got[(row[1], col)] += n
    assert got == expect


def test_round_limit_of_older_results_reads_as_budget_rounds() -> None:
    data = next(r for r in raw("bcf") if (r.get("bcf") or {}).get("outcome") == "round_limit")
    o = parse_result(data, "old.json")
    assert o.bcf is not None and (o.bcf["outcome"], o.bcf["budget"]) == ("budget", "rounds")
