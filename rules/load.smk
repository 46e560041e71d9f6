LOAD = config["load"]
# Objects of a prebuilt or imported corpus: their paths and program types come from its index.
TYPED = bool(CORPUS["prebuilt"] or IMPORT)


def get_object_path(wildcards):
    key = (wildcards.project, wildcards.object)
    info = object_info()
    if key not in info:
        raise WorkflowError(f"{wildcards.project}/{wildcards.object} is not an object of the corpus")
    return info[key][0]


def get_selftest_object(wildcards):
    return f"{checkpoints.selftests_corpus.get().output[0]}/objects/{wildcards.object}.o"


def types_arg(types):
    # Never empty: an empty word would vanish from a quoted list of several objects.
    return json.dumps(types or {}, sort_keys=True)


def get_object_types(wildcards):
    return types_arg(object_info()[(wildcards.project, wildcards.object)][1])


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


# load.batch_size > 1: every object known before the run is loaded by a per-batch rule (below),
# and load_object is left with project 'selftests', whose objects a checkpoint makes.
BATCHED = LOAD["batch_size"] > 1 and not IMPORT
if LOAD["batch_size"] > 1 and IMPORT:
    print(
        "bcfpipe: load.batch_size applies to objects known before the run; the imported "
        "corpus is loaded one object per VM",
        file=sys.stderr,
    )


def load_command(variant="{wildcards.variant}", project="{wildcards.project}", vm=vm_args()):
    # Settings common to all jobs are written into the command once (a change still reruns the
    # jobs, as a changed command): each placeholder is formatted again for every job planned.
    return (
        f"{{BCFPIPE}} load-objects --variant {variant} --kernel {{input.kernel}} "
        f"--initrd {{input.initrd}} --accel {{input.accel}} --project {project} "
        "--object {input.obj} --out {output.json} --log {output.log} "
        + ("--types {params.types:q} " if TYPED else "")
        + f"{vm} --object-timeout {LOAD['object_timeout_s']} "
        + "{params.bcf} > {log} 2>&1"
    )


# Snakemake evaluates a rule's shell expression again when the job runs, after the loop below
# has moved on: the batch rules' command is one constant, and what differs goes into params.
BATCH_COMMAND = load_command("{params.variant}", "{params.project}", "{params.vm}")


rule load_object:
    input:
        kernel=rules.build_kernel.output.image,
        initrd=rules.build_guest.output,
        accel=rules.probe_accel.output,
        # A plain pattern when every object is a compiled one of the own corpus: no Python call
        # per job while planning. Prebuilt and imported objects live elsewhere.
        obj=(
            get_selftest_object
            if BATCHED
            else get_object_path if TYPED else f"{CORPUS_OUT}/objects/{{project}}/{{object}}.o"
        ),
    output:
        json=f"{RESULTS}/loads/{{variant}}/{{project}}/{{object}}.json",
        log=f"{RESULTS}/loads/{{variant}}/{{project}}/{{object}}.log",
    log:
        f"{RESULTS}/logs/load_object/{{variant}}/{{project}}/{{object}}.log",
    params:
        types=get_object_types if TYPED else "",
        bcf=lambda wc: bcf_args(VARIANTS[wc.variant]),
    resources:
        vm_slots=1,
    wildcard_constraints:
        # Project 'selftests' (objects known after a checkpoint) is load_selftest_object's, or
        # this rule's alone when batch rules load every other object.
        project=(
            bcfselftests.PROJECT
            if BATCHED
            else f"(?!{bcfselftests.PROJECT}/)[^/]+" if ST_ON else "[^/]+"
        ),
    shell:
        load_command()


if ST_ON and not BATCHED:

    use rule load_object as load_selftest_object with:
        input:
            kernel=rules.build_kernel.output.image,
            initrd=rules.build_guest.output,
            accel=rules.probe_accel.output,
            obj=get_selftest_object,
        wildcard_constraints:
            project=bcfselftests.PROJECT,


# One rule per variant and batch, without wildcards: Snakemake finds the producer of a result by
# its full path then, however many batches there are (a wildcard would make every lookup scan
# every batch's outputs).
_BATCHES = (
    bcfplan.load_batches([(p, o, path) for p, o, path, _ in get_objects()], LOAD["batch_size"])
    if BATCHED
    else []
)
for _v in VARIANTS:
    for _b in _BATCHES:
        _names = [stem for stem, _ in _b.objects]

        rule:
            name:
                re.sub(r"\W", "_", f"load_batch_{_v}_{_b.project}_{_b.index:04d}")
            input:
                kernel=expand(rules.build_kernel.output.image, variant=_v),
                initrd=expand(rules.build_guest.output[0], variant=_v),
                accel=rules.probe_accel.output,
                obj=[path for _, path in _b.objects],
            output:
                json=[f"{RESULTS}/loads/{_v}/{_b.project}/{o}.json" for o in _names],
                log=[f"{RESULTS}/loads/{_v}/{_b.project}/{o}.log" for o in _names],
            log:
                f"{RESULTS}/logs/load_batch/{_v}/{_b.name}.log",
            params:
                variant=_v,
                project=_b.project,
                vm=vm_args(GUEST["boot_timeout_s"] + len(_names) * LOAD["object_timeout_s"]),
                types=[types_arg(object_info()[(_b.project, o)][1]) for o in _names],
                bcf=bcf_args(VARIANTS[_v]),
            resources:
                vm_slots=1,
                # The SLURM profile's per-rule settings name rules; these are generated.
                runtime=5 * len(_names),
                mem_mb=2000,
            shell:
                BATCH_COMMAND


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
        loads=f"{RESULTS}/loads",
    shell:
        "{BCFPIPE} truth-report --index {input.index} --loads {params.loads} "
        "--variant {params.variants} --out-json {output.json} --out-md {output.md} > {log} 2>&1"
