# Aggregation: result JSONs → per-variant tables, variants side by side, the paper's outputs
# (acceptance, Table 2, Figure 8, load times), the provenance manifest and results/README.md.
# Every output names the manifest; `snakemake --report` collects them on one page.
from bcfpipe.aggregate import provenance as bcfprov

TABLES = f"{RESULTS}/tables"
PAPER = f"{RESULTS}/paper"
MANIFEST = f"{RESULTS}/provenance/manifest.json"
# Baseline first: every comparison is against it.
AGG_VARIANTS = sorted(VARIANTS, key=lambda v: (v != BASELINE, list(VARIANTS).index(v)))
CORPUS_OBJECTS = CORPUS["prebuilt"] or f"{CORPUS_OUT}/objects"
# A param, so a new commit (or a tree turning dirty) regenerates the manifest and what names it.
WORKFLOW_STATE = (lambda s: f"{s['commit']} dirty={s['dirty']}")(bcfprov.git_state(BASE))
# What every aggregation command reads: the results folder and the variants (the indexes are
# inputs); "--loads {params.loads} --variant {params.agg_variants}" in the commands.
AGG_PARAMS = {"loads": f"{RESULTS}/loads", "agg_variants": " ".join(AGG_VARIANTS)}
VARIANT_TABLES = ("summary", "unique_rejections", "categories", "divergence")
# Every CSV has a sidecar naming its provenance (and notes): <table>.csv-metadata.json.
CSV_META = "-metadata.json"
PAPER_TABLES = ("acceptance", "bcf_outcomes", "table2", "load_time")


report: "../report/workflow.rst"


def get_all_results(wildcards):
    return loads_records(AGG_VARIANTS)


def pairs(flag, template):
    return " ".join(f"{flag} {v}={template.format(v=v)}" for v in AGG_VARIANTS)


def table_report(stem, caption, category, subcategory=None):
    return report(
        f"{stem}.csv",
        caption=f"../report/{caption}.rst",
        category=category,
        subcategory=subcategory,
    )


rule provenance_manifest:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=get_all_results,
        sources=sorted({f"{RESULTS}/sources/{v['source']}.json" for v in VARIANTS.values()}),
        patched=expand(f"{RESULTS}/kernel/{{v}}/patched.json", v=AGG_VARIANTS),
        kconfig=expand(f"{RESULTS}/kernel/{{v}}/config", v=AGG_VARIANTS),
        build_info=expand(f"{RESULTS}/kernel/{{v}}/build.json", v=AGG_VARIANTS),
        initrd=expand(f"{RESULTS}/guest/{{v}}/initramfs.cpio", v=AGG_VARIANTS),
        bpftool=expand(f"{RESULTS}/kernel/{{v}}/bpftool", v=AGG_VARIANTS),
        accel=rules.probe_accel.output,
    output:
        report(MANIFEST, caption="../report/manifest.rst", category="Provenance"),
    log:
        f"{RESULTS}/logs/provenance_manifest.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        **AGG_PARAMS,
        config=json.dumps(config, sort_keys=True),
        repo=str(BASE),
        corpus_objects=CORPUS_OBJECTS,
        workflow=WORKFLOW_STATE,
        variants=pairs("--patched", f"{RESULTS}/kernel/{{v}}/patched.json")
        + " "
        + pairs("--kernel-config", f"{RESULTS}/kernel/{{v}}/config")
        + " "
        + pairs("--build-info", f"{RESULTS}/kernel/{{v}}/build.json")
        + " "
        + pairs("--initrd", f"{RESULTS}/guest/{{v}}/initramfs.cpio")
        + " "
        + pairs("--bpftool", f"{RESULTS}/kernel/{{v}}/bpftool"),
        compilers=CORPUS["compilers"],
        qemu=GUEST["qemu"],
    shell:
        "{BCFPIPE} provenance-manifest --index {input.index} {input.st_index} "
        "--loads {params.loads} --variant {params.agg_variants} --repo {params.repo} "
        "--config-json {params.config:q} --corpus-objects {params.corpus_objects} "
        "--source {input.sources} {params.variants} --accel {input.accel} "
        "--compiler {params.compilers} --qemu {params.qemu} --out {output} > {log} 2>&1"


rule tables_variant:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=rules.collect_loads.output,
        manifest=MANIFEST,
    output:
        summary=table_report(f"{TABLES}/{{variant}}/summary", "summary", "Tables", "{variant}"),
        unique=table_report(
            f"{TABLES}/{{variant}}/unique_rejections", "unique", "Tables", "{variant}"
        ),
        categories=table_report(
            f"{TABLES}/{{variant}}/categories", "categories", "Tables", "{variant}"
        ),
        divergence=table_report(
            f"{TABLES}/{{variant}}/divergence", "divergence", "Tables", "{variant}"
        ),
        md=[f"{TABLES}/{{variant}}/{t}.md" for t in VARIANT_TABLES],
        veristat=f"{TABLES}/{{variant}}/veristat.csv",
        meta=[f"{TABLES}/{{variant}}/{t}.csv{CSV_META}" for t in (*VARIANT_TABLES, "veristat")],
    log:
        f"{RESULTS}/logs/tables_variant/{{variant}}.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        loads=AGG_PARAMS["loads"],
        out_dir=lambda wc, output: Path(output.md[0]).parent,
    shell:
        "{BCFPIPE} aggregate-variant --index {input.index} {input.st_index} --loads {params.loads} "
        "--variant {wildcards.variant} --manifest {input.manifest} "
        "--out-dir {params.out_dir} > {log} 2>&1"


