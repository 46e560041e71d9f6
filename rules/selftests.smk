# The kernel's own tests: test_verifier per variant (bcfpipe/selftests/verifier.py: a patched
# verifier must pass what the stock one passes), and the selftest BPF programs as corpus project 'selftests'
# (bcfpipe/selftests/corpus.py), known only once the tree is unpacked: a checkpoint.
SELFTESTS = config["selftests"]
ST_DIR = f"{CORPUS_OUT}/selftests"


if ST_ON:

    checkpoint selftests_corpus:
        input:
            patched=f"{RESULTS}/kernel/{first_variant()}/patched.json",
            include=rules.corpus_headers.output,
        output:
            directory(ST_DIR),
        log:
            f"{RESULTS}/logs/selftests_corpus.log",
        benchmark:
            f"{RESULTS}/benchmarks/selftests_corpus.tsv"
        threads: workflow.cores
        params:
            globs=" ".join(f"'{g}'" for g in ST_CORPUS["globs"]),
            compilers=" ".join(ST_CORPUS["compilers"]),
            opts=",".join(ST_CORPUS["opt_levels"]),
        shell:
            "{BCFPIPE} selftests-corpus --patched {input.patched} --include {input.include} "
            "--glob {params.globs} --compiler {params.compilers} --opts={params.opts} --out {output} "
            "--jobs {threads} > {log} 2> >(tee -a {log} >&2)"


def selftest_index(wildcards=None):
    """The selftests' index (after the checkpoint), or nothing when the project is off."""
    if not ST_ON:
        return []
    return [f"{checkpoints.selftests_corpus.get().output[0]}/index.json"]


def selftest_objects():
    """Object stems of project 'selftests' (after its checkpoint), or none when it is off."""
    if not ST_ON:
        return []
    return bcfselftests.object_names(json.loads(Path(selftest_index()[0]).read_text()))


def selftest_results(variant):
    return [
        f"{RESULTS}/loads/{variant}/{bcfselftests.PROJECT}/{o}.json" for o in selftest_objects()
    ]


def get_selftests_output():
    out = [f"{RESULTS}/tables/selftests.md"] if SELFTESTS["test_verifier"] else []
    return out + ([f"{RESULTS}/tables/selftests_expectations.md"] if ST_ON else [])


rule build_selftests:
    input:
        patched=rules.patch_kernel.output,
        libbpf=rules.build_tools.output.libbpf,
        include=rules.build_tools.output.include,
    output:
        f"{RESULTS}/kernel/{{variant}}/test_verifier",
    log:
        f"{RESULTS}/logs/build_selftests/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/build_selftests/{{variant}}.tsv"
    shell:
        "{BCFPIPE} build-selftests --patched {input.patched} --libbpf {input.libbpf} "
        "--include {input.include} --out {output} > {log} 2>&1"


rule run_selftests:
    input:
        binary=rules.build_selftests.output,
        kernel=rules.build_kernel.output.image,
        initrd=rules.build_guest.output,
        accel=rules.probe_accel.output,
    output:
        json=f"{RESULTS}/selftests/{{variant}}/test_verifier.json",
        log=f"{RESULTS}/selftests/{{variant}}/test_verifier.log",
    log:
        f"{RESULTS}/logs/run_selftests/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/run_selftests/{{variant}}.tsv"
    resources:
        vm_slots=1,
        mem_mb=VM_MEM_MB,
    params:
        vm=f"--timeout {SELFTESTS['timeout_s']} --qemu {GUEST['qemu']} --scratch '{GUEST['scratch']}'",
    shell:
        "{BCFPIPE} run-selftests --variant {wildcards.variant} --binary {input.binary} "
        "--kernel {input.kernel} --initrd {input.initrd} --accel {input.accel} {params.vm} "
        "--out {output.json} --log {output.log} > {log} 2>&1"


rule compare_selftests:
    input:
        expand(f"{RESULTS}/selftests/{{variant}}/test_verifier.json", variant=VARIANTS),
    output:
        json=f"{RESULTS}/tables/selftests.json",
        md=f"{RESULTS}/tables/selftests.md",
    log:
        f"{RESULTS}/logs/compare_selftests.log",
    params:
        results=lambda wc, input: " ".join(f"--result {v}={p}" for v, p in zip(VARIANTS, input)),
        baseline=BASELINE,
    shell:
        "{BCFPIPE} compare-selftests --baseline {params.baseline} {params.results} "
        "--out-json {output.json} --out-md {output.md} > {log} 2>&1"


rule selftests_expectations:
    input:
        index=selftest_index,
        results=lambda wc: [r for v in VARIANTS for r in selftest_results(v)],
    output:
        json=f"{RESULTS}/tables/selftests_expectations.json",
        md=f"{RESULTS}/tables/selftests_expectations.md",
    log:
        f"{RESULTS}/logs/selftests_expectations.log",
    params:
        variants=" ".join(VARIANTS),
        loads=f"{RESULTS}/loads",
    shell:
        "{BCFPIPE} selftests-expectations --index {input.index} --loads {params.loads} "
        "--variant {params.variants} --out-json {output.json} --out-md {output.md} > {log} 2>&1"
