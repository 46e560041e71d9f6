from bcfpipe.corpus import objects as bcfcorpus
from bcfpipe.selftests import corpus as bcfselftests

CORPUS = config["corpus"]
CORPUS_OUT = f"{RESULTS}/corpus"


IMPORT = CORPUS["import_source"]
# Project 'selftests' (rules/selftests.smk); off for a prebuilt or imported corpus (the paper's):
# that corpus is the evaluation's own.
ST_CORPUS = CORPUS["selftests"]
ST_ON = ST_CORPUS["enabled"] and not CORPUS["prebuilt"] and not IMPORT
_STATIC = {}


def get_objects():
    """(project, object stem, path, types) of every object to load.

    Known when the DAG is built, except for a corpus imported from a fetched tree: then only after
    the corpus_index checkpoint ran, so call this from input functions only.
    """
    if IMPORT:
        with open(checkpoints.corpus_index.get().output.index) as f:
            listed = json.load(f)["imported"]
        return [(o["project"], o["object"][:-2], o["path"], o["types"]) for o in listed]
    if "objects" not in _STATIC:
        _STATIC["objects"] = corpus_objects()
    return _STATIC["objects"]


def object_info():
    # Cached: every load job asks while the DAG is planned (15,000 jobs at scale).
    if IMPORT:
        return {(p, o): (path, types) for p, o, path, types in get_objects()}
    if "info" not in _STATIC:
        _STATIC["info"] = {(p, o): (path, types) for p, o, path, types in get_objects()}
    return _STATIC["info"]


# Long file lists are given to rules through input functions, never as list literals: Snakemake
# hashes a literal list once per element while it plans a job (quadratic; with 15,000 results
# that was most of the planning time, see docs/benchmarks.md).
def get_object_files(wildcards):
    return [path for _, _, path, _ in get_objects()]


def own_sources():
    """The own corpus's sources (bcfpipe.corpus.objects.discover), read once per run."""
    if "sources" not in _STATIC:
        _STATIC["sources"] = bcfcorpus.discover(BASE / CORPUS["root"], CORPUS["projects"])
    return _STATIC["sources"]


def get_source_files(wildcards):
    if CORPUS["prebuilt"]:
        return []
    return [str(s.path) for s in own_sources()]


def corpus_objects():
    """(project, object stem, path) of every object to load, known when the DAG is built."""
    if CORPUS["prebuilt"]:
        imported = bcfcorpus.load_prebuilt(Path(CORPUS["prebuilt"]))
        return [
            (o["project"], o["object"][:-2], o["path"], o["types"]) for o in imported["objects"]
        ]
    out = []
    for src in own_sources():
        for compiler, opt in bcfcorpus.variants(src, CORPUS["compilers"], CORPUS["opt_levels"]):
            stem = f"{compiler}_{opt}_{src.name}"
            out.append((src.project, stem, f"{CORPUS_OUT}/objects/{src.project}/{stem}.o", {}))
    return out


def single_variant_names():
    """Regex of the source names compiled once (// variants: single), '' when there are none."""
    if CORPUS["prebuilt"] or IMPORT:
        return ""
    return "|".join(re.escape(s.name) for s in own_sources() if s.single)


SINGLE_NAMES = single_variant_names()
SINGLE_COMPILER, SINGLE_OPT = bcfcorpus.single_variant(CORPUS["compilers"], CORPUS["opt_levels"])


wildcard_constraints:
    project="[^/]+",
    object="[^/]+",
    name="[^/]+",


# A plain pattern rather than an input function: no Python call per job while planning.
CORPUS_SOURCE = str(BASE / CORPUS["root"] / "{project}" / "{name}.c")


if IMPORT:

    # The paper's corpus comes with the patch repository: its object list is known only after the
    # fetch, so the import is a checkpoint and the per-object jobs are planned once it has run.
    checkpoint corpus_index:
        input:
            tree=f"{RESULTS}/sources/{IMPORT}.tree.json",
        output:
            index=f"{CORPUS_OUT}/index.json",
            prog_index=f"{CORPUS_OUT}/prog_index.json",
            obj_prog_type=f"{CORPUS_OUT}/obj_prog_type.json",
            objects=directory(f"{CORPUS_OUT}/objects"),
        log:
            f"{RESULTS}/logs/corpus_index.log",
        params:
            out=lambda wc, output: Path(output.index).parent,
            dir=CORPUS["import_dir"],
        shell:
            "{BCFPIPE} corpus-import --tree {input.tree} --dir {params.dir:q} "
            "--out {params.out} > {log} 2> >(tee -a {log} >&2)"