rule compare_variants:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=get_all_results,
        manifest=MANIFEST,
    output:
        csv=table_report(f"{TABLES}/compare", "compare", "Variants side by side"),
        md=f"{TABLES}/compare.md",
        meta=f"{TABLES}/compare.csv{CSV_META}",
    log:
        f"{RESULTS}/logs/compare_variants.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        **AGG_PARAMS,
        out_dir=lambda wc, output: Path(output.md).parent,
    shell:
        "{BCFPIPE} aggregate-compare --index {input.index} {input.st_index} "
        "--loads {params.loads} --variant {params.agg_variants} --manifest {input.manifest} "
        "--out-dir {params.out_dir} > {log} 2>&1"


rule paper_tables:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=get_all_results,
        manifest=MANIFEST,
    output:
        acceptance=table_report(f"{PAPER}/acceptance", "acceptance", "Paper"),
        outcomes=table_report(f"{PAPER}/bcf_outcomes", "bcf_outcomes", "Paper"),
        table2=table_report(f"{PAPER}/table2", "table2", "Paper"),
        load_time=table_report(f"{PAPER}/load_time", "load_time", "Paper"),
        md=[f"{PAPER}/{t}.md" for t in PAPER_TABLES],
        meta=[f"{PAPER}/{t}.csv{CSV_META}" for t in PAPER_TABLES],
    log:
        f"{RESULTS}/logs/paper_tables.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        **AGG_PARAMS,
        out_dir=lambda wc, output: Path(output.md[0]).parent,
    shell:
        "{BCFPIPE} aggregate-paper --index {input.index} {input.st_index} "
        "--loads {params.loads} --variant {params.agg_variants} --manifest {input.manifest} "
        "--out-dir {params.out_dir} > {log} 2>&1"


rule paper_figures:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=get_all_results,
        manifest=MANIFEST,
    output:
        figure8=report(f"{PAPER}/figure8.png", caption="../report/figure8.rst", category="Paper"),
        figure8_pdf=f"{PAPER}/figure8.pdf",
        load_time=report(
            f"{PAPER}/load_time.png", caption="../report/load_time_plot.rst", category="Paper"
        ),
        load_time_pdf=f"{PAPER}/load_time.pdf",
    log:
        f"{RESULTS}/logs/paper_figures.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        **AGG_PARAMS,
        out_dir=lambda wc, output: Path(output.figure8_pdf).parent,
    shell:
        "{BCFPIPE} aggregate-figures --index {input.index} {input.st_index} "
        "--loads {params.loads} --variant {params.agg_variants} --manifest {input.manifest} "
        "--out-dir {params.out_dir} > {log} 2>&1"


def get_aggregate_output():
    return (
        [MANIFEST, f"{TABLES}/compare.csv", f"{TABLES}/compare.md", f"{RESULTS}/README.md"]
        + [f"{TABLES}/compare.csv{CSV_META}"]
        + [
            f"{TABLES}/{v}/{t}.{ext}"
            for v in AGG_VARIANTS
            for t in VARIANT_TABLES
            for ext in ("csv", "md", f"csv{CSV_META}")
        ]
        + [
            f"{TABLES}/{v}/veristat.{ext}"
            for v in AGG_VARIANTS
            for ext in ("csv", f"csv{CSV_META}")
        ]
        + [f"{PAPER}/{t}.{ext}" for t in PAPER_TABLES for ext in ("csv", "md", f"csv{CSV_META}")]
        + [f"{PAPER}/{f}.{ext}" for f in ("figure8", "load_time") for ext in ("pdf", "png")]
    )


rule results_readme:
    input:
        index=rules.corpus_index.output.index,
        st_index=selftest_index,
        results=get_all_results,
        manifest=MANIFEST,
        summary=f"{TABLES}/{AGG_VARIANTS[0]}/summary.md",
        unique=f"{TABLES}/{AGG_VARIANTS[0]}/unique_rejections.md",
        categories=f"{TABLES}/{AGG_VARIANTS[0]}/categories.md",
        divergence=f"{TABLES}/{AGG_VARIANTS[0]}/divergence.md",
        compare=rules.compare_variants.output.md,
        acceptance=f"{PAPER}/acceptance.md",
        table2=f"{PAPER}/table2.md",
        load_time=f"{PAPER}/load_time.md",
        figure8=rules.paper_figures.output.figure8,
        load_time_plot=rules.paper_figures.output.load_time,
        truth=rules.truth_report.output.md,
        truth_json=rules.truth_report.output.json,
        # The dynamic validation's table (rules/validate.smk), when a validation kernel is set.
        soundness=lambda wc: validation_output(),
        soundness_json=lambda wc: (
            [f"{RESULTS}/tables/soundness.json"] if validation_output() else []
        ),
    output:
        report(f"{RESULTS}/README.md", caption="../report/readme.rst", category="Provenance"),
    log:
        f"{RESULTS}/logs/results_readme.log",
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        **AGG_PARAMS,
        files=lambda wc, input: " ".join(
            f"--file {k}={input[k]}"
            for k in (
                "summary",
                "unique",
                "categories",
                "divergence",
                "compare",
                "acceptance",
                "table2",
                "figure8",
                "load_time",
                "load_time_plot",
                "truth",
                "manifest",
            )
        )
        + "".join(f" --file soundness={p}" for p in input.soundness)
        + "".join(f" --soundness-json {p}" for p in input.soundness_json),
    shell:
        "{BCFPIPE} results-readme --index {input.index} {input.st_index} "
        "--loads {params.loads} --variant {params.agg_variants} --manifest {input.manifest} "
        "{params.files} --truth-json {input.truth_json} --out {output} > {log} 2>&1"
