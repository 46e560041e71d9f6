"""Aggregation commands end to end on the fixtures: files exist, agree, name the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas
import pytest
from PIL import Image

from bcfpipe.aggregate.table import read_csv
from bcfpipe.cli import main

FIX = Path(__file__).parent / "fixtures" / "results"
MANIFEST = {"id": "feedc0ffee123456", "workflow": {"commit": "0123456789abcdef", "dirty": True}}


def run(tmp: Path, cmd: str, variants: list[str], *extra: str) -> None:
    manifest = tmp / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST))
    args = [cmd, "--index", str(FIX / "index.json"), "--loads", str(FIX / "loads")]
    args += ["--variant", *variants, "--manifest", str(manifest), *extra]
    assert main(args) == 0


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("agg")
    for v in ("stock", "bcf"):
        run(tmp, "aggregate-variant", [v], "--out-dir", str(tmp / "tables" / v))
    both = ["stock", "bcf"]
    run(tmp, "aggregate-compare", both, "--out-dir", str(tmp / "tables"))
    run(tmp, "aggregate-paper", both, "--out-dir", str(tmp / "paper"))
    run(tmp, "aggregate-figures", both, "--out-dir", str(tmp / "paper"))
    run(
        tmp,
        "results-readme",
        both,
        "--file",
        f"table2={tmp / 'paper' / 'table2.md'}",
        f"figure8={tmp / 'paper' / 'figure8.png'}",
        "--out",
        str(tmp / "README.md"),
    )
    return tmp


def test_every_table_names_the_manifest(out: Path) -> None:
    csvs = sorted(out.rglob("*.csv"))
    assert len(csvs) == 2 * 5 + 1 + 4
    for path in csvs:
        prov, rows = read_csv(path)
        assert "id feedc0ffee123456" in prov and "0123456789ab (uncommitted changes)" in prov
        # A plain CSV: any reader takes it as it is, the provenance is in the sidecar.
        frame = pandas.read_csv(path, keep_default_na=False, dtype=str)
        assert frame.to_dict("records") == rows
        meta = json.loads(Path(f"{path}-metadata.json").read_text())
        assert meta["url"] == path.name and meta["dc:provenance"] == prov
        assert [c["name"] for c in meta["tableSchema"]["columns"]] == list(frame.columns)
        if path.stem == "veristat":
            continue  # a CSV for veristat only
        md = path.with_suffix(".md").read_text()
        assert md.rstrip().endswith(f"_provenance: {prov}_")


def test_veristat_csv_has_veristats_columns_and_integers(out: Path) -> None:
    for v in ("stock", "bcf"):
        text = (out / "tables" / v / "veristat.csv").read_text()
        header, *lines = text.splitlines()
        assert header == (
            "file_name,prog_name,verdict,duration,total_insns,total_states,peak_states,"
            "max_states_per_insn"
        )
        # veristat splits on commas without quoting and parses integers with sscanf("%ld").
        named = sum(
            1
            for p in (FIX / "loads" / v).rglob("*.json")
            for prog in json.loads(p.read_text())["programs"]
            if prog.get("name")
        )
        assert len(lines) == named
        for line in lines:
            fields = line.split(",")
            assert len(fields) == 8 and fields[2] in ("success", "failure"), line
            assert all(f.isdigit() for f in fields[3:]), line


def test_table2_csv_is_the_one_the_paper_needs(out: Path) -> None:
    _, rows = read_csv(out / "paper" / "table2.csv")
    metrics = [r["metric"] for r in rows]
    assert metrics == [
        "refinements per program",
        "symbolic track length",
        "condition size",
        "certificate check time",
        "certificate size",
        "proof time / verification time",
        "insns needing a proof / insns processed",
    ]
    size = next(r for r in rows if r["metric"] == "certificate size")
    sizes = [
        x["certificate_bytes"]
        for p in (FIX / "loads" / "bcf").glob("*/*.json")
        for prog in json.loads(p.read_text())["programs"]
        for x in prog["refinements"]
    ]
    assert (int(size["n"]), float(size["min"]), float(size["max"])) == (
        len(sizes),
        min(sizes),
        max(sizes),
    )


def test_figures_are_real_images_with_provenance(out: Path) -> None:
    for stem in ("figure8", "load_time"):
        png = out / "paper" / f"{stem}.png"
        img = Image.open(png)
        assert img.size[0] >= 1000 and img.size[1] >= 600
        assert "feedc0ffee123456" in img.text["Source"]  # type: ignore[attr-defined]
        assert (out / "paper" / f"{stem}.pdf").read_bytes().startswith(b"%PDF")


def test_readme_maps_claims_to_files(out: Path) -> None:
    text = (out / "README.md").read_text()
    assert "[`paper/table2.md`](paper/table2.md)" in text
    assert "403 of 512" in text
    assert "bcf: 5 of 10 stock rejections load (50.0%)" in text
    # Files the caller did not pass are marked, not invented.
    assert "(not produced by this workflow's configuration)" in text


def test_stock_only_run_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    # bcf results exist in the fixtures, so point a stock-only run at a copy without them.
    only = tmp_path / "only"
    (only / "loads").mkdir(parents=True)
    (only / "loads" / "stock").symlink_to(FIX / "loads" / "stock")
    args = ["--index", str(FIX / "index.json"), "--loads", str(only / "loads")]
    args += ["--manifest", str(tmp_path / "manifest.json"), "--out-dir", str(only)]
    assert main(["aggregate-paper", *args, "--variant", "stock"]) == 0
    assert main(["aggregate-figures", *args, "--variant", "stock"]) == 0
    assert main(["aggregate-compare", *args, "--variant", "stock", "bcf"]) == 0
    _, rows = read_csv(only / "acceptance.csv")
    assert list(rows[0]) == ["note"] and "No BCF variant has run" in rows[0]["note"]
    assert "No BCF variant has run" in (only / "table2.md").read_text()
    assert (
        "Only stock ran (bcf configured but without results)" in (only / "compare.md").read_text()
    )
    assert Image.open(only / "figure8.png").size[0] > 0


def test_bad_pair_argument_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.json").write_text(json.dumps(MANIFEST))
    rc = main(
        [
            "results-readme",
            "--index",
            str(FIX / "index.json"),
            "--loads",
            str(FIX / "loads"),
            "--variant",
            "stock",
            "--manifest",
            str(tmp_path / "m.json"),
            "--file",
            "nonsense",
            "--out",
            str(tmp_path / "R.md"),
        ]
    )
    assert rc == 1
    assert "--file takes NAME=PATH" in capsys.readouterr().err


def test_repeated_key_value_flags_accumulate() -> None:
    """Rules pass one `--file KEY=PATH` (or `--patched V=PATH`) per item; none may be dropped."""
    from bcfpipe.cli import build_parser

    args = build_parser().parse_args(
        [
            "results-readme",
            "--index",
            "i",
            "--loads",
            "l",
            "--variant",
            "stock",
            "bcf",
            "--manifest",
            "m",
            "--file",
            "summary=a.md",
            "--file",
            "truth=t.md",
            "--out",
            "o",
        ]
    )
    assert args.file == ["summary=a.md", "truth=t.md"]
    args = build_parser().parse_args(
        [
            "provenance-manifest",
            "--index",
            "i",
            "--loads",
            "l",
            "--variant",
            "stock",
            "bcf",
            "--config-json",
            "{}",
            "--corpus-objects",
            "c",
            "--patched",
            "stock=a.json",
            "--patched",
            "bcf=b.json",
            "--out",
            "o",
        ]
    )
    assert args.patched == ["stock=a.json", "bcf=b.json"]
