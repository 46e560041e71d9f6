LOAD = config["load"]


def get_object_path(wildcards):
    if ST_ON and wildcards.project == bcfselftests.PROJECT:
        return f"{checkpoints.selftests_corpus.get().output[0]}/objects/{wildcards.object}.o"
    key = (wildcards.project, wildcards.object)
    info = object_info()
    if key not in info:
        raise WorkflowError(f"{wildcards.project}/{wildcards.object} is not an object of the corpus")
    return info[key][0]


def get_object_types(wildcards):
    if ST_ON and wildcards.project == bcfselftests.PROJECT:
        return ""  # section names say it
    types = object_info()[(wildcards.project, wildcards.object)][1]
    return json.dumps(types, sort_keys=True) if types else ""


def bcf_args(v):
    """How the VM job loads: the project's loader (with the host-side certificate loop for BCF
    variants), or the paper's bpftool loop with the solver in the guest."""
    if v["loader"] == "bpftool":
        return "--loader bpftool" + (" --prover" if v["bcf"] else "")
    if v["bcf"]:
        return (
            f"--bcf --bcf-rounds {LOAD['bcf_rounds']} "
            f"--bcf-prove-seconds {LOAD['bcf_prove_seconds']}"
        )
    return ""


rule build_loader:
    input:
        src=str(BASE / "guest" / "bcfpipe-load.c"),
        include=rules.build_tools.output.include,
        libbpf=rules.build_tools.output.libbpf,
    output:
        f"{RESULTS}/kernel/{{variant}}/bcfpipe-load",
    log:
        f"{RESULTS}/logs/build_loader/{{variant}}.log",
    shell:
        "{BCFPIPE} build-loader --src {input.src} --include {input.include} "
        "--libbpf {input.libbpf} --out {output} > {log} 2>&1"


rule load_object:
    input:
        kernel=rules.build_kernel.output.image,
        initrd=rules.build_guest.output,
        accel=rules.probe_accel.output,
        # A plain pattern when every object is a compiled one of the own corpus: no Python call
        # per job while planning. Prebuilt, imported and selftest objects live elsewhere.
        obj=(
            get_object_path
            if CORPUS["prebuilt"] or IMPORT or ST_ON
            else f"{CORPUS_OUT}/objects/{{project}}/{{object}}.o"
        ),
    output:
        json=f"{RESULTS}/loads/{{variant}}/{{project}}/{{object}}.json",
        log=f"{RESULTS}/loads/{{variant}}/{{project}}/{{object}}.log",
    log:
        f"{RESULTS}/logs/load_object/{{variant}}/{{project}}/{{object}}.log",
    params:
        types=get_object_types if CORPUS["prebuilt"] or IMPORT else "",
        vm=vm_args(),
        object_timeout=LOAD["object_timeout_s"],
        bcf=lambda wc: bcf_args(VARIANTS[wc.variant]),
    resources:
        vm_slots=1,
    shell:
        "{BCFPIPE} load-objects --variant {wildcards.variant} --kernel {input.kernel} "
        "--initrd {input.initrd} --accel {input.accel} --object {input.obj} "
        "--project {wildcards.project} --types={params.types:q} --out {output.json} "
        "--log {output.log} {params.vm} --object-timeout {params.object_timeout} {params.bcf} > {log} 2>&1"


def load_results(variant, objects=None):
    return [
        f"{RESULTS}/loads/{variant}/{p}/{o}.json"
        for p, o, _, _ in get_objects()
        if objects is None or f"{p}/{o}" in objects
    ]


def get_variant_load_results(wildcards):
    return load_results(wildcards.variant) + selftest_results(wildcards.variant)


LOADS_RECORD = f"{RESULTS}/provenance/loads/{{variant}}.json"


# One small record per variant stands for its thousands of result files: everything downstream
# depends on it, not on each result, which keeps planning linear and fast (docs/benchmarks.md).
rule collect_loads:
    input:
        index=rules.corpus_index.output.index,
        results=get_variant_load_results,
    output:
        LOADS_RECORD,
    log:
        f"{RESULTS}/logs/collect_loads/{{variant}}.log",
    params:
        loads=f"{RESULTS}/loads",
    shell:
        "{BCFPIPE} collect-loads --index {input.index} --loads {params.loads} "
        "--variant {wildcards.variant} --out {output} > {log} 2>&1"


def loads_records(variants):
    return [LOADS_RECORD.format(variant=v) for v in variants]


rule truth_report:
    input:
        index=rules.corpus_index.output.index,
        results=loads_records(VARIANTS),
    output:
        json=f"{RESULTS}/tables/truth.json",
        md=f"{RESULTS}/tables/truth.md",
    log:
        f"{RESULTS}/logs/truth_report.log",
    params:
        # Read from the folder, not the command line, which cannot hold thousands of paths.
        variants=" ".join(VARIANTS),
    shell:
        "{BCFPIPE} truth-report --index {input.index} --loads {RESULTS}/loads "
        "--variant {params.variants} --out-json {output.json} --out-md {output.md} > {log} 2>&1"
