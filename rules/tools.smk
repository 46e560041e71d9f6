# Tools built from source for some variants: cvc5 with the paper's solver patch, which the paper's
# bpftool runs inside the guest (variants with loader 'bpftool' and bcf true).
CVC5 = config["tools"]["cvc5"]


def get_cvc5_patch_tree(wildcards):
    return [f"{RESULTS}/sources/{CVC5['patch_source']}.tree.json"] if CVC5["patch_source"] else []


if CVC5["source"]:

    rule build_cvc5:
        input:
            source=f"{RESULTS}/sources/{CVC5['source']}.tree.json",
            patch_tree=get_cvc5_patch_tree,
        output:
            binary=f"{RESULTS}/tools/cvc5/cvc5",
            info=f"{RESULTS}/tools/cvc5/build.json",
        log:
            f"{RESULTS}/logs/build_cvc5.log",
        benchmark:
            f"{RESULTS}/benchmarks/build_cvc5.tsv"
        threads: workflow.cores
        resources:
            downloads=1,
        params:
            work=f"{WORK}/cvc5",
            jobs=lambda wc, threads: CVC5["make_jobs"] or threads,
            args=lambda wc, input: shlex.join(
                (["--patch-tree", input.patch_tree[0]] if input.patch_tree else [])
                + [a for p in CVC5["patches"] for a in ("--patch", p)]
                + [f"--configure-arg={c}" for c in CVC5["configure"]]
                + ["--require-help", CVC5["require_help"]]
            ),
        shell:
            "{BCFPIPE} build-cvc5 --source {input.source} {params.args} --jobs {params.jobs} "
            "--work {params.work} --out {output.binary} --info {output.info} > {log} 2> >(tee -a {log} >&2)"