else:

    rule corpus_headers:
        input:
            bpftool=f"{RESULTS}/kernel/{first_variant()}/bpftool",
            include=f"{RESULTS}/kernel/{first_variant()}/libbpf-include",
            info=f"{RESULTS}/kernel/{first_variant()}/build.json",
        output:
            directory(f"{CORPUS_OUT}/include"),
        log:
            f"{RESULTS}/logs/corpus_headers.log",
        params:
            vmlinux=f"{KBUILD}/vmlinux".format(variant=first_variant()),
        shell:
            "{BCFPIPE} corpus-headers --bpftool {input.bpftool} --vmlinux {params.vmlinux} "
            "--libbpf-include {input.include} --out {output} > {log} 2>&1"

    COMPILE_SOURCE = (
        "{BCFPIPE} compile-source --compiler {params.compilers} --opts={params.opts} "
        "--src {input.src} --include {input.include} --out-dir {params.out} > {log} 2>&1"
    )

    # One job per source compiles all its compiler x optimisation variants: a fifth of the jobs
    # of one per object, which is what planning a large corpus costs (docs/benchmarks.md).
    rule compile_source:
        input:
            src=CORPUS_SOURCE,
            include=rules.corpus_headers.output,
        output:
            [
                f"{CORPUS_OUT}/objects/{{project}}/{bcfcorpus.object_name(c, o, '{name}')}"
                for c in CORPUS["compilers"]
                for o in CORPUS["opt_levels"]
            ],
        log:
            f"{RESULTS}/logs/compile_source/{{project}}/{{name}}.log",
        # Up to 15 clang runs (compilers x optimisation levels); compile_slots caps them inside
        # one cluster group job (profiles/slurm).
        resources:
            runtime=5,
            compile_slots=1,
        params:
            compilers=" ".join(CORPUS["compilers"]),
            opts=",".join(CORPUS["opt_levels"]),
            out=lambda wc, output: Path(output[0]).parent,
        shell:
            COMPILE_SOURCE

    if SINGLE_NAMES:

        # Naked-asm sources: one object, whatever the compilers (bcfpipe.corpus.SINGLE).
        rule compile_source_single:
            input:
                src=CORPUS_SOURCE,
                include=rules.corpus_headers.output,
            output:
                f"{CORPUS_OUT}/objects/{{project}}/{bcfcorpus.object_name(SINGLE_COMPILER, SINGLE_OPT, '{name}')}",
            log:
                f"{RESULTS}/logs/compile_source/{{project}}/{{name}}.log",
            wildcard_constraints:
                name=SINGLE_NAMES,
            resources:
                runtime=5,
                compile_slots=1,
            params:
                compilers=SINGLE_COMPILER,
                opts=SINGLE_OPT,
                out=lambda wc, output: Path(output[0]).parent,
            shell:
                COMPILE_SOURCE

        ruleorder: compile_source_single > compile_source

    rule corpus_index:
        input:
            objects=get_object_files,
            sources=get_source_files,
        output:
            index=f"{CORPUS_OUT}/index.json",
            prog_index=f"{CORPUS_OUT}/prog_index.json",
            obj_prog_type=f"{CORPUS_OUT}/obj_prog_type.json",
        log:
            f"{RESULTS}/logs/corpus_index.log",
        params:
            # Only when set: the own corpus's job stays as it was.
            **({"prebuilt": CORPUS["prebuilt"]} if CORPUS["prebuilt"] else {}),
            out=lambda wc, output: Path(output.index).parent,
        shell:
            # A prebuilt corpus is indexed from its own prog_index.json (groups, and object
            # names that need not be <compiler>_<opt>_<name>.o), like an imported one.
            (
                "{BCFPIPE} corpus-index --prebuilt {params.prebuilt:q} "
                if CORPUS["prebuilt"]
                else "{BCFPIPE} corpus-index --source {input.sources} --object {input.objects} "
            )
            + "--out {params.out} > {log} 2>&1"
