"""Commands behind partial reruns: ``collect-loads`` (a rule) and ``rerun-failed`` (a recipe)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bcfpipe import plan
from bcfpipe.cli import add_command
from bcfpipe.fsutil import write_json_atomic


def cmd_collect_loads(a: argparse.Namespace) -> None:
    from bcfpipe.aggregate.results import result_paths

    record = plan.collect_loads(result_paths(a.index, a.loads, [a.variant]), a.variant)
    write_json_atomic(a.out, record)
    print(f"{a.variant}: {record['count']} results {record['verdicts']}")


def cmd_rerun_failed(a: argparse.Namespace) -> None:
    found = plan.rerun_candidates(Path(a.loads), a.verdict)
    for path in found:
        print(path)
    if a.forget:
        plan.forget(found)
        print(f"forgot {len(found)} result(s); the next run loads exactly these objects again")
    elif found:
        print(f"{len(found)} result(s); add --forget to delete them so the next run redoes them")


def register(sub: Any) -> None:
    p = add_command(sub, "collect-loads", cmd_collect_loads, "one record of a variant's results")
    p.add_argument("--index", required=True, help="results/corpus/index.json")
    p.add_argument("--loads", required=True, help="results/loads")
    p.add_argument("--variant", required=True)
    p.add_argument("--out", required=True)

    p = add_command(
        sub, "rerun-failed", cmd_rerun_failed, "list (and --forget) results worth running again"
    )
    p.add_argument("--loads", default="results/loads", help="results/loads (default)")
    p.add_argument(
        "--verdict",
        nargs="+",
        default=list(plan.RERUN_VERDICTS),
        help=f"verdicts to select (default: {' '.join(plan.RERUN_VERDICTS)})",
    )
    p.add_argument("--forget", action="store_true", help="delete them (results and logs)")
