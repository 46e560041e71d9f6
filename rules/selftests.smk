# The kernel's verifier selftests per variant (bcfpipe/selftests.py): a patched verifier must pass
# what the stock one passes.
SELFTESTS = config["selftests"]


def get_selftests_output():
    if not SELFTESTS["test_verifier"]:
        return []
    return [f"{RESULTS}/tables/selftests.md"]


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
    params:
        vm=f"--timeout {SELFTESTS['timeout_s']} --qemu {GUEST['qemu']} --scratch '{GUEST['scratch']}'",
    resources:
        vm_slots=1,
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
        results=lambda wc, input: " ".join(
            f"--result {v}={p}" for v, p in zip(VARIANTS, input)
        ),
        baseline=first_variant(),
    shell:
        "{BCFPIPE} compare-selftests --baseline {params.baseline} {params.results} "
        "--out-json {output.json} --out-md {output.md} > {log} 2>&1"
