LOAD = config["load"]
# Objects of a prebuilt or imported corpus: their paths and program types come from its index.
TYPED = bool(CORPUS["prebuilt"] or IMPORT)


def get_object_path(wildcards):
    key = (wildcards.project, wildcards.object)
    info = object_info()
    if key not in info:
        raise WorkflowError(
            f"{wildcards.project}/{wildcards.object} is not an object of the corpus"
        )
    return info[key][0]


def get_selftest_object(wildcards):
    return f"{checkpoints.selftests_corpus.get().output[0]}/objects/{wildcards.object}.o"


def types_arg(types):
    # Never empty: an empty word would vanish from a quoted list of several objects.
    return json.dumps(types or {}, sort_keys=True)


def get_object_types(wildcards):
    return types_arg(object_info()[(wildcards.project, wildcards.object)][1])


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


def load_command(project="{wildcards.project}"):
    # Everything common to a variant's loads is in its VM spec: each placeholder here is
    # formatted again for every job planned.
    return (
        f"{{BCFPIPE}} load-objects --vm {{input.vm}} --project {project} --object {{input.obj}} "
        "--out {output.json} --log {output.log} "
        + ("--types {params.types:q} " if TYPED else "")
        + f"--cert-store {CERT_STORE} "
        + "> {log} 2>&1"
    )


# Snakemake evaluates a rule's shell expression again when the job runs, after the loop below
# has moved on: the batch rules' command is one constant, and what differs goes into params.
BATCH_COMMAND = load_command("{params.project}")


rule load_object:
    input:
        vm=rules.vm_spec.output,
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
    wildcard_constraints:
        # Project 'selftests' (objects known after a checkpoint) is load_selftest_object's, or
        # this rule's alone when batch rules load every other object.
        project=(
            bcfselftests.PROJECT
            if BATCHED
            else f"(?!{bcfselftests.PROJECT}/)[^/]+" if ST_ON else "[^/]+"
        ),
    resources:
        vm_slots=1,
        mem_mb=VM_MEM_MB,
        runtime=5,
    params:
        types=get_object_types if TYPED else "",
    shell:
        load_command()


if ST_ON and not BATCHED:

    use rule load_object as load_selftest_object with:
        input:
            vm=rules.vm_spec.output,
            obj=get_selftest_object,
        wildcard_constraints:
            project=bcfselftests.PROJECT,


# One rule per variant and batch, without wildcards: Snakemake finds the producer of a result by
# its full path then, however many batches there are (a wildcard would make every lookup scan
# every batch's outputs).
_BATCHES = (
    bcfplan.load_batches(
        [(p, o, path) for p, o, path, _ in get_objects()],
        LOAD["batch_size"],
        first=set(config["corpus"]["kick_tires"]),
    )
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
                vm=expand(rules.vm_spec.output[0], variant=_v),
                obj=[path for _, path in _b.objects],
            output:
                json=[f"{RESULTS}/loads/{_v}/{_b.project}/{o}.json" for o in _names],
                log=[f"{RESULTS}/loads/{_v}/{_b.project}/{o}.log" for o in _names],
            log:
                f"{RESULTS}/logs/load_batch/{_v}/{_b.name}.log",
            # On a cluster several batches share one job (profiles/slurm: group-components);
            # a local run ignores groups.
            group:
                "vm_batches"
            resources:
                vm_slots=1,
                # load_object's, with the runtime of the whole batch.
                runtime=5 * len(_names),
                mem_mb=VM_MEM_MB,
            params:
                project=_b.project,
                types=[types_arg(object_info()[(_b.project, o)][1]) for o in _names],
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
    resources:
        mem_mb=AGG_MEM_MB,
    params:
        # Read from the folder, not the command line, which cannot hold thousands of paths.
        variants=" ".join(VARIANTS),
        loads=f"{RESULTS}/loads",
    shell:
        "{BCFPIPE} truth-report --index {input.index} --loads {params.loads} "
        "--variant {params.variants} --out-json {output.json} --out-md {output.md} > {log} 2>&1"


def kick_tires_results(wildcards=None):
    wanted = set(config["corpus"]["kick_tires"])
    return [r for v in VARIANTS for r in load_results(v, wanted)]


def kick_tires_sources(wildcards):
    """The corpus sources of the kick_tires objects: their // truth: lines are the expectations."""
    if CORPUS["prebuilt"] or IMPORT:
        return []
    wanted = set(config["corpus"]["kick_tires"])
    return sorted(
        str(src.path)
        for src in own_sources()
        if any(
            f"{src.project}/{bcfcorpus.object_name(c, o, src.name)[:-2]}" in wanted
            for c, o in bcfcorpus.variants(src, CORPUS["compilers"], CORPUS["opt_levels"])
        )
    )


# The kick_tires target's last step: its objects' verdicts against what they should be, as a table
# written to results/tables/kick_tires.md and printed (bcfpipe/load/kicktires.py).
rule kick_tires_report:
    input:
        results=kick_tires_results,
        sources=kick_tires_sources,
    output:
        f"{RESULTS}/tables/kick_tires.md",
    log:
        f"{RESULTS}/logs/kick_tires_report.log",
    params:
        bcf=" ".join(v for v in VARIANTS if VARIANTS[v]["bcf"]),
        order=" ".join(VARIANTS),
    shell:
        "{BCFPIPE} kick-tires-report --result {input.results} --source {input.sources} "
        "--bcf-variant {params.bcf} --variant-order {params.order} --out {output} > {log} 2>&1 "
        "&& cat {output}"
