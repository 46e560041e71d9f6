"""Aggregation subcommands: provenance manifest, per-variant tables, comparison, the paper's
tables and figures, and the results README. Each reads result JSONs through the corpus index.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bcfpipe.aggregate import paper, provenance, readme, tables
from bcfpipe.aggregate.results import ResultSet, bcf_variants, read_results
from bcfpipe.aggregate.table import write_table
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic, write_text_atomic
from bcfpipe.load.results import index_groups, result_paths


def _pairs(items: list[str] | None, flag: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PipelineError(f"{flag} takes NAME=PATH, got '{item}'")
        out[key] = value
    return out


def _results(a: argparse.Namespace) -> ResultSet:
    # The corpus index names each object's group (a prebuilt corpus's prog_index.json).
    return read_results(result_paths(a.index, a.loads, a.variant), index_groups(a.index))


def cmd_provenance_manifest(a: argparse.Namespace) -> None:
    started = time.time()
    objects = []
    for path in a.index:
        index = read_json(path)
        # The selftests index names its own objects folder; the corpus index uses corpus_objects.
        root = index.get("objects_dir")
        objects += [
            str(
                Path(root) / Path(obj).name
                if root
                else Path(a.corpus_objects) / project / Path(obj).name
            )
            for project, sources in index.get("prog_index", {}).items()
            for objs in sources.values()
            for obj in objs
        ]
    inputs = provenance.inputs(
        sources=a.source or [],
        patched=_pairs(a.patched, "--patched"),
        kernel_configs=_pairs(a.kernel_config, "--kernel-config"),
        build_infos=_pairs(a.build_info, "--build-info"),
        initrds=_pairs(a.initrd, "--initrd"),
        objects=objects,
    )
    manifest = provenance.build(
        repo=a.repo,
        config=json.loads(a.config_json),
        inputs_=inputs,
        tools=provenance.tool_versions(a.compiler or [], a.qemu, _pairs(a.bpftool, "--bpftool")),
        host=provenance.host_facts(read_json(a.accel) if a.accel else None),
        times=provenance.result_times(result_paths(a.index, a.loads, a.variant)),
        started=started,
    )
    write_json_atomic(a.out, manifest)
    print(f"manifest {manifest['id']}: {len(objects)} objects, workflow {manifest['workflow']}")


def cmd_aggregate_variant(a: argparse.Namespace) -> None:
    if len(a.variant) != 1:
        raise PipelineError(f"aggregate-variant takes one --variant, got {' '.join(a.variant)}")
    v = a.variant[0]
    rs = _results(a)
    prov = provenance.footer(a.manifest)
    out = Path(a.out_dir)
    write_table(tables.project_summary(rs, v), out / "summary", prov)
    write_table(tables.unique_rejections(rs, v), out / "unique_rejections", prov)
    write_table(tables.error_categories(rs, v), out / "categories", prov)
    write_table(tables.compiler_divergence(rs, v), out / "divergence", prov)
    write_table(tables.veristat(rs, v), out / "veristat", prov, markdown=False)
    print(f"{v}: {len(rs.objects)} objects aggregated into {out}")


def cmd_aggregate_compare(a: argparse.Namespace) -> None:
    rs = _results(a)
    write_table(
        tables.compare_variants(rs, a.variant),
        Path(a.out_dir) / "compare",
        provenance.footer(a.manifest),
    )


def cmd_aggregate_paper(a: argparse.Namespace) -> None:
    rs = _results(a)
    prov = provenance.footer(a.manifest)
    bcf = bcf_variants(rs, a.variant)
    out = Path(a.out_dir)
    write_table(paper.acceptance(rs, bcf, a.variant), out / "acceptance", prov)
    write_table(paper.bcf_outcomes(rs, bcf, a.variant), out / "bcf_outcomes", prov)
    write_table(paper.table2(rs, bcf, a.variant), out / "table2", prov)
    write_table(paper.load_time(rs, a.variant), out / "load_time", prov)


def cmd_aggregate_figures(a: argparse.Namespace) -> None:
    from bcfpipe.aggregate import plots  # matplotlib only where figures are drawn

    rs = _results(a)
    prov = provenance.footer(a.manifest)
    out = Path(a.out_dir)
    plots.figure8(
        rs, bcf_variants(rs, a.variant), a.variant, out / "figure8.pdf", out / "figure8.png", prov
    )
    plots.load_time_plot(rs, a.variant, out / "load_time.pdf", out / "load_time.png", prov)


def cmd_results_readme(a: argparse.Namespace) -> None:
    rs = _results(a)
    files = _pairs(a.file, "--file")
    unknown = set(files) - set(readme.FILE_KEYS)
    if unknown:
        raise PipelineError(f"--file keys {', '.join(sorted(unknown))} are not README entries")
    truth = read_json(a.truth_json) if a.truth_json else None
    text = readme.render(
        rs,
        a.variant,
        bcf_variants(rs, a.variant),
        files,
        a.out,
        provenance.footer(a.manifest),
        truth=truth,
        validation=read_json(a.soundness_json) if a.soundness_json else None,
    )
    write_text_atomic(a.out, text)


def _common(p: argparse.ArgumentParser, manifest: bool = True) -> None:
    p.add_argument(
        "--index", nargs="+", required=True, help="corpus index.json files (list the objects)"
    )
    p.add_argument("--loads", required=True, help="results/loads directory")
    p.add_argument(
        "--variant", nargs="+", required=True, help="configured variants, baseline first"
    )
    if manifest:
        p.add_argument("--manifest", required=True, help="provenance manifest the outputs name")


def register(sub: Any) -> None:
    p = sub.add_parser("provenance-manifest", help="write the run's provenance manifest")
    _common(p, manifest=False)
    p.add_argument("--repo", default=".")
    p.add_argument("--config-json", required=True, help="the resolved configuration as JSON")
    p.add_argument("--corpus-objects", required=True, help="folder of <project>/<object>.o")
    p.add_argument(
        "--source", nargs="*", action="extend", help="results/sources/<name>.json records"
    )
    p.add_argument(
        "--patched", nargs="*", action="extend", help="VARIANT=results/kernel/<v>/patched.json"
    )
    p.add_argument(
        "--kernel-config", nargs="*", action="extend", help="VARIANT=results/kernel/<v>/config"
    )
    p.add_argument(
        "--build-info", nargs="*", action="extend", help="VARIANT=results/kernel/<v>/build.json"
    )
    p.add_argument("--initrd", nargs="*", action="extend", help="VARIANT=guest initramfs")
    p.add_argument(
        "--bpftool", nargs="*", action="extend", help="VARIANT=bpftool built for that variant"
    )
    p.add_argument("--accel", help="results/host/accel.json")
    p.add_argument(
        "--compiler", nargs="*", action="extend", help="corpus compilers whose versions to record"
    )
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_provenance_manifest)

    p = sub.add_parser("aggregate-variant", help="per-project tables of one variant")
    _common(p)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_aggregate_variant)

    p = sub.add_parser("aggregate-compare", help="variants side by side, per program")
    _common(p)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_aggregate_compare)

    p = sub.add_parser("aggregate-paper", help="acceptance summary, Table 2, load times")
    _common(p)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_aggregate_paper)

    p = sub.add_parser("aggregate-figures", help="Figure 8 and the load-time plot (PDF, PNG)")
    _common(p)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_aggregate_figures)

    p = sub.add_parser("results-readme", help="results/README.md: paper claim → file")
    _common(p)
    p.add_argument(
        "--file",
        nargs="*",
        action="extend",
        help=f"KEY=PATH, KEY one of {', '.join(readme.FILE_KEYS)}",
    )
    p.add_argument("--truth-json", help="results/tables/truth.json (unsafe programs accepted)")
    p.add_argument("--soundness-json", help="results/tables/soundness.json (dynamic validation)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_results_readme)
