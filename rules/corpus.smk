from bcfpipe import corpus as bcfcorpus

CORPUS = config["corpus"]
CORPUS_OUT = f"{RESULTS}/corpus"


IMPORT = CORPUS["import_source"]
_STATIC_OBJECTS = []


def get_objects():
    """(project, object stem, path, types) of every object to load.

    Known when the DAG is built, except for a corpus imported from a fetched tree: then only after
    the corpus_index checkpoint ran, so call this from input functions only.
    """
    if IMPORT:
        with open(checkpoints.corpus_index.get().output.index) as f:
            listed = json.load(f)["imported"]
        return [(o["project"], o["object"][:-2], o["path"], o["types"]) for o in listed]
    if not _STATIC_OBJECTS:
        _STATIC_OBJECTS.extend(corpus_objects())
    return _STATIC_OBJECTS


def object_info():
    return {(p, o): (path, types) for p, o, path, types in get_objects()}


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




wildcard_constraints:
    project="[^/]+",
    object="[^/]+",
    compiler="|".join(map(re.escape, CORPUS["compilers"])) if CORPUS["compilers"] else "[^_/]+",
    opt="-O[0-3sz]",


def get_corpus_source(wildcards):
    return str(BASE / CORPUS["root"] / wildcards.project / f"{wildcards.name}.c")


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
            out=CORPUS_OUT,
            dir=CORPUS["import_dir"],
        shell:
            "{BCFPIPE} corpus-import --tree {input.tree} --dir {params.dir:q} "
            "--out {params.out} > {log} " + TEE

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
            vmlinux=f"{WORK}/build/{first_variant()}/vmlinux",
        shell:
            "{BCFPIPE} corpus-headers --bpftool {input.bpftool} --vmlinux {params.vmlinux} "
            "--libbpf-include {input.include} --out {output} > {log} 2>&1"


    rule compile_object:
        input:
            src=get_corpus_source,
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
            objects=lambda wc: [path for _, _, path, _ in get_objects()],
            sources=[str(s.path) for s in bcfcorpus.discover(BASE / CORPUS["root"], CORPUS["projects"])]
            if not CORPUS["prebuilt"]
            else [],
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
