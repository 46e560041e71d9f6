"""Per-variant tables and the side-by-side comparison of variants.

Unique counts follow the paper: rejections are de-duplicated *within a project* by their verifier
log signature — instructions processed, total states, peak states and the normalised error message
(numbers and register names abstracted by :func:`bcfpipe.load.vlog.normalize`). An object's
signature is the set of its rejected programs' signatures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bcfpipe.aggregate.results import ObjectResult, Program, ResultSet, Signature
from bcfpipe.aggregate.table import Table, join_limited, pct
from bcfpipe.load.results import VERDICTS


def unique_objects(objects: list[ObjectResult]) -> set[tuple[str, tuple[Signature, ...]]]:
    return {(o.project, o.signature) for o in objects if o.verdict == "rejected"}


def unique_programs(programs: list[Program]) -> set[tuple[str, Signature]]:
    return {(p.project, p.signature) for p in programs if p.verdict == "rejected"}


def _count_row(name: str, objects: list[ObjectResult]) -> list[Any]:
    programs = [p for o in objects for p in o.programs]
    ov = Counter(o.verdict for o in objects)
    pv = Counter(p.verdict for p in programs)
    return [
        name,
        len(objects),
        *(ov[v] for v in VERDICTS),
        len(unique_objects(objects)),
        len(programs),
        *(pv[v] for v in VERDICTS),
        len(unique_programs(programs)),
    ]


SUMMARY_COLUMNS = [
    "project",
    "objects",
    *(f"objects_{v}" for v in VERDICTS),
    "objects_rejected_unique",
    "programs",
    *(f"programs_{v}" for v in VERDICTS),
    "programs_rejected_unique",
]


def project_summary(rs: ResultSet, variant: str) -> Table:
    title = f"Verdicts per project — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    by_project: dict[str, list[ObjectResult]] = defaultdict(list)
    for o in vrs.objects:
        by_project[o.project].append(o)
    rows = [_count_row(p, by_project[p]) for p in sorted(by_project)]
    rows.append(_count_row("all", vrs.objects))

    def md(row: list[Any]) -> list[Any]:
        n = len(VERDICTS)
        o_counts, o_unique = row[2 : 2 + n], row[2 + n]
        p_counts, p_unique = row[4 + n : 4 + 2 * n], row[4 + 2 * n]
        o_counts = [*o_counts[:1], f"{o_counts[1]} ({o_unique} unique)", *o_counts[2:]]
        p_counts = [*p_counts[:1], f"{p_counts[1]} ({p_unique} unique)", *p_counts[2:]]
        return [row[0], row[1], *o_counts, row[3 + n], *p_counts]

    md_columns = ["project", "objects", *VERDICTS, "programs", *VERDICTS]
    total = rows[-1]
    n = len(VERDICTS)
    notes = [
        f"{total[1]} objects ({total[2]} loaded, {total[3]} rejected, "
        f"{total[2 + n]} unique rejections) and {total[3 + n]} programs "
        f"({total[4 + n]} loaded, {total[5 + n]} rejected, {total[4 + 2 * n]} unique rejections).",
        "Unique: rejections de-duplicated within a project by verifier-log signature "
        "(insns processed, total states, peak states, normalised error). An object is rejected "
        "if any of its programs is; 'all' sums the per-project unique counts.",
    ]
    return Table(
        title,
        SUMMARY_COLUMNS,
        rows,
        notes=notes,
        md_columns=md_columns,
        md_rows=[md(r) for r in rows],
    )


def unique_rejections(rs: ResultSet, variant: str) -> Table:
    """One row per unique rejection class: the list a reviewer walks through."""
    title = f"Unique rejections — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    classes: dict[tuple[str, Signature], list[Program]] = defaultdict(list)
    for p in vrs.programs():
        if p.verdict == "rejected":
            classes[(p.project, p.signature)].append(p)
    rows = []
    for (project, sig), members in sorted(
        classes.items(), key=lambda kv: (kv[0][0], -len(kv[1]), repr(kv[0][1]))
    ):
        first = members[0]
        rows.append(
            [
                project,
                first.category,
                sig[0],
                sig[1],
                sig[2],
                sig[3],
                len(members),
                len({p.group for p in members}),
                join_limited(sorted({f"{p.object}:{p.name}" for p in members}), 4),
            ]
        )
    return Table(
        title,
        [
            "project",
            "category",
            "insns_processed",
            "total_states",
            "peak_states",
            "error_normalized",
            "programs",
            "sources",
            "examples",
        ],
        rows,
        notes=[
            f"{len(rows)} unique rejections from "
            f"{sum(len(m) for m in classes.values())} rejected programs."
        ],
    )


def error_categories(rs: ResultSet, variant: str) -> Table:
    title = f"Failures by error category — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    failed = [p for p in vrs.programs() if p.verdict in ("rejected", "compat_issue")]
    if not failed:
        return Table(title, ["project", "category"], [], notes=["No program failed to load."])
    groups: dict[tuple[str, str, str], list[Program]] = defaultdict(list)
    for p in failed:
        cat = p.category or "uncategorised"
        groups[(p.project, p.verdict, cat)].append(p)
        groups[("all", p.verdict, cat)].append(p)
    rows = []
    for (project, verdict, cat), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] != "all", kv[0][0], kv[0][1], -len(kv[1]))
    ):
        errors = Counter(p.error_normalized for p in members)
        rows.append(
            [
                project,
                verdict,
                cat,
                len(members),
                len({(p.project, p.signature) for p in members}),
                len({(p.project, p.group) for p in members}),
                errors.most_common(1)[0][0],
            ]
        )
    return Table(
        title,
        ["project", "verdict", "category", "programs", "unique", "sources", "most_common_error"],
        rows,
        notes=[
            f"{len(failed)} programs failed to load; rows with project 'all' sum the projects. "
            "Categories are those of bcfpipe/load/vlog.py."
        ],
    )


def variant_label(p: Program) -> str:
    """How a program's object is named among its source's variants: compiler and level, or the
    object's file name when its name carries neither (a prebuilt corpus's ``ksnoop.bpf.o``)."""
    return f"{p.compiler} {p.opt}".strip() or p.object


def compiler_divergence(rs: ResultSet, variant: str) -> Table:
    """Source programs whose compiler variants get different verdicts: imprecision made visible.

    The variants of one source are semantically equal, so a safe verifier that is also precise
    would give them one verdict; every split is a program the verifier could have accepted.
    """
    title = f"Source programs whose compiler variants get different verdicts — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    groups: dict[tuple[str, str, str], list[Program]] = defaultdict(list)
    for p in vrs.programs():
        groups[(p.project, p.group, p.name)].append(p)
    rows = []
    for (project, group, name), members in sorted(groups.items()):
        verdicts = Counter(p.verdict for p in members)
        if len(verdicts) < 2:
            continue
        by = {v: sorted(variant_label(p) for p in members if p.verdict == v) for v in verdicts}
        other = {v: c for v, c in verdicts.items() if v not in ("loaded", "rejected")}
        rows.append(
            [
                project,
                group,
                name,
                len(members),
                verdicts["loaded"],
                verdicts["rejected"],
                sum(other.values()),
                join_limited(by.get("loaded", []), 9),
                join_limited(by.get("rejected", []), 9),
            ]
        )
    total = len(groups)
    return Table(
        title,
        [
            "project",
            "source",
            "program",
            "variants",
            "loaded",
            "rejected",
            "other",
            "loaded_by",
            "rejected_by",
        ],
        rows,
        notes=[
            f"{len(rows)} of {total} source programs ({pct(len(rows), total)}) get different "
            "verdicts from different compilers or optimisation levels. The variants are "
            "semantically equal, so each split is imprecision of the verifier (or a compiler "
            "producing code the verifier cannot follow)."
        ],
    )


# -- side by side ----------------------------------------------------------------------------


def _diff_pct(new: int | None, base: int | None) -> float | None:
    if new is None or base is None or base == 0:
        return None
    return round(100.0 * (new - base) / base, 1)


def compare_variants(rs: ResultSet, variants: list[str], md_limit: int = 200) -> Table:
    """``veristat -C`` for the whole corpus: one row per program, variants side by side."""
    title = "Variants side by side, per program"
    ran = [v for v in variants if rs.of(v).objects]
    not_ran = [v for v in variants if v not in ran]
    if len(ran) < 2:
        why = (
            f"Only {', '.join(ran) or 'no variant'} ran"
            + (f" ({', '.join(not_ran)} configured but without results)" if not_ran else "")
            + f"; configured: {', '.join(variants)}. A comparison needs two variants with results "
            "(add a bcf or upstream variant to kernel.variants)."
        )
        return Table.unavailable(title, why)
    base = ran[0]
    index: dict[str, dict[tuple[str, str, str], Program]] = {
        v: {p.key: p for p in rs.of(v).programs()} for v in ran
    }
    keys = sorted(set().union(*(set(i) for i in index.values())))
    columns = ["project", "object", "program"]
    for v in ran:
        columns += [f"verdict_{v}", f"insns_{v}", f"states_{v}", f"peak_{v}", f"time_us_{v}"]
    for v in ran[1:]:
        columns += [f"insns_diff_pct_{v}", f"states_diff_pct_{v}", f"time_diff_pct_{v}"]
    columns.append("differs")
    rows, md_rows = [], []
    verdict_changes: Counter[tuple[str, str, str]] = Counter()
    for key in keys:
        progs = [index[v].get(key) for v in ran]
        row: list[Any] = list(key)
        for p in progs:
            row += (
                [p.verdict, p.insns, p.total_states, p.peak_states, p.vtime_us]
                if p
                else ["missing", None, None, None, None]
            )
        b = progs[0]
        differs = set()
        for v, p in zip(ran[1:], progs[1:], strict=True):
            row += [
                _diff_pct(p.insns if p else None, b.insns if b else None),
                _diff_pct(p.total_states if p else None, b.total_states if b else None),
                _diff_pct(p.vtime_us if p else None, b.vtime_us if b else None),
            ]
            bv, pv = (b.verdict if b else "missing"), (p.verdict if p else "missing")
            if bv != pv:
                differs.add("verdict")
                verdict_changes[(v, bv, pv)] += 1
            if b and p and b.insns != p.insns:
                differs.add("insns")
            if b and p and b.total_states != p.total_states:
                differs.add("states")
        row.append(",".join(sorted(differs)))
        rows.append(row)
        if differs:
            cells: list[Any] = [f"{key[0]}/{key[1]}", key[2]]
            for p in progs:
                verdict = p.verdict if p else "missing"
                cells.append(
                    (f"**{verdict}**" if "verdict" in differs else verdict)
                    + (
                        f" · {p.insns} insns · {p.total_states} st"
                        if p and p.insns is not None
                        else ""
                    )
                )
            md_rows.append(cells)
    changed = [r for r in rows if r[-1]]
    notes = [
        f"{len(rows)} programs; baseline {base}. {len(changed)} differ in verdict, instructions "
        f"processed or states ({sum(1 for r in rows if 'verdict' in r[-1])} in verdict). "
        "Time is shown but never counted as a difference (it is noise at this scale).",
    ]
    for (v, bv, pv), n in sorted(verdict_changes.items()):
        notes.append(f"- {base} {bv} → {v} {pv}: {n}")
    if len(md_rows) > md_limit:
        notes.append(
            f"Showing the first {md_limit} of {len(md_rows)} differing rows; the CSV has all."
        )
        md_rows = md_rows[:md_limit]
    if not md_rows:
        notes.append("No program differs between the variants.")
    return Table(
        title,
        columns,
        rows,
        notes=notes,
        md_columns=["object", "program", *ran],
        md_rows=md_rows,
    )
