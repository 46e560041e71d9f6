"""Ground truth against what the verifier did.

Two questions per variant: does the stock verdict written next to each program match what this
kernel did (for the stock variant), and was any program whose truth is 'unsafe' accepted (for every
variant: BCF must never accept one). Disagreements are reported, never hidden.
"""

from __future__ import annotations

from typing import Any


def _truth_map(index: dict[str, Any]) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for project, pdata in index.get("projects", {}).items():
        for source, sdata in pdata["sources"].items():
            out[(project, source)] = {t["program"]: t for t in sdata.get("truth", [])}
    return out


def compare(index: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    truths = _truth_map(index)
    rows = []
    unsafe_accepted = []
    missing_truth = []
    for r in sorted(results, key=lambda r: (r["variant"], r["project"], r["object"])):
        tmap = truths.get((r["project"], r["group"]), {})
        for p in r["programs"]:
            t = tmap.get(p["name"])
            if t is None:
                missing_truth.append(f"{r['project']}/{r['object']}:{p['name']}")
                continue
            row = {
                "variant": r["variant"],
                "project": r["project"],
                "object": r["object"],
                "program": p["name"],
                "safe": t["safe"],
                "expected_stock": t["stock"],
                "verdict": p["verdict"],
                "error_line": p.get("error_line", ""),
            }
            if r["variant"] == "stock":
                row["agrees"] = t["stock"] == "mixed" or p["verdict"] == t["stock"]
            if not t["safe"] and p["verdict"] == "loaded":
                unsafe_accepted.append(row)
            rows.append(row)
    by_project: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        c = by_project.setdefault(
            (row["project"], row["variant"]),
            {"programs": 0, "unsafe": 0, "unsafe_accepted": 0, "safe": 0, "safe_loaded": 0},
        )
        c["programs"] += 1
        kind = "safe" if row["safe"] else "unsafe"
        c[kind] += 1
        if row["verdict"] == "loaded":
            c["safe_loaded" if row["safe"] else "unsafe_accepted"] += 1
    stock = [r for r in rows if "agrees" in r]
    disagree = [r for r in stock if not r["agrees"]]
    summary = (
        f"{len(stock) - len(disagree)}/{len(stock)} stock verdicts agree with the ground truth; "
        f"{len(unsafe_accepted)} unsafe programs accepted"
    )
    return {
        "summary": summary,
        "stock_checked": len(stock),
        "stock_disagreements": disagree,
        "unsafe_accepted": unsafe_accepted,
        "by_project": [
            {"project": p, "variant": v, **c} for (p, v), c in sorted(by_project.items())
        ],
        "programs_without_truth": missing_truth,
        "rows": rows,
    }


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Ground truth vs verifier verdicts",
        "",
        report["summary"],
        "",
        "Static truth only: whether each BCF acceptance also runs safely is checked by running it "
        "under KASAN, in `soundness.md` beside this file (the dynamic validation, when enabled).",
        "",
    ]
    if report["unsafe_accepted"]:
        lines += [
            "## UNSAFE PROGRAMS ACCEPTED",
            "",
            "| variant | object | program |",
            "|---|---|---|",
        ]
        lines += [
            f"| {r['variant']} | {r['project']}/{r['object']} | {r['program']} |"
            for r in report["unsafe_accepted"]
        ]
        lines.append("")
    if report.get("by_project"):
        lines += [
            "## Per project and variant",
            "",
            "Program variants (one per object and program) with a truth line; 'unsafe accepted' "
            "must be 0 everywhere.",
            "",
            "| project | variant | programs | unsafe | unsafe accepted | safe | safe loaded |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['project']} | {c['variant']} | {c['programs']} | {c['unsafe']} | "
            f"{c['unsafe_accepted']} | {c['safe']} | {c['safe_loaded']} |"
            for c in report["by_project"]
        ]
        lines.append("")
    lines += ["## Stock verdicts that disagree with the stated truth", ""]
    if report["stock_disagreements"]:
        lines += ["| object | program | expected | got | first error |", "|---|---|---|---|---|"]
        lines += [
            f"| {r['project']}/{r['object']} | {r['program']} | {r['expected_stock']} | "
            f"{r['verdict']} | {r['error_line'].replace('|', '/')} |"
            for r in report["stock_disagreements"]
        ]
    else:
        lines.append("None.")
    if report["programs_without_truth"]:
        lines += ["", "## Programs without a truth line", ""]
        lines += [f"- {p}" for p in report["programs_without_truth"]]
    return "\n".join(lines) + "\n"
