import json
import re
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir)))

from bcfpipe import config as bcfconfig
from bcfpipe.guest import clock as bcfclock
from bcfpipe.guest import vmspec as bcfvmspec
from bcfpipe.kernel import patch as bcfpatch
from bcfpipe.load import plan as bcfplan
from bcfpipe.validate import run as bcfvalidate
from bcfpipe.errors import PipelineError

try:
    config = bcfconfig.validate(
        config, origin="the configuration (config/config.yaml and --config/--configfile)"
    )
except PipelineError as err:
    raise WorkflowError(str(err)) from None

BASE = Path(workflow.basedir)
RES = config["paths"]["resources"]
WORK = config["paths"]["work"]
RESULTS = config["paths"]["results"]
# A variant's patched tree, and its kernel build directory inside it (bcfpipe/kernel/patch.py says
# why).
KTREE = f"{WORK}/trees/{{variant}}"
KBUILD_NAME = "build"
KBUILD = f"{KTREE}/{KBUILD_NAME}"
# Certificates the BCF loads proved, by condition hash, for the dynamic validation to reuse
# (bcfpipe/load/certstore.py); never an output: a cache the kernel checks on every use.
CERT_STORE = f"{WORK}/certs"
# Every rule calls the package through the interpreter running Snakemake, so cluster jobs and
# local jobs use the same installed code.
BCFPIPE = f"{sys.executable} -m bcfpipe"
# Long steps end their command with `> {log} 2> >(tee -a {log} >&2)`: stdout goes to the rule's
# log, stderr (progress and errors) to the log and the terminal.

# What a job asks a cluster for, declared on the rules themselves (resources: mem_mb in MB,
# runtime in minutes; profiles/slurm holds only site settings and the default for the rest).
# Local runs limit neither. A VM job: the guest (guest.memory_mb, default 512) + QEMU + the
# host-side prover of BCF variants; an aggregation job reads every result JSON into pandas.
VM_MEM_MB = 2000
AGG_MEM_MB = 2000

VARIANTS = {v["name"]: v for v in config["kernel"]["variants"]}
# Every kernel built: the variants, and the validation kernel (a BCF variant with KASAN,
# rules/validate.smk), on which only the dynamic validation runs, not the corpus.
VALIDATION_KERNEL = bcfconfig.validation_kernel(config)
KERNELS = dict(VARIANTS)
if VALIDATION_KERNEL:
    KERNELS[VALIDATION_KERNEL["name"]] = VALIDATION_KERNEL
# The variant the others are compared against (tables, paper outputs, selftests).
BASELINE = config["kernel"]["baseline"]
SOURCES = config["sources"]


wildcard_constraints:
    variant="|".join(KERNELS),
    source="|".join(SOURCES),


def variant_source(wildcards):
    return f"{RESULTS}/sources/{KERNELS[wildcards.variant]['source']}.tree.json"


def get_series_files(wildcards):
    series = KERNELS[wildcards.variant]["series"]
    if not series:
        return []
    return bcfpatch.series_files(BASE / "patches" / "linux" / series)


def get_patch_tree(wildcards):
    """The unpacked tree of the source that holds the variant's patch sets (none: [])."""
    src = KERNELS[wildcards.variant]["patch_source"]
    return [f"{RESULTS}/sources/{src}.tree.json"] if src else []


def get_patch_set_args(wildcards):
    v = KERNELS[wildcards.variant]
    if not v["patch_source"]:
        return ""
    return bcfpatch.patch_set_args(f"{RESULTS}/sources/{v['patch_source']}.tree.json", v)


def get_fragments(wildcards):
    return [
        str(BASE / "config" / "kernel" / f"{f}.config")
        for f in KERNELS[wildcards.variant]["fragments"]
    ]


def make_jobs(threads):
    return config["kernel"]["make_jobs"] or threads


def first_variant():
    return config["kernel"]["variants"][0]["name"]


def get_final_output(wildcards=None):
    # Every result is requested itself, not only through the tables: Snakemake does not
    # recreate a missing intermediate file whose consumers are up to date, and a deleted or
    # forgotten result (bcfpipe rerun-failed --forget) must be loaded again.
    return (
        [f"{RESULTS}/host/preflight.json"]
        + [f"{RESULTS}/kernel/{v}/boot_check.json" for v in VARIANTS]
        + [f"{RESULTS}/tables/truth.md", f"{RESULTS}/tables/kick_tires.md"]
        + get_aggregate_output()
        + get_selftests_output()
        + validation_output()
        # Every result itself, not only through the tables: Snakemake does not recreate a missing
        # intermediate file whose consumers are up to date (bcfpipe rerun-failed --forget). Not
        # the selftests' or an imported corpus's results: listing them needs a checkpoint, and a
        # dry run would then plan nothing past it.
        + ([] if IMPORT else [r for v in VARIANTS for r in load_results(v)])
    )


def get_kick_tires_output():
    wanted = set(config["corpus"]["kick_tires"])
    missing = wanted - {f"{p}/{o}" for p, o, _, _ in get_objects()}
    if missing:
        print(
            f"bcfpipe: corpus.kick_tires names objects the corpus does not have: "
            f"{', '.join(sorted(missing))}",
            file=sys.stderr,
        )
    # The table last: its rule prints each object's verdicts against the expected ones.
    return (
        [f"{RESULTS}/host/preflight.json"]
        + [f"{RESULTS}/kernel/{v}/boot_check.json" for v in VARIANTS]
        + [r for v in VARIANTS for r in load_results(v, wanted)]
        + [f"{RESULTS}/tables/kick_tires.md"]
    )


def get_select_output(wildcards):
    """The 'select' target: loads chosen by config 'select' (bcfpipe.load.plan.select_loads)."""
    selection = bcfplan.Selection.from_config(config)
    objects = [(p, o) for p, o, _, _ in get_objects()]
    # Project 'selftests' is known only after its checkpoint, which runs only when it is named.
    named = list(selection.projects) + [o.split("/")[0] for o in selection.objects]
    if bcfselftests.PROJECT in named:
        objects += [(bcfselftests.PROJECT, o) for o in selftest_objects()]
    try:
        return bcfplan.select_loads(objects, list(VARIANTS), RESULTS, selection)
    except PipelineError as err:
        raise WorkflowError(str(err)) from None


onstart:
    print(f"bcfpipe: logs in {RESULTS}/logs/, benchmarks in {RESULTS}/benchmarks/", file=sys.stderr)


onerror:
    print(
        f"bcfpipe: a job failed; its log is named above and lies in {RESULTS}/logs/",
        file=sys.stderr,
    )
