from bcfpipe import corpus as bcfcorpus

CORPUS = config["corpus"]
CORPUS_OUT = f"{RESULTS}/corpus"


def corpus_objects():
    """(project, object stem, path) of every object to load, known when the DAG is built."""
    if CORPUS["prebuilt"]:
        imported = bcfcorpus.load_prebuilt(Path(CORPUS["prebuilt"]))
        return [(o["project"], o["object"][:-2], o["path"], o["types"]) for o in imported["objects"]]
    out = []
    for src in bcfcorpus.discover(BASE / CORPUS["root"], CORPUS["projects"]):
        for compiler in CORPUS["compilers"]:
            for opt in CORPUS["opt_levels"]:
                stem = f"{compiler}_{opt}_{src.name}"
                out.append((src.project, stem, f"{CORPUS_OUT}/objects/{src.project}/{stem}.o", {}))
    return out


OBJECTS = corpus_objects()
OBJECT_INFO = {(p, o): (path, types) for p, o, path, types in OBJECTS}
OBJECT_FILES = [path for _, _, path, _ in OBJECTS]
SOURCE_FILES = (
    []
    if CORPUS["prebuilt"]
    else [str(s.path) for s in bcfcorpus.discover(BASE / CORPUS["root"], CORPUS["projects"])]
)


# Long file lists are given to rules through input functions, never as list literals: Snakemake
# hashes a literal list once per element while it plans a job (quadratic; with 15,000 results
# that was most of the planning time, see docs/benchmarks.md).
def get_object_files(wildcards):
    return OBJECT_FILES


def get_source_files(wildcards):
    return SOURCE_FILES


wildcard_constraints:
    project="[^/]+",
    object="[^/]+",
    compiler="|".join(map(re.escape, CORPUS["compilers"])) if CORPUS["compilers"] else "[^_/]+",
    opt="-O[0-3sz]",


# A plain pattern rather than an input function: no Python call per job while planning.
CORPUS_SOURCE = str(BASE / CORPUS["root"] / "{project}" / "{name}.c")


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
        vmlinux=f"{WORK}/build/{first_variant()}/vmlinux",
    shell:
        "{BCFPIPE} corpus-headers --bpftool {input.bpftool} --vmlinux {params.vmlinux} "
        "--libbpf-include {input.include} --out {output} > {log} 2>&1"


rule compile_object:
    input:
        src=CORPUS_SOURCE,
        include=rules.corpus_headers.output,
    output:
        f"{CORPUS_OUT}/objects/{{project}}/{{compiler}}_{{opt}}_{{name}}.o",
    log:
        f"{RESULTS}/logs/compile_object/{{project}}/{{compiler}}_{{opt}}_{{name}}.log",
    shell:
        "{BCFPIPE} compile-object --compiler {wildcards.compiler} --opt={wildcards.opt} "
        "--src {input.src} --include {input.include} --out {output} > {log} 2>&1"


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
        out=CORPUS_OUT,
    shell:
        "{BCFPIPE} corpus-index --source {input.sources} --object {input.objects} "
        "--out {params.out} > {log} 2>&1"
