"""``results/tables/soundness.md``: what the dynamic validation ran and what it found."""

from __future__ import annotations

from collections import Counter
from typing import Any

STATUS_TEXT = {
    "clean": "ran on every input, no kernel report",
    "failure": "a KASAN report, WARN, oops or dead guest while loading or running",
    "not_runnable": "its type has no BPF_PROG_TEST_RUN (loaded, not run)",
    "not_loaded": "did not load on the validation kernel",
    "not_run": "loaded, no input ran",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    failures = s["failures"]
    lines = [
        "# Dynamic validation of BCF acceptances",
        "",
        f"Every program that `{report['variant']}` loads and `{report['baseline']}` rejects, "
        f"loaded again with its certificates on `{report['kernel']}` (the same series with "
        "KASAN) and run with `BPF_PROG_TEST_RUN` in the interpreter on generated inputs "
        '(docs/bcf-kernel.md, "Dynamic validation").',
        "",
        f"**{failures} soundness failure{'s' if failures != 1 else ''}** in {s['runs']} runs of "
        f"{s['programs']} programs ({s['inputs']} inputs generated; "
        f"{s['jit']} ran JIT-compiled because the interpreter cannot run them).",
        "",
        "| status | programs | meaning |",
        "|---|---:|---|",
    ]
    for status, text in STATUS_TEXT.items():
        lines.append(f"| {status} | {s['status'].get(status, 0)} | {text} |")
    recs = report["programs"]
    failed = [r for r in recs if r["failures"]]
    if failed:
        lines += ["", "## Failures", "", "| program | input | report |", "|---|---|---|"]
        for r in failed:
            for f in r["failures"]:
                lines.append(
                    f"| {r['project']}/{r['object']}:{r['program']} | {_cell(f['label'])} | "
                    f"{_cell(' / '.join(f['report'][:6]))} |"
                )
    other = [r for r in recs if r["status"] in ("not_runnable", "not_loaded", "not_run")]
    if other:
        lines += [
            "",
            "## Not executed",
            "",
            "| program | type | status | why |",
            "|---|---|---|---|",
        ]
        for r in other:
            lines.append(
                f"| {r['project']}/{r['object']}:{r['program']} | {r['prog_type']} | "
                f"{r['status']} | {_cell(r.get('detail', ''))} |"
            )
    by_project: dict[str, Counter[str]] = {}
    runs: Counter[str] = Counter()
    for r in recs:
        by_project.setdefault(r["project"], Counter())[r["status"]] += 1
        runs[r["project"]] += r["runs"]
    lines += [
        "",
        "## Per project",
        "",
        "| project | programs | clean | failure | not executed | runs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for proj, c in sorted(by_project.items()):
        lines.append(
            f"| {proj} | {sum(c.values())} | {c['clean']} | {c['failure']} | "
            f"{c['not_runnable'] + c['not_loaded'] + c['not_run']} | {runs[proj]} |"
        )
    errs: Counter[str] = Counter()
    for r in recs:
        errs.update({k: v for k, v in r["run_errors"].items()})
    if errs:
        lines += [
            "",
            "Runs the kernel refused (errno: count; e.g. a packet shorter than the type allows): "
            + ", ".join(f"{k}: {v}" for k, v in sorted(errs.items())),
        ]
    return "\n".join(lines) + "\n"
