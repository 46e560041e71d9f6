"""The paper's outputs from BCF runs: the acceptance summary (§6.2), Table 2 and load times.

A BCF variant is ``bcf`` (the project's), ``upstream`` (the paper's patches) or any variant whose
results carry BCF records; the baseline is the first configured variant (``kernel.baseline``).
When none has run, each output says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bcfpipe.aggregate.results import Program, ResultSet, baseline
from bcfpipe.aggregate.table import Table, frame, pct


def no_bcf_run(configured: Sequence[str]) -> str:
    return (
        "No BCF variant has run: the configured variants are "
        f"{', '.join(configured) or 'none'}, and none of them is bcf (the project's BCF), "
        "upstream (the paper's patches) or a variant with BCF records in its results. "
        "Add one to kernel.variants to reproduce this output."
    )


def _baseline_missing(rs: ResultSet, base: str) -> str | None:
    if rs.of(base).objects:
        return None
    return f"The baseline variant {base} has no results; it is needed to compare against."


# -- acceptance ------------------------------------------------------------------------------


def acceptance(rs: ResultSet, bcf: Sequence[str], configured: Sequence[str]) -> Table:
    """Rejected by stock → accepted with BCF, over raw objects and unique rejections."""
    title = "Acceptance: rejected by stock, accepted with BCF"
    if not bcf:
        return Table.unavailable(title, no_bcf_run(configured))
    base = baseline(configured)
    if why := _baseline_missing(rs, base):
        return Table.unavailable(title, why)
    stock_objs, stock_progs = rs.of(base).objects_frame(), rs.of(base).programs_frame()
    rows: list[list[Any]] = []
    notes = []
    for v in bcf:
        vrs = rs.of(v)
        if not vrs.objects:
            rows.append([v, "not run", "", "", "", f"variant {v} is configured but has no results"])
            notes.append(f"Variant {v} has not run (no results).")
            continue
        # Objects (programs) both runs have, the baseline's verdict beside the variant's.
        objs = _beside(stock_objs, vrs.objects_frame(), ["bcf_outcome"])
        progs = _beside(stock_progs, vrs.programs_frame(), [])
        rej = objs[objs["verdict"] == "rejected"]
        n_rej, n_acc = len(rej), int(rej["loads"].sum())
        regressed = int(((objs["verdict"] == "loaded") & ~objs["loads"]).sum())
        # A unique rejection is accepted when every object of its class loads.
        classes = rej.groupby(["project", "signature"])["loads"].agg(["sum", "size"])
        u_acc = int((classes["sum"] == classes["size"]).sum())
        u_part = int(((classes["sum"] > 0) & (classes["sum"] < classes["size"])).sum())
        p_rej = progs[progs["verdict"] == "rejected"]
        p_classes = p_rej.groupby(["project", "signature"])["loads"].agg(["sum", "size"])
        pu_acc = int((p_classes["sum"] == p_classes["size"]).sum())
        loaded_stock = int((objs["verdict"] == "loaded").sum())
        loaded_v = int(objs["loads"].sum())
        outcomes = Counter(rej["bcf_outcome_v"])
        common, classes_n, p_classes_n = len(objs), len(classes), len(p_classes)
        p_n_rej, p_n_acc = len(p_rej), int(p_rej["loads"].sum())
        rows += [
            [v, "objects loaded", loaded_stock, loaded_v, common, "all objects in both runs"],
            [
                v,
                "rejected objects accepted (raw)",
                n_rej,
                n_acc,
                pct(n_acc, n_rej),
                "objects rejected by stock that load with the variant",
            ],
            [
                v,
                "unique rejections accepted",
                classes_n,
                u_acc,
                pct(u_acc, classes_n),
                f"every object of the class loads; {u_part} classes only partly",
            ],
            [
                v,
                "rejected programs accepted (raw)",
                p_n_rej,
                p_n_acc,
                pct(p_n_acc, p_n_rej),
                "programs rejected by stock that load with the variant",
            ],
            [
                v,
                "unique rejected programs accepted",
                p_classes_n,
                pu_acc,
                pct(pu_acc, p_classes_n),
                "program-level classes, every member loads",
            ],
            [
                v,
                "loaded by stock, not by the variant",
                loaded_stock,
                regressed,
                pct(regressed, loaded_stock),
                "regressions: must be 0 (a load without certificates behaves as stock)",
            ],
        ]
        notes.append(
            f"{v}: {n_acc} of {n_rej} objects rejected by {base} load "
            f"({pct(n_acc, n_rej)}); {u_acc} of {classes_n} unique rejections "
            f"({pct(u_acc, classes_n)}). Paper: 403 of 512 unique (78.7%)."
        )
        notes.append(
            f"{v}: BCF outcome of the stock-rejected objects: "
            + ", ".join(f"{o} {n}" for o, n in sorted(outcomes.items()))
            + "."
        )
    return Table(
        title,
        frame(["variant", "measure", base, "variant_value", "share", "meaning"], rows),
        notes=notes,
    )


def _beside(base: pd.DataFrame, other: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    """The rows ``base`` and ``other`` share (by key): base's columns, ``loads`` (the other
    variant loaded it) and ``extra`` columns of the other with a ``_v`` suffix."""
    right = other[["key", "verdict", *extra]].rename(
        columns={"verdict": "verdict_v", **{c: f"{c}_v" for c in extra}}
    )
    both = base.merge(right, on="key", how="inner")
    both["loads"] = both["verdict_v"] == "loaded"
    return both


# -- BCF outcomes ----------------------------------------------------------------------------

# Columns in the order a reader asks: did it load, was a real bug found, what stopped BCF.
OUTCOME_COLUMNS = [
    "accepted",
    "refuted",
    "unprovable",
    "budget (rounds)",
    "budget (conditions)",
    "not_refinable",
    "not_needed",
    "no record",
]


# The replay of a refuted object's model (bcfpipe/bcf/replay.py), after the outcome columns.
REPLAY_COLUMNS = ["refuted: reproduced", "refuted: diverged", "refuted: unsupported"]


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """A crosstab over (variant, project) with a row (variant, "all") per variant summing its
    projects."""
    for v in counts.index.get_level_values(0).unique():
        counts.loc[(v, "all"), :] = counts.loc[v].sum()
    return counts


def outcome_label(outcome: str, budget: str) -> str:
    """An outcome column of the table: budget is split by what ran out."""
    return f"budget ({budget or 'rounds'})" if outcome == "budget" else outcome


def bcf_outcomes(rs: ResultSet, bcf: Sequence[str], configured: Sequence[str]) -> Table:
    """What BCF did with each object the baseline rejects, per variant and project."""
    title = "BCF outcomes of the objects the baseline rejects"
    if not bcf:
        return Table.unavailable(title, no_bcf_run(configured))
    base = baseline(configured)
    if why := _baseline_missing(rs, base):
        return Table.unavailable(title, why)
    stock = rs.of(base).objects_frame()
    rejected = stock[stock["verdict"] == "rejected"]
    parts = []
    for v in bcf:
        both = _beside(
            rejected, rs.of(v).objects_frame(), ["bcf_outcome", "bcf_budget", "bcf_replay"]
        )
        both["outcome"] = [
            outcome_label(o, b)
            for o, b in zip(both["bcf_outcome_v"], both["bcf_budget_v"], strict=True)
        ]
        parts.append(both.assign(variant=v))
    every = pd.concat(parts, ignore_index=True)
    if every.empty:
        return Table.unavailable(title, f"No object rejected by {base} has a result of {bcf}.")
    counts = _with_totals(pd.crosstab([every["variant"], every["project"]], every["outcome"]))
    extra = sorted(set(counts.columns) - set(OUTCOME_COLUMNS))
    counts = counts.reindex(columns=OUTCOME_COLUMNS + extra, fill_value=0).fillna(0).astype(int)
    counts = counts.sort_index(
        key=lambda ix: ix.map(lambda x: (x == "all", x)) if ix.name == "project" else ix
    )
    counts.insert(0, f"rejected_by_{base}", counts.sum(axis=1))
    refuted = every[every["outcome"] == "refuted"]
    replays = _with_totals(
        pd.crosstab([refuted["variant"], refuted["project"]], "refuted: " + refuted["bcf_replay_v"])
    )
    counts[REPLAY_COLUMNS] = (
        replays.reindex(index=counts.index, columns=REPLAY_COLUMNS).fillna(0).astype(int)
    )
    data = counts.reset_index()
    notes = [
        f"Each object {base} rejects, by what the BCF loop ended with: accepted (loads), refuted "
        "(a condition has a counterexample), unprovable (the prover gave up on a condition), "
        "budget (load.bcf_rounds ran out; 'conditions' when the last load's batch was full), "
        "not_refinable (rejected by an error BCF does not refine), not_needed (loaded with no "
        "refinement). Each result's bcf.detail says which condition or error.",
        "The refuted objects again, by what the replay of the refutation's model on the "
        "program did (docs/bcf-kernel.md, 'Replay of refutations'): reproduced (a concrete "
        "input reaches the fault), diverged (the model is no execution) or unsupported; objects "
        "loaded before the replay existed count in none of them.",
    ]
    return Table(title, data, notes=notes)


# -- Table 2 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    values: Callable[[list[Program]], list[float]]


def _per_refinement(
    get: Callable[[Any], float | None],
) -> Callable[[list[Program]], list[float]]:
    # A field the loader does not report (None) is left out, not counted as 0.
    return lambda progs: [
        float(v) for p in progs for r in p.refinements if (v := get(r)) is not None
    ]


def _proof_over_verification(progs: list[Program]) -> list[float]:
    # Proof time is the user-space solving time of all the program's refinements; verification
    # time is the kernel's own figure for the load that was accepted (or the last one).
    # Programs whose loader reports no solver time (the paper's bpftool) are left out.
    return [
        100.0
        * sum(r.solve_seconds or 0.0 for r in p.refinements if not r.cached)
        / (p.vtime_us / 1e6)
        for p in progs
        if p.vtime_us and all(r.solve_seconds is not None for r in p.refinements)
    ]


def _insns_needing_proof(progs: list[Program]) -> list[float]:
    # Instructions a log does not name (insn -1) are not counted; a program with none is left out.
    out = []
    for p in progs:
        insns = {r.insn for r in p.refinements if r.insn >= 0}
        if p.insns and insns:
            out.append(100.0 * len(insns) / p.insns)
    return out


TABLE2: list[Metric] = [
    Metric("refinements per program", "count", lambda ps: [float(len(p.refinements)) for p in ps]),
    Metric("symbolic track length", "insns", _per_refinement(lambda r: r.track_length)),
    Metric("condition size", "bytes", _per_refinement(lambda r: r.condition_bytes)),
    # a certificate checked once serves every path of the load that gives its condition
    Metric(
        "certificate check time",
        "µs",
        _per_refinement(lambda r: None if r.cached else r.check_ns / 1e3),
    ),
    Metric("certificate size", "bytes", _per_refinement(lambda r: r.certificate_bytes)),
    Metric("proof time / verification time", "%", _proof_over_verification),
    Metric("insns needing a proof / insns processed", "%", _insns_needing_proof),
]


def refined_programs(rs: ResultSet, variant: str) -> list[Program]:
    return [p for p in rs.of(variant).programs() if p.refinements]


def table2(rs: ResultSet, bcf: Sequence[str], configured: Sequence[str]) -> Table:
    title = "Table 2: refinements, certificates and proof cost"
    if not bcf:
        return Table.unavailable(title, no_bcf_run(configured))
    rows: list[list[Any]] = []
    notes = []
    for v in bcf:
        progs = refined_programs(rs, v)
        if not rs.of(v).objects:
            notes.append(f"Variant {v} has not run (no results).")
            continue
        if not progs:
            notes.append(f"Variant {v} ran, but no program needed a refinement.")
            continue
        n_ref = sum(len(p.refinements) for p in progs)
        notes.append(f"{v}: {n_ref} refinements in {len(progs)} programs.")
        for m in TABLE2:
            vals = pd.Series(m.values(progs), dtype=float)
            if vals.empty:
                rows.append([v, m.name, m.unit, 0, None, None, None])
                continue
            rows.append([v, m.name, m.unit, len(vals), vals.min(), vals.mean(), vals.max()])
    if not rows:
        return Table.unavailable(title, " ".join(notes))
    notes.append(
        "Per-refinement rows count refinements; per-program rows (refinements, ratios) count "
        "programs with at least one refinement. Proof time is the user-space solver time."
    )
    return Table(
        title, frame(["variant", "metric", "unit", "n", "min", "avg", "max"], rows), notes=notes
    )


# -- load time -------------------------------------------------------------------------------


def _quantile(vals: pd.Series, q: float) -> float | None:
    """The nearest-rank quantile (a value that occurred), None for no values."""
    s = vals.dropna().sort_values(ignore_index=True)
    if s.empty:
        return None
    return float(s.iloc[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))])


LOAD_TIME_COLUMNS = [
    "variant",
    "programs_loaded",
    "verif_us_median",
    "verif_us_mean",
    "verif_us_p90",
    "verif_us_max",
    "load_ms_median",
    "vm_wall_s_total",
    "programs_compared",
]


def load_time(rs: ResultSet, variants: Sequence[str]) -> Table:
    title = "Load time per variant"
    ran = [v for v in variants if rs.of(v).objects]
    if not ran:
        return Table.unavailable(title, "No variant has results yet.")
    rows: list[list[Any]] = []

    def loaded(v: str) -> pd.DataFrame:
        progs = rs.of(v).programs_frame()
        return progs[progs["verdict"] == "loaded"]

    base = loaded(ran[0])[["key", "vtime_us"]].rename(columns={"vtime_us": "base_us"})
    for v in ran:
        progs = loaded(v)
        vt = pd.to_numeric(progs["vtime_us"], errors="coerce").dropna().astype(float)
        ln = pd.to_numeric(progs["load_ns"], errors="coerce").dropna() / 1e6
        # Programs both loaded, with a verification time on both sides.
        both = progs.merge(base, on="key")
        both = both[
            both["vtime_us"].fillna(0).astype(bool) & both["base_us"].fillna(0).astype(bool)
        ]
        ratio = (
            _quantile(both["vtime_us"].astype(float) / both["base_us"].astype(float), 0.5)
            if v != ran[0]
            else None
        )
        rows.append(
            [
                v,
                len(progs),
                _quantile(vt, 0.5),
                float(vt.mean()) if len(vt) else None,
                _quantile(vt, 0.9),
                float(vt.max()) if len(vt) else None,
                _quantile(ln, 0.5),
                float(rs.of(v).objects_frame()["wall_seconds"].sum()),
                len(both) if v != ran[0] else None,
                ratio,
            ]
        )
    notes = [
        "Verification time is the kernel's own figure for loaded programs; load time is the "
        "loader's wall time around the load syscall (all rounds for BCF); VM wall time includes "
        f"booting. The ratio compares each program loaded by both {ran[0]} and the variant."
    ]
    missing = [v for v in variants if v not in ran]
    if missing:
        notes.append(f"Not run (no results): {', '.join(missing)}.")
    if len(ran) == 1:
        notes.append(f"Only {ran[0]} ran, so there is nothing to compare it with yet.")
    return Table(
        title,
        frame([*LOAD_TIME_COLUMNS, f"verif_ratio_median_vs_{ran[0]}"], rows),
        notes=notes,
    )
