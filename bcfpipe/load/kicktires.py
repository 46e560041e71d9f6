"""The answer of the ``kick_tires`` target: each object's verdict per variant against the expected.

What a load should give comes from the corpus's ``// truth:`` lines (docs/corpus.md): a variant
without BCF (the stock baseline, or a patched kernel loading without BCF flags) should give the
line's ``stock=`` verdict; a BCF variant should load every safe program and reject every unsafe
one. An object's expected verdict is its programs' worst, like its verdict
(:func:`bcfpipe.load.results.object_verdict`). Objects without truth lines (a prebuilt or imported
corpus) are listed with their verdicts and checked against nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bcfpipe.corpus.objects import Truth
from bcfpipe.load.results import VERDICT_ORDER

PASS, FAIL, UNCHECKED = "PASS", "FAIL", "-"


def expected_verdict(truth: Truth, bcf: bool) -> str:
    """What one program should give: 'loaded', 'rejected' or 'mixed' (either is right)."""
    if bcf:
        return "loaded" if truth.safe else "rejected"
    return truth.stock


def _worst(verdicts: Iterable[str]) -> str:
    vs = list(verdicts)
    if "mixed" in vs and all(v in ("mixed", "loaded") for v in vs):
        return "mixed"
    return min((v for v in vs if v != "mixed"), key=VERDICT_ORDER.index)


def certificates(result: dict[str, Any]) -> int:
    """Refinements whose certificate the kernel checked (synthetic results: with certificate)."""
    return sum(
        1
        for p in result.get("programs", [])
        for r in p.get("refinements") or []
        if r.get("checked", (r.get("certificate_bytes") or 0) > 0)
    )


def row(
    result: dict[str, Any], path: str, truths: dict[str, Truth] | None, bcf: bool
) -> dict[str, Any]:
    """One object under one variant: verdicts, expectation, BCF rounds and certificates, status."""
    programs = result.get("programs", [])
    expected, status, mismatched = "", UNCHECKED, []
    if truths and programs and all(p["name"] in truths for p in programs):
        for p in programs:
            want = expected_verdict(truths[p["name"]], bcf)
            ok = p["verdict"] in ("loaded", "rejected") if want == "mixed" else p["verdict"] == want
            if not ok:
                mismatched.append(f"{p['name']}: {p['verdict']}, expected {want}")
        expected = _worst(expected_verdict(truths[p["name"]], bcf) for p in programs)
        vm_ok = result.get("vm", {}).get("status", "ok") == "ok"
        status = PASS if vm_ok and not mismatched else FAIL
        if not vm_ok:
            mismatched.append(f"VM {result['vm']['status']}: {result['vm'].get('detail', '')}")
    elif truths is not None and programs:
        missing = [p["name"] for p in programs if p["name"] not in truths]
        mismatched.append(f"no truth line for {', '.join(missing)}")
    bcf_rec = result.get("bcf") or {}
    return {
        "object": f"{result['project']}/{result['object'].removesuffix('.o')}",
        "variant": result["variant"],
        "bcf": bcf,
        "verdict": result["verdict"],
        "expected": expected,
        "rounds": bcf_rec.get("rounds"),
        "outcome": bcf_rec.get("outcome", ""),
        "certificates": certificates(result) if bcf_rec else None,
        "status": status,
        "notes": mismatched,
        "result": path,
        "log": str(Path(path).with_suffix(".log")),
    }


def report(
    results: list[tuple[str, dict[str, Any]]],
    truths: dict[tuple[str, str], list[Truth]],
    bcf_variants: Iterable[str],
    variant_order: list[str] | None = None,
) -> dict[str, Any]:
    """Rows for (result path, result) pairs; ``truths`` by (project, source name)."""
    bcf = set(bcf_variants)
    order = {v: i for i, v in enumerate(variant_order or [])}
    rows = []
    for path, r in results:
        tl = truths.get((r["project"], r["group"]))
        rows.append(row(r, path, {t.program: t for t in tl} if tl else None, r["variant"] in bcf))
    rows.sort(key=lambda x: (x["object"], order.get(x["variant"], len(order)), x["variant"]))
    checked = [x for x in rows if x["status"] != UNCHECKED]
    failed = [x for x in rows if x["status"] == FAIL]
    if failed:
        overall = FAIL
    elif checked:
        overall = PASS
    else:
        overall = "NOTHING CHECKED"
    return {
        "overall": overall,
        "rows": rows,
        "checked": len(checked),
        "failed": len(failed),
        "unchecked": len(rows) - len(checked),
    }


def render_markdown(rep: dict[str, Any]) -> str:
    lines = [
        "# kick_tires",
        "",
        "Expected: the `// truth:` line's `stock=` verdict without BCF; with BCF, safe programs "
        "loaded and unsafe ones rejected.",
        "",
        "| object | variant | verdict | expected | BCF rounds | certificates | check | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in rep["rows"]:
        rounds = "" if x["rounds"] is None else f"{x['rounds']} ({x['outcome']})"
        certs = "" if x["certificates"] is None else str(x["certificates"])
        lines.append(
            f"| {x['object']} | {x['variant']} | {x['verdict']} | {x['expected'] or '?'} | "
            f"{rounds} | {certs} | {x['status']} | {x['result']} |"
        )
    lines.append("")
    for x in rep["rows"]:
        for note in x["notes"]:
            lines.append(f"- {x['object']} ({x['variant']}): {note.replace('|', '/')}")
    if any(x["notes"] for x in rep["rows"]):
        lines.append("")
    lines.append("Verifier logs: beside each result (`.log`).")
    if rep["unchecked"]:
        lines.append(f"{rep['unchecked']} row(s) without truth lines are not checked.")
    lines += [
        "",
        f"kick_tires: {rep['overall']} ({rep['checked'] - rep['failed']} of {rep['checked']} "
        "checked rows as expected)",
    ]
    return "\n".join(lines) + "\n"
