# A target of its own, not an input: rerunning it (say, for another compiler list) must not
# cascade into a new fetch and every later step. The priority runs it first.
rule preflight:
    output:
        f"{RESULTS}/host/preflight.json",
    log:
        f"{RESULTS}/logs/preflight.log",
    priority: 100
    params:
        clangs=config["corpus"]["compilers"],
    shell:
        "{BCFPIPE} preflight --out {output} --require-clang {params.clangs} > {log} 2> >(tee -a {log} >&2)"


rule fetch_source:
    output:
        f"{RESULTS}/sources/{{source}}.json",
    log:
        f"{RESULTS}/logs/fetch_source/{{source}}.log",
    resources:
        downloads=1,
        runtime=30,
    params:
        spec=lambda wc: json.dumps(bcfconfig.fetch_spec(SOURCES[wc.source]), sort_keys=True),
    shell:
        "{BCFPIPE} fetch-source --name {wildcards.source} --spec {params.spec:q} "
        "--resources {RES} --out {output} > {log} 2> >(tee -a {log} >&2)"


rule unpack_source:
    input:
        rules.fetch_source.output,
    output:
        f"{RESULTS}/sources/{{source}}.tree.json",
    log:
        f"{RESULTS}/logs/unpack_source/{{source}}.log",
    resources:
        mem_mb=2000,
    params:
        dest=f"{WORK}/src/{{source}}",
    shell:
        "{BCFPIPE} unpack-source --record {input} --dest {params.dest} --out {output} > {log} 2> >(tee -a {log} >&2)"
