"""The paper's outputs from BCF runs: the acceptance summary (§6.2), Table 2 and load times.

A BCF variant is ``bcf`` (the project's), ``upstream`` (the paper's patches) or any variant whose
results carry BCF records; the baseline is the first configured variant (``kernel.baseline``).
When none has run, each output says so.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bcfpipe.aggregate.results import ObjectResult, Program, ResultSet, baseline
from bcfpipe.aggregate.table import Table, pct


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
    stock = {o.key: o for o in rs.of(base).objects}
    stock_progs = {p.key: p for p in rs.of(base).programs()}
    rows: list[list[Any]] = []
    notes = []
    for v in bcf:
        objs = {o.key: o for o in rs.of(v).objects}
        if not objs:
            rows.append([v, "not run", "", "", "", f"variant {v} is configured but has no results"])
            notes.append(f"Variant {v} has not run (no results).")
            continue
        common = [k for k in stock if k in objs]
        rejected = [k for k in common if stock[k].verdict == "rejected"]
        accepted = [k for k in rejected if objs[k].verdict == "loaded"]
        regressed = [
            k for k in common if stock[k].verdict == "loaded" and objs[k].verdict != "loaded"
        ]
        # A unique rejection is accepted when every object of its class loads.
        classes: dict[tuple[str, Any], list[tuple[str, str]]] = defaultdict(list)
        for k in rejected:
            classes[(stock[k].project, stock[k].signature)].append(k)
        u_acc = sum(all(objs[k].verdict == "loaded" for k in ks) for ks in classes.values())
        u_part = sum(
            0 < sum(objs[k].verdict == "loaded" for k in ks) < len(ks) for ks in classes.values()
        )
        vprogs = {p.key: p for p in rs.of(v).programs()}
        p_common = [k for k in stock_progs if k in vprogs]
        p_rej = [k for k in p_common if stock_progs[k].verdict == "rejected"]
        p_acc = [k for k in p_rej if vprogs[k].verdict == "loaded"]
        p_classes: dict[tuple[str, Any], list[tuple[str, str, str]]] = defaultdict(list)
        for pk in p_rej:
            p_classes[(pk[0], stock_progs[pk].signature)].append(pk)
        pu_acc = sum(all(vprogs[k].verdict == "loaded" for k in ks) for ks in p_classes.values())
        loaded_stock = sum(stock[k].verdict == "loaded" for k in common)
        loaded_v = sum(objs[k].verdict == "loaded" for k in common)
        outcomes = Counter((objs[k].bcf or {}).get("outcome", "no record") for k in rejected)
        rows += [
            [v, "objects loaded", loaded_stock, loaded_v, len(common), "all objects in both runs"],
            [
                v,
                "rejected objects accepted (raw)",
                len(rejected),
                len(accepted),
                pct(len(accepted), len(rejected)),
                "objects rejected by stock that load with the variant",
            ],
            [
                v,
                "unique rejections accepted",
                len(classes),
                u_acc,
                pct(u_acc, len(classes)),
                f"every object of the class loads; {u_part} classes only partly",
            ],
            [
                v,
                "rejected programs accepted (raw)",
                len(p_rej),
                len(p_acc),
                pct(len(p_acc), len(p_rej)),
                "programs rejected by stock that load with the variant",
            ],
            [
                v,
                "unique rejected programs accepted",
                len(p_classes),
                pu_acc,
                pct(pu_acc, len(p_classes)),
                "program-level classes, every member loads",
            ],
            [
                v,
                "loaded by stock, not by the variant",
                loaded_stock,
                len(regressed),
                pct(len(regressed), loaded_stock),
                "regressions: must be 0 (a load without certificates behaves as stock)",
            ],
        ]
        notes.append(
            f"{v}: {len(accepted)} of {len(rejected)} objects rejected by {base} load "
            f"({pct(len(accepted), len(rejected))}); {u_acc} of {len(classes)} unique rejections "
            f"({pct(u_acc, len(classes))}). Paper: 403 of 512 unique (78.7%)."
        )
        notes.append(
            f"{v}: BCF outcome of the stock-rejected objects: "
            + ", ".join(f"{o} {n}" for o, n in sorted(outcomes.items()))
            + "."
        )
    return Table(
        title,
        ["variant", "measure", base, "variant_value", "share", "meaning"],
        rows,
        notes=notes,
    )


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
            vals = m.values(progs)
            if not vals:
                rows.append([v, m.name, m.unit, 0, None, None, None])
                continue
            rows.append(
                [v, m.name, m.unit, len(vals), min(vals), statistics.fmean(vals), max(vals)]
            )
    if not rows:
        return Table.unavailable(title, " ".join(notes))
    notes.append(
        "Per-refinement rows count refinements; per-program rows (refinements, ratios) count "
        "programs with at least one refinement. Proof time is the user-space solver time."
    )
    return Table(title, ["variant", "metric", "unit", "n", "min", "avg", "max"], rows, notes=notes)


# -- load time -------------------------------------------------------------------------------


def _quantile(vals: list[float], q: float) -> float | None:
    if not vals:
        return None
    s = sorted(vals)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def load_time(rs: ResultSet, variants: Sequence[str]) -> Table:
    title = "Load time per variant"
    ran = [v for v in variants if rs.of(v).objects]
    if not ran:
        return Table.unavailable(title, "No variant has results yet.")
    rows: list[list[Any]] = []
    base = {p.key: p for p in rs.of(ran[0]).programs() if p.verdict == "loaded"}
    for v in ran:
        objs: list[ObjectResult] = rs.of(v).objects
        loaded = [p for p in rs.of(v).programs() if p.verdict == "loaded"]
        vt = [float(p.vtime_us) for p in loaded if p.vtime_us is not None]
        ln = [p.load_ns / 1e6 for p in loaded if p.load_ns is not None]
        both = [
            (p.vtime_us, base[p.key].vtime_us)
            for p in loaded
            if p.key in base and p.vtime_us and base[p.key].vtime_us
        ]
        ratio = _quantile([a / b for a, b in both if b], 0.5) if v != ran[0] else None
        rows.append(
            [
                v,
                len(loaded),
                _quantile(vt, 0.5),
                statistics.fmean(vt) if vt else None,
                _quantile(vt, 0.9),
                max(vt) if vt else None,
                _quantile(ln, 0.5),
                sum(o.wall_seconds for o in objs),
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
        [
            "variant",
            "programs_loaded",
            "verif_us_median",
            "verif_us_mean",
            "verif_us_p90",
            "verif_us_max",
            "load_ms_median",
            "vm_wall_s_total",
            "programs_compared",
            f"verif_ratio_median_vs_{ran[0]}",
        ],
        rows,
        notes=notes,
    )
