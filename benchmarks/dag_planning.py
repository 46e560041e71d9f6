"""DAG planning time of the workflow on a synthetic corpus (numbers go into docs/benchmarks.md).

  python benchmarks/dag_planning.py                     # 5,004 objects x 3 variants, `snakemake -n`
  python benchmarks/dag_planning.py --sources 100 --repeat 3
  python benchmarks/dag_planning.py --quiet             # `snakemake -n --quiet rules` (no job list)
  python benchmarks/dag_planning.py --batch-size 10     # load.batch_size 10
  python benchmarks/dag_planning.py --profile           # cProfile of one planning run, top 40

The corpus is ``--sources`` copies of one real program spread over 4 projects, compiled by 3
compilers at 3 optimisation levels (556 sources -> 5,004 objects); the kernel variants are stock,
bcf and a third one, bcf2, on the bcf series. Everything is written to a temporary directory;
nothing is built. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# What ./run passes (this machine's settings); the --cores given here wins over its `cores: all`.
LOCAL = ["--profile", str(REPO / "profiles/local")]
sys.path.insert(0, str(REPO))

from benchmarks.pipeline import machine  # noqa: E402

TEMPLATE = REPO / "bpf-progs" / "patterns" / "masked_index_ok.c"
COMPILERS = ["clang-14", "clang-16", "clang-19"]
OPTS = ["-O1", "-O2", "-O3"]
EXTRA: list[str] = []


def synthetic_config(tmp: Path, sources: int, batch_size: int = 1) -> Path:
    root = tmp / "corpus"
    text = TEMPLATE.read_text()
    for i in range(sources):
        project = root / f"proj{i % 4}"
        project.mkdir(parents=True, exist_ok=True)
        (project / f"prog{i:05d}.c").write_text(text)
    cfg = {
        "paths": {
            "resources": str(tmp / "resources"),
            "work": str(tmp / "work"),
            "results": str(tmp / "results"),
        },
        "kernel": {
            "variants": [
                {"name": "stock", "source": "linux-6.12-debian", "series": ""},
                {"name": "bcf", "source": "linux-6.12-debian", "series": "bcf", "bcf": True},
                {"name": "bcf2", "source": "linux-6.12-debian", "series": "bcf", "bcf": True},
            ]
        },
        "corpus": {"root": str(root), "compilers": COMPILERS, "opt_levels": OPTS},
        "load": {"batch_size": batch_size},
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def dry_run(configfile: Path, tmp: Path, quiet: bool = False) -> tuple[float, dict[str, int]]:
    cmd = [sys.executable, "-m", "snakemake", "-n", "--cores", "2", *LOCAL]
    cmd += ["--quiet", "rules"] if quiet else []
    cmd += ["--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp)]
    cmd += ["--configfile", str(configfile), *EXTRA]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"snakemake -n failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    table = (proc.stdout + proc.stderr).split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, flags=re.M)}
    return elapsed, counts


def profile_run(configfile: Path, tmp: Path, top: int = 40) -> str:
    """cProfile of one planning run inside this process (Snakemake's own API entry)."""
    from snakemake.cli import main as snakemake_main

    args = ["-n", "--cores", "2", *LOCAL, "--snakefile", str(REPO / "Snakefile")]
    args += ["--directory", str(tmp), "--configfile", str(configfile)]
    prof = cProfile.Profile()
    prof.enable()
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        contextlib.suppress(SystemExit),
    ):
        snakemake_main(args)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=556, help="synthetic source programs")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument("--quiet", action="store_true", help="--quiet rules: no job list")
    parser.add_argument("--batch-size", type=int, default=1, help="load.batch_size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bcfpipe-dagbench-") as name:
        tmp = Path(name)
        configfile = synthetic_config(tmp, args.sources, args.batch_size)
        if args.profile:
            print(profile_run(configfile, tmp))
            return
        for _ in range(args.repeat):
            seconds, counts = dry_run(configfile, tmp, args.quiet)
            print(
                json.dumps(
                    {
                        "benchmark": "dag_planning_dry_run",
                        "command": "snakemake -n" + (" --quiet rules" if args.quiet else ""),
                        "batch_size": args.batch_size,
                        "seconds": round(seconds, 2),
                        "objects": args.sources * len(COMPILERS) * len(OPTS),
                        "variants": 3,
                        "jobs": counts.get("total", sum(counts.values())),
                        "load_jobs": sum(n for r, n in counts.items() if r.startswith("load_")),
                        "machine": machine(),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
