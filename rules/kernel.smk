rule patch_kernel:
    input:
        source=variant_source,
        series=get_series_files,
        patch_tree=get_patch_tree,
    output:
        f"{RESULTS}/kernel/{{variant}}/patched.json",
    log:
        f"{RESULTS}/logs/patch_kernel/{{variant}}.log",
    resources:
        mem_mb=2000,
    params:
        series=lambda wc: (
            str(BASE / "patches" / "linux" / KERNELS[wc.variant]["series"])
            if KERNELS[wc.variant]["series"]
            else ""
        ),
        tree=KTREE,
        state=f"{KTREE}.state.json",
        keep=KBUILD_NAME,
        sets=get_patch_set_args,
    shell:
        "{BCFPIPE} patch-tree --variant {wildcards.variant} --source {input.source} "
        "--series={params.series:q} {params.sets} --tree {params.tree} --keep {params.keep} "
        "--state {params.state} "
        "--out {output} > {log} 2> >(tee -a {log} >&2)"


rule configure_kernel:
    input:
        patched=rules.patch_kernel.output,
        fragments=get_fragments,
    output:
        f"{RESULTS}/kernel/{{variant}}/config",
    log:
        f"{RESULTS}/logs/configure_kernel/{{variant}}.log",
    resources:
        mem_mb=2000,
    params:
        build=KBUILD,
        fragments=lambda wc, input: " ".join(f"--fragment {f}" for f in input.fragments),
        required=config["kernel"]["required_options"],
        ccache=config["kernel"]["ccache"],
    shell:
        "{BCFPIPE} configure-kernel --patched {input.patched} --build {params.build} "
        "--work {WORK} --ccache {params.ccache} {params.fragments} "
        "--required {params.required} --out {output} > {log} 2> >(tee -a {log} >&2)"


def build_seed(wildcards):
    """The baseline's finished build, which a variant's first build starts from (seed_builds)."""
    v = wildcards.variant
    base = KERNELS.get(BASELINE)
    if not config["kernel"]["seed_builds"] or v == BASELINE or base is None:
        return {}
    if KERNELS[v]["source"] != base["source"]:
        return {}
    # ancient: a newer baseline build alone does not make the variant's outdated (a baseline
    # job that has to run still does: Snakemake reruns what consumes a rerun job's output).
    return {
        "seed": ancient(f"{RESULTS}/kernel/{BASELINE}/build.json"),
        "seed_patched": ancient(f"{RESULTS}/kernel/{BASELINE}/patched.json"),
    }


def seed_args(wildcards, input):
    if "seed" not in input.keys():
        return ""
    return f"--seed-build {KBUILD.format(variant=BASELINE)} --seed-patched {input.seed_patched}"


rule build_kernel:
    input:
        unpack(build_seed),
        patched=rules.patch_kernel.output,
        config=rules.configure_kernel.output,
    output:
        image=f"{RESULTS}/kernel/{{variant}}/bzImage",
        info=f"{RESULTS}/kernel/{{variant}}/build.json",
    log:
        f"{RESULTS}/logs/build_kernel/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/build_kernel/{{variant}}.tsv"
    threads: workflow.cores
    resources:
        mem_mb=8000,
        runtime=90,
    params:
        build=KBUILD,
        jobs=lambda wc, threads: make_jobs(threads),
        ccache=config["kernel"]["ccache"],
        make_vars=lambda wc: " ".join(
            f"--make-var {shlex.quote(v)}" for v in KERNELS[wc.variant]["make_vars"]
        ),
        seed=seed_args,
        kcflags=config["kernel"]["kcflags"],
    shell:
        "{BCFPIPE} build-kernel --patched {input.patched} --config {input.config} "
        "--build {params.build} --work {WORK} --ccache {params.ccache} --jobs {params.jobs} "
        "--kcflags={params.kcflags:q} {params.make_vars} {params.seed} "
        "--image {output.image} --out {output.info} > {log} 2> >(tee -a {log} >&2)"


rule build_tools:
    input:
        patched=rules.patch_kernel.output,
        kernel=rules.build_kernel.output.info,
    output:
        bpftool=f"{RESULTS}/kernel/{{variant}}/bpftool",
        include=directory(f"{RESULTS}/kernel/{{variant}}/libbpf-include"),
        libbpf=f"{RESULTS}/kernel/{{variant}}/libbpf.a",
    log:
        f"{RESULTS}/logs/build_tools/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/build_tools/{{variant}}.tsv"
    threads: workflow.cores
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        build=KBUILD,
        jobs=lambda wc, threads: make_jobs(threads),
    shell:
        "{BCFPIPE} build-tools --patched {input.patched} --build {params.build} "
        "--jobs {params.jobs} --bpftool {output.bpftool} --include {output.include} "
        "--libbpf {output.libbpf} > {log} 2> >(tee -a {log} >&2)"
