# bcfpipe: reproduce the evaluation of BCF ("Prove It to the Kernel", SOSP'25) end to end.
#
#   config ─▶ fetch ─▶ patch ─▶ build ─▶ kernel + bpftool + guest ─▶ boot check
#   bpf-progs ─▶ compile ─▶ per-object VM jobs ─▶ results/loads ─▶ tables
#
# Targets: all (default), kick_tires (a quick check for reviewers), select (partial reruns).
from snakemake.utils import min_version

min_version("9.0")

# Snakemake 9.27.1 leaves a re-evaluation timer per scheduling round that keeps firing every
# second: bcfpipe/schedtimer.py keeps one pending instead (docs/benchmarks.md).
from bcfpipe import schedtimer

schedtimer.install()


configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/fetch.smk"
include: "rules/kernel.smk"
include: "rules/tools.smk"
include: "rules/guest.smk"
include: "rules/corpus.smk"
include: "rules/load.smk"
include: "rules/selftests.smk"
include: "rules/aggregate.smk"
include: "rules/validate.smk"


# Input functions: with a corpus imported from a fetched tree (config/paper.yaml), the objects
# are known only after the corpus_index checkpoint.
rule all:
    default_target: True
    input:
        lambda wc: get_final_output(),


rule kick_tires:
    input:
        lambda wc: get_kick_tires_output(),


# Partial reruns: the loads chosen by config 'select' (projects, variants, objects), e.g.
#   snakemake select --config select='{projects: [xdp-lb], variants: [bcf]}'
rule select:
    input:
        get_select_output,
