"""Per-variant tables and the side-by-side comparison of variants.

Unique counts follow the paper: rejections are de-duplicated *within a project* by their verifier
log signature — instructions processed, total states, peak states and the normalised error message
(numbers and register names abstracted by :func:`bcfpipe.load.vlog.normalize`). An object's
signature is the set of its rejected programs' signatures.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from bcfpipe.aggregate.results import ObjectResult, Program, ResultSet, Signature
from bcfpipe.aggregate.table import Table, frame, join_limited, missing, pct
from bcfpipe.load.results import VERDICTS


def unique_objects(objects: list[ObjectResult]) -> set[tuple[str, tuple[Signature, ...]]]:
    return {(o.project, o.signature) for o in objects if o.verdict == "rejected"}


def unique_programs(programs: list[Program]) -> set[tuple[str, Signature]]:
    return {(p.project, p.signature) for p in programs if p.verdict == "rejected"}


def _verdict_counts(df: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """Per project: how many rows, how many of each verdict, how many unique rejections."""
    counts = (
        pd.crosstab(df["project"], df["verdict"])
        .reindex(index=index, columns=list(VERDICTS), fill_value=0)
        .astype(int)
    )
    # A unique rejection is a (project, signature) class of rejected rows.
    unique = (
        df[df["verdict"] == "rejected"]
        .groupby("project")["signature"]
        .nunique()
        .reindex(index, fill_value=0)
        .astype(int)
    )
    total = df.groupby("project").size().reindex(index, fill_value=0).astype(int)
    out = pd.concat([total.rename("n"), counts, unique.rename("unique")], axis=1)
    out.loc["all"] = out.sum()
    return out


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
    objs, progs = vrs.objects_frame(), vrs.programs_frame()
    projects = sorted(objs["project"].unique())
    o, p = _verdict_counts(objs, projects), _verdict_counts(progs, projects)
    data = pd.concat([o.add_prefix("objects_"), p.add_prefix("programs_")], axis=1)
    data = data.rename(
        columns={
            "objects_n": "objects",
            "programs_n": "programs",
            "objects_unique": "objects_rejected_unique",
            "programs_unique": "programs_rejected_unique",
        }
    )
    data = data.rename_axis("project").reset_index()[SUMMARY_COLUMNS]

    def with_unique(prefix: str) -> list[pd.Series]:
        cols = [data[f"{prefix}_{v}"] for v in VERDICTS]
        unique = data[f"{prefix}_rejected_unique"]
        cols[1] = cols[1].astype(str) + " (" + unique.astype(str) + " unique)"
        return cols

    md = pd.concat(
        [
            data["project"],
            data["objects"],
            *with_unique("objects"),
            data["programs"],
            *with_unique("programs"),
        ],
        axis=1,
        keys=["project", "objects", *VERDICTS, "programs", *VERDICTS],
    )
    t = data.iloc[-1]
    notes = [
        f"{t['objects']} objects ({t['objects_loaded']} loaded, {t['objects_rejected']} rejected, "
        f"{t['objects_rejected_unique']} unique rejections) and {t['programs']} programs "
        f"({t['programs_loaded']} loaded, {t['programs_rejected']} rejected, "
        f"{t['programs_rejected_unique']} unique rejections).",
        "Unique: rejections de-duplicated within a project by verifier-log signature "
        "(insns processed, total states, peak states, normalised error). An object is rejected "
        "if any of its programs is; 'all' sums the per-project unique counts.",
    ]
    return Table(title, data, notes=notes, md=md)


UNIQUE_COLUMNS = [
    "project",
    "category",
    "insns_processed",
    "total_states",
    "peak_states",
    "error_normalized",
    "programs",
    "sources",
    "examples",
]


def unique_rejections(rs: ResultSet, variant: str) -> Table:
    """One row per unique rejection class: the list a reviewer walks through."""
    title = f"Unique rejections — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    progs = vrs.programs_frame()
    progs["example"] = progs["object"] + ":" + progs["name"]
    rejected = progs[progs["verdict"] == "rejected"]
    classes = rejected.groupby(["project", "signature"], sort=False).agg(
        category=("category", "first"),
        programs=("name", "size"),
        sources=("group", "nunique"),
        examples=("example", lambda s: join_limited(sorted(set(s)), 4)),
    )
    classes = classes.reset_index()
    sig = pd.DataFrame(
        classes["signature"].tolist(),
        columns=["insns_processed", "total_states", "peak_states", "error_normalized"],
        dtype=object,
    )
    data = pd.concat([classes.drop(columns="signature"), sig], axis=1)
    # Biggest classes first within a project; ties in a stable, value-based order.
    data["_order"] = classes["signature"].map(repr)
    data = data.sort_values(
        ["project", "programs", "_order"], ascending=[True, False, True], kind="stable"
    )
    data = data[UNIQUE_COLUMNS].reset_index(drop=True)
    return Table(
        title,
        data,
        notes=[
            f"{len(data)} unique rejections from {int(data['programs'].sum())} rejected programs."
        ],
    )


def error_categories(rs: ResultSet, variant: str) -> Table:
    title = f"Failures by error category — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    progs = vrs.programs_frame()
    failed = progs[progs["verdict"].isin(["rejected", "compat_issue"])].copy()
    if failed.empty:
        return Table(
            title, frame(["project", "category"], []), notes=["No program failed to load."]
        )
    failed["category"] = failed["category"].where(failed["category"] != "", "uncategorised")
    failed["source"] = list(zip(failed["project"], failed["group"], strict=True))
    failed["sig"] = list(zip(failed["project"], failed["signature"], strict=True))
    # Each failure counts in its project's rows and in the 'all' rows.
    both = pd.concat([failed, failed.assign(project="all")], ignore_index=True)
    data = (
        # First-seen order, so that equal counts keep the order the failures came in.
        both.groupby(["project", "verdict", "category"], sort=False)
        .agg(
            programs=("name", "size"),
            unique=("sig", "nunique"),
            sources=("source", "nunique"),
            most_common_error=("error_normalized", _most_common),
        )
        .reset_index()
    )
    data["_all"] = data["project"] != "all"
    data = data.sort_values(
        ["_all", "project", "verdict", "programs"],
        ascending=[True, True, True, False],
        kind="stable",
    ).drop(columns="_all")
    return Table(
        title,
        data.reset_index(drop=True),
        notes=[
            f"{len(failed)} programs failed to load; rows with project 'all' sum the projects. "
            "Categories are those of bcfpipe/load/vlog.py."
        ],
    )


def _most_common(s: pd.Series) -> Any:
    # Counter's order: the most frequent, the first seen among equals.
    return Counter(s).most_common(1)[0][0]


DIVERGENCE_COLUMNS = [
    "project",
    "source",
    "program",
    "variants",
    "loaded",
    "rejected",
    "other",
    "loaded_by",
    "rejected_by",
]


def compiler_divergence(rs: ResultSet, variant: str) -> Table:
    """Source programs whose compiler variants get different verdicts: imprecision made visible.

    The variants of one source are semantically equal, so a safe verifier that is also precise
    would give them one verdict; every split is a program the verifier could have accepted.
    """
    title = f"Source programs whose compiler variants get different verdicts — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    progs = vrs.programs_frame()
    # How an object is named among its source's variants: compiler and level, or its file name
    # when its name carries neither (a prebuilt corpus's ksnoop.bpf.o).
    progs["label"] = (progs["compiler"] + " " + progs["opt"]).str.strip()
    progs["label"] = progs["label"].where(progs["label"] != "", progs["object"])
    by = progs.groupby(["project", "group", "name"], sort=True)
    total = by.ngroups
    split = by.filter(lambda g: g["verdict"].nunique() > 1)
    if split.empty:
        data = frame(DIVERGENCE_COLUMNS, [])
    else:

        def labels(verdict: str) -> Any:
            return lambda g: join_limited(sorted(g.loc[g["verdict"] == verdict, "label"]), 9)

        grouped = split.groupby(["project", "group", "name"], sort=True)
        data = pd.DataFrame(
            {
                "variants": grouped.size(),
                "loaded": grouped["verdict"].agg(lambda s: int((s == "loaded").sum())),
                "rejected": grouped["verdict"].agg(lambda s: int((s == "rejected").sum())),
                "other": grouped["verdict"].agg(
                    lambda s: int((~s.isin(["loaded", "rejected"])).sum())
                ),
                "loaded_by": grouped[["verdict", "label"]].apply(labels("loaded")),
                "rejected_by": grouped[["verdict", "label"]].apply(labels("rejected")),
            }
        )
        data = data.rename_axis(["project", "source", "program"]).reset_index()
        data = data[DIVERGENCE_COLUMNS]
    return Table(
        title,
        data,
        notes=[
            f"{len(data)} of {total} source programs ({pct(len(data), total)}) get different "
            "verdicts from different compilers or optimisation levels. The variants are "
            "semantically equal, so each split is imprecision of the verifier (or a compiler "
            "producing code the verifier cannot follow)."
        ],
    )


# -- side by side ----------------------------------------------------------------------------


def _diff_pct(new: Any, base: Any) -> float | None:
    if missing(new) or missing(base) or base == 0:
        return None
    return round(100.0 * (new - base) / base, 1)


METRICS = {"insns": "insns", "states": "total_states", "peak": "peak_states", "time_us": "vtime_us"}


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
    keys = ["project", "object", "program"]
    data: pd.DataFrame | None = None
    for v in ran:
        progs = rs.of(v).programs_frame().rename(columns={"name": "program"})
        side = progs[[*keys, "verdict", *METRICS.values()]].rename(
            columns={"verdict": f"verdict_{v}", **{c: f"{m}_{v}" for m, c in METRICS.items()}}
        )
        data = side if data is None else data.merge(side, on=keys, how="outer")
    assert data is not None
    data = data.sort_values(keys, kind="stable").reset_index(drop=True).astype(object)
    data = data.where(data.notna(), None)
    for v in ran:
        data[f"verdict_{v}"] = data[f"verdict_{v}"].fillna("missing")
    for v in ran[1:]:
        for m in ("insns", "states", "time"):
            col = "time_us" if m == "time" else m
            data[f"{m}_diff_pct_{v}"] = [
                _diff_pct(n, b)
                for n, b in zip(data[f"{col}_{v}"], data[f"{col}_{base}"], strict=True)
            ]

    def differs(row: pd.Series) -> str:
        out = set()
        for v in ran[1:]:
            if row[f"verdict_{v}"] != row[f"verdict_{base}"]:
                out.add("verdict")
            both = "missing" not in (row[f"verdict_{v}"], row[f"verdict_{base}"])
            for m, what in (("insns", "insns"), ("states", "states")):
                if both and row[f"{m}_{v}"] != row[f"{m}_{base}"]:
                    out.add(what)
        return ",".join(sorted(out))

    data["differs"] = data.apply(differs, axis=1) if len(data) else pd.Series(dtype=object)
    columns = [*keys]
    for v in ran:
        columns += [f"verdict_{v}", f"insns_{v}", f"states_{v}", f"peak_{v}", f"time_us_{v}"]
    for v in ran[1:]:
        columns += [f"insns_diff_pct_{v}", f"states_diff_pct_{v}", f"time_diff_pct_{v}"]
    data = data[[*columns, "differs"]]

    changed = data[data["differs"] != ""]
    in_verdict = changed["differs"].str.contains("verdict")
    notes = [
        f"{len(data)} programs; baseline {base}. {len(changed)} differ in verdict, instructions "
        f"processed or states ({int(in_verdict.sum())} in verdict). "
        "Time is shown but never counted as a difference (it is noise at this scale).",
    ]
    moves = []
    for v in ran[1:]:
        moved = data[data[f"verdict_{v}"] != data[f"verdict_{base}"]]
        counts = moved.groupby([f"verdict_{base}", f"verdict_{v}"]).size()
        moves += [(v, bv, pv, n) for (bv, pv), n in counts.items()]
    notes += [f"- {base} {bv} → {v} {pv}: {n}" for v, bv, pv, n in sorted(moves)]

    def cell(row: pd.Series, v: str) -> str:
        verdict = row[f"verdict_{v}"]
        text = f"**{verdict}**" if "verdict" in row["differs"] else verdict
        if row[f"insns_{v}"] is not None:
            text += f" · {row[f'insns_{v}']} insns · {row[f'states_{v}']} st"
        return str(text)

    md = pd.DataFrame(
        {
            "object": changed["project"] + "/" + changed["object"],
            "program": changed["program"],
            **{v: changed.apply(cell, axis=1, args=(v,)) for v in ran},
        },
        columns=["object", "program", *ran],
    )
    if len(md) > md_limit:
        notes.append(f"Showing the first {md_limit} of {len(md)} differing rows; the CSV has all.")
        md = md.iloc[:md_limit]
    if md.empty:
        notes.append("No program differs between the variants.")
    return Table(title, data, notes=notes, md=md)


# -- veristat --------------------------------------------------------------------------------

# The columns of `veristat -o csv` that a result records, in veristat's order; `veristat -C`
# joins two such files by file and program name and needs the same columns in both.
VERISTAT_COLUMNS = {
    "file_name": "file_name",
    "prog_name": "name",
    "verdict": "verdict",
    "duration": "vtime_us",
    "total_insns": "insns",
    "total_states": "total_states",
    "peak_states": "peak_states",
    "max_states_per_insn": "max_states_per_insn",
}


def veristat(rs: ResultSet, variant: str) -> Table:
    """One variant's programs as ``veristat -o csv`` writes them, for ``veristat -C A B``.

    veristat splits lines on commas without quoting and parses every statistic as an integer:
    a file is ``project/object`` (objects of two projects may share a name), a statistic the
    log did not give is 0, and a program that did not load is ``failure`` whatever the reason
    (the verdict columns of the other tables say which).
    """
    title = f"Per-program statistics in veristat's CSV format — variant {variant}"
    vrs = rs.of(variant)
    if not vrs.objects:
        return Table.unavailable(title, f"Variant {variant} has no results: it has not run.")
    progs = vrs.programs_frame()
    named = progs[progs["name"] != ""].copy()
    named["file_name"] = named["project"] + "/" + named["object"]
    named["verdict"] = named["verdict"].map(lambda v: "success" if v == "loaded" else "failure")
    data = named[list(VERISTAT_COLUMNS.values())].set_axis(list(VERISTAT_COLUMNS), axis=1)
    for col in ("file_name", "prog_name"):
        data[col] = data[col].str.replace(",", "_", regex=False)
    for col in list(VERISTAT_COLUMNS)[3:]:
        data[col] = [0 if v is None else int(v) for v in data[col]]
    data = data.sort_values(["file_name", "prog_name"], kind="stable").reset_index(drop=True)
    notes = [
        f"{len(data)} programs; compare two variants with "
        f"`veristat -C tables/A/veristat.csv tables/B/veristat.csv`."
    ]
    if skipped := len(progs) - len(named):
        notes.append(f"{skipped} failures without a program name (the object did not open).")
    return Table(title, data, notes=notes)
