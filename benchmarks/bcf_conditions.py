"""Benchmark BCF certificates over the paper's refinement conditions (SMT-LIB, all unsatisfiable).

    .venv/bin/python benchmarks/bcf_conditions.py [CONDITIONS_DIR] [--csv OUT.csv] [--time-limit S]

Per condition: CNF size, triage/bit-blast/solve/check times, certificate bytes, end-to-end time;
then a summary, with certificate sizes set against the paper's own proof sizes for the same
conditions (``paper-proofs.csv`` beside them). Conditions the solver cannot refute within the time
limit (products of two variables) are reported as unprovable, not waited on.
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
import sys
import time
from pathlib import Path

from bcfpipe.bcf.encoding import encode
from bcfpipe.bcf.pipeline import Outcome, prove
from bcfpipe.bcf.smtlib import read_smtlib
from bcfpipe.errors import PipelineError

FIELDS = [
    "condition",
    "family",
    "verdict",
    "cnf_vars",
    "cnf_clauses",
    "condition_bytes",
    "triage_ms",
    "bitblast_ms",
    "solve_ms",
    "check_ms",
    "total_ms",
    "cert_bytes",
    "lrat_steps",
    "paper_proof_bytes",
    "paper_checker_verdict",
]


def family(name: str) -> str:
    if name.startswith("bench_"):
        return "ebpf"
    if name.startswith(("commute", "distrib")):
        return "mul-var"
    return "ext_con"


def quantiles(xs: list[float]) -> str:
    if not xs:
        return "-"
    s = sorted(xs)

    def q(p: float) -> float:
        return s[min(len(s) - 1, int(p * len(s)))]

    return (
        f"median {statistics.median(s):.4g}, p90 {q(0.9):.4g}, p99 {q(0.99):.4g}, max {s[-1]:.4g}"
    )


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conditions", type=Path, nargs="?", default=here / "../shared/conditions")
    parser.add_argument("--csv", type=Path, help="write per-condition rows here")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N conditions")
    args = parser.parse_args(argv)

    paper: dict[str, dict[str, str]] = {}
    paper_csv = args.conditions / "paper-proofs.csv"
    if paper_csv.exists():
        with paper_csv.open() as f:
            paper = {row["condition"]: row for row in csv.DictReader(f)}
    files = sorted(args.conditions.glob("*.smt2"))
    if args.limit:
        files = files[: args.limit]
    rows: list[dict[str, object]] = []
    for path in files:
        cond = read_smtlib(path.read_text())
        data = encode(cond)
        try:
            out = prove(cond, data, args.time_limit)
        except PipelineError as err:
            # Recorded, not fatal: one bad condition must not hide the other results.
            print(f"{path.name:32} error      {err}", flush=True)
            out = Outcome("error", detail=str(err), condition_bytes=len(data))
        ref = paper.get(path.name, {})
        row: dict[str, object] = {
            "condition": path.name,
            "family": family(path.name),
            "verdict": out.verdict,
            "cnf_vars": out.cnf_vars,
            "cnf_clauses": out.cnf_clauses,
            "condition_bytes": out.condition_bytes,
            "triage_ms": round(out.triage_s * 1e3, 3),
            "bitblast_ms": round(out.bitblast_s * 1e3, 3),
            "solve_ms": round(out.solve_s * 1e3, 3),
            "check_ms": round(out.check_s * 1e3, 3),
            "total_ms": round(out.total_s * 1e3, 3),
            "cert_bytes": out.cert_bytes,
            "lrat_steps": out.lrat_steps,
            "paper_proof_bytes": ref.get("paper_proof_bytes", ""),
            "paper_checker_verdict": ref.get("paper_checker_verdict", ""),
        }
        rows.append(row)
        print(
            f"{path.name:32} {out.verdict:10} vars {out.cnf_vars:7} clauses {out.cnf_clauses:8} "
            f"solve {out.solve_s * 1e3:9.2f} ms check {out.check_s * 1e3:8.2f} ms "
            f"cert {out.cert_bytes:8} B total {out.total_s * 1e3:9.2f} ms",
            flush=True,
        )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(rows)
    summarize(rows)
    return 0


def summarize(rows: list[dict[str, object]]) -> None:
    def col(name: str, sel: list[dict[str, object]]) -> list[float]:
        return [float(r[name]) for r in sel]  # type: ignore[arg-type]

    print(f"\nmachine: {platform.platform()}, python {platform.python_version()}, {time.ctime()}")
    print(f"{len(rows)} conditions")
    for fam in ("all", "ebpf", "ext_con", "mul-var"):
        sel = [r for r in rows if fam == "all" or r["family"] == fam]
        proved = [r for r in sel if r["verdict"] == "proved"]
        if not sel:
            continue
        print(
            f"\n[{fam}] {len(proved)}/{len(sel)} proved, "
            f"{sum(r['verdict'] == 'unprovable' for r in sel)} unprovable within the limit, "
            f"{sum(r['verdict'] == 'refuted' for r in sel)} refuted"
        )
        if not proved:
            continue
        print(f"  end to end ms : {quantiles(col('total_ms', proved))}")
        print(f"  triage ms     : {quantiles(col('triage_ms', proved))}")
        print(f"  solve ms      : {quantiles(col('solve_ms', proved))}")
        print(f"  check ms      : {quantiles(col('check_ms', proved))}")
        print(f"  cnf clauses   : {quantiles(col('cnf_clauses', proved))}")
        print(f"  cert bytes    : {quantiles(col('cert_bytes', proved))}")
        both = [r for r in proved if r["paper_proof_bytes"] not in ("", None)]
        if both:
            print(f"  paper bytes   : {quantiles(col('paper_proof_bytes', both))}")
            smaller = sum(
                float(r["cert_bytes"]) < float(r["paper_proof_bytes"])  # type: ignore[arg-type]
                for r in both
            )
            print(f"  ours smaller  : {smaller}/{len(both)}")
        faster = sum(float(r["check_ms"]) <= float(r["solve_ms"]) for r in proved)  # type: ignore[arg-type]
        print(
            f"  check <= solve: {faster}/{len(proved)}; "
            f"sum check {sum(col('check_ms', proved)):.1f} ms vs solve "
            f"{sum(col('solve_ms', proved)):.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
