# Dynamic validation of BCF acceptances (docs/bcf-kernel.md, "Dynamic validation"): the programs
# the BCF variant loads and the baseline rejects run under KASAN on the validation kernel.
VAL = config["validation"]
VAL_DIR = f"{RESULTS}/validation"


def run_vm_slots():
    """The run's vm_slots (--resources or a profile), None when unlimited."""
    res = workflow.global_resources.get("vm_slots")
    value = getattr(res, "value", res)  # Snakemake 9 wraps it in a Resource
    return value if isinstance(value, int) and value > 0 else None


# A job asking for more VM slots than the run has would never start.
VAL_JOBS = min(VAL["jobs"], run_vm_slots() or VAL["jobs"])


def validation_output():
    if not VALIDATION_KERNEL:
        return []
    return [f"{RESULTS}/tables/soundness.md"]


def validation_of():
    """The BCF variant whose acceptances are validated."""
    return VALIDATION_KERNEL["name"][: -len("-kasan")]


def validation_indexes(wildcards=None):
    return [rules.corpus_index.output.index] + selftest_index()


# Object files and corpus types of every object, for the validation job to find the ones it runs.
rule validation_objects:
    input:
        index=validation_indexes,
    output:
        f"{VAL_DIR}/objects.json",
    log:
        f"{RESULTS}/logs/validation_objects.log",
    params:
        objects=lambda wc: [
            {"project": p, "object": f"{o}.o", "path": path, "types": types}
            for p, o, path, types in get_objects()
        ],
        selftests=lambda wc: (
            f"{checkpoints.selftests_corpus.get().output[0]}/objects" if ST_ON else ""
        ),
    run:
        bcfvalidate.write_object_map(output[0], params.objects, input.index, params.selftests)


if VALIDATION_KERNEL:

    rule validate_bcf:
        input:
            vm=f"{RESULTS}/guest/{VALIDATION_KERNEL['name']}/vm.json",
            kconfig=f"{RESULTS}/kernel/{VALIDATION_KERNEL['name']}/config",
            objects=rules.validation_objects.output,
            index=validation_indexes,
            results=loads_records(sorted({BASELINE, validation_of()})),
        output:
            json=f"{RESULTS}/tables/soundness.json",
            md=f"{RESULTS}/tables/soundness.md",
            log=f"{VAL_DIR}/{VALIDATION_KERNEL['name']}.log",
        log:
            f"{RESULTS}/logs/validate_bcf.log",
        benchmark:
            f"{RESULTS}/benchmarks/validate_bcf.tsv"
        resources:
            vm_slots=VAL_JOBS,
            mem_mb=VM_MEM_MB * VAL_JOBS,
            runtime=60,
        params:
            loads=f"{RESULTS}/loads",
            baseline=BASELINE,
            variant=validation_of(),
            store=CERT_STORE,
            opts=(
                f"--batch-size {VAL['batch_size']} --jobs {VAL_JOBS} "
                f"--max-inputs {VAL['max_inputs']} "
                f"--seed {VAL['seed']} --slowdown {VAL['slowdown']}"
            ),
        shell:
            "{BCFPIPE} validate-bcf --vm {input.vm} --kernel-config {input.kconfig} "
            "--objects {input.objects} "
            "--index {input.index} --loads {params.loads} --baseline {params.baseline} "
            "--variant {params.variant} --cert-store {params.store} {params.opts} "
            "--out-json {output.json} --out-md {output.md} --out-log {output.log} "
            "> {log} 2> >(tee -a {log} >&2)"
