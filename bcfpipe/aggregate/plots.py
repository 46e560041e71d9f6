"""Figure 8 (proof requests, check times, certificate sizes) and the load-time plot.

Every figure carries its provenance twice: a footer line on the page and the file's metadata
(PDF ``Subject``, PNG ``Source``). A figure that cannot be drawn yet says why on the page.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # Rules run headless; choose the backend before pyplot is imported.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from bcfpipe.aggregate.paper import no_bcf_run, refined_programs
from bcfpipe.aggregate.results import ResultSet

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def _save(fig: Figure, pdf: str | os.PathLike[str], png: str | os.PathLike[str], prov: str) -> None:
    fig.text(0.01, 0.005, f"provenance: {prov}", fontsize=6, color="0.35", ha="left", va="bottom")
    for path in (pdf, png):
        os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    # Fixed dates keep the files byte-identical when nothing changed.
    fig.savefig(pdf, metadata={"Subject": prov, "CreationDate": None, "ModDate": None})
    fig.savefig(png, dpi=150, metadata={"Source": prov})
    plt.close(fig)


def _message(title: str, text: str) -> Figure:
    fig = plt.figure(figsize=(8, 3))
    fig.suptitle(title, fontsize=12)
    fig.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=10)
    return fig


def _log_bins(values: Sequence[float], n: int = 30) -> np.ndarray:
    # Margins on both sides: an edge computed through log10 can land just inside the extreme
    # value and drop it from the histogram.
    lo = max(min(values), 1e-9) / 1.05
    hi = max(max(values), lo) * 1.05
    return np.logspace(np.log10(lo), np.log10(hi), n)


def _si(v: float) -> str:
    """1000 → 1k, 2e6 → 2M: short tick labels that never fall back to exponents."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:g}{suffix}"
    return f"{v:g}"


def _plain_log_ticks(axis: Axis) -> None:
    """Major ticks as plain numbers (100, 1k), minor ticks unlabelled: no overlapping 3×10¹."""
    lo, hi = sorted(axis.get_view_interval())
    if lo > 0 and np.log10(hi / lo) < 2.5:
        # A narrow range would show a single labelled tick; label 1-2-5 steps instead.
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _si(v)))
    axis.set_minor_formatter(NullFormatter())


def _count_axis(axis: Axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))


def figure8(
    rs: ResultSet,
    bcf: Sequence[str],
    configured: Sequence[str],
    pdf: str | os.PathLike[str],
    png: str | os.PathLike[str],
    prov: str,
) -> None:
    title = "Figure 8: proof requests, certificate check time and size"
    series = {v: refined_programs(rs, v) for v in bcf}
    series = {v: ps for v, ps in series.items() if ps}
    if not series:
        why = (
            no_bcf_run(configured)
            if not bcf
            else (
                f"BCF variant(s) {', '.join(bcf)}: no program has a refinement record yet "
                "(not run, or nothing needed a proof)."
            )
        )
        _save(_message(title, why), pdf, png, prov)
        return
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    fig.suptitle(title, fontsize=13)
    (a_req, a_time), (a_size, a_scatter) = axes
    # A check that took less than the guest clock's step reads 0, which a log axis cannot show:
    # such certificates are counted in the titles, not drawn at a made-up 1e-9.
    zero_checks = 0
    for i, (v, progs) in enumerate(series.items()):
        c = COLORS[i % len(COLORS)]
        refs = [r for p in progs for r in p.refinements]
        per_prog = [len(p.refinements) for p in progs]
        # a certificate checked once for several paths of a load is drawn once
        own = [r for r in refs if not r.cached]
        sizes = [float(r.certificate_bytes) for r in refs]
        timed = [(float(r.certificate_bytes), r.check_ns / 1e3) for r in own if r.check_ns > 0]
        zero_checks += len(own) - len(timed)
        label = f"{v} ({len(refs)} refinements, {len(progs)} programs)"
        top = max(per_prog)
        a_req.hist(
            per_prog,
            bins=np.arange(0.5, top + 1.5, max(1, (top + 1) // 30)),
            histtype="step" if len(series) > 1 else "bar",
            color=c,
            label=label,
            linewidth=1.5,
        )
        if timed:
            times = [t for _, t in timed]
            a_time.hist(times, bins=_log_bins(times), color=c, alpha=0.6, label=v)
            a_scatter.scatter([s for s, _ in timed], times, s=10, color=c, alpha=0.6, label=v)
        a_size.hist(sizes, bins=_log_bins(sizes), color=c, alpha=0.6, label=v)
    n_refs = sum(len(p.refinements) for ps in series.values() for p in ps)
    n_progs = sum(len(ps) for ps in series.values())
    zeros = (
        f"\n{zero_checks} at 0 µs (below the guest clock's step), not drawn" if zero_checks else ""
    )
    a_req.set(
        title=f"(a) proof requests per program (n = {n_progs} programs)",
        xlabel="refinements (proof requests) per program",
        ylabel="programs",
    )
    a_time.set(
        title=f"(b) certificate check time in the kernel (n = {n_refs}){zeros}",
        xlabel="check time per certificate (µs, log scale)",
        ylabel="certificates",
        xscale="log",
    )
    a_size.set(
        title=f"(c) certificate size (n = {n_refs})",
        xlabel="certificate size (bytes; k = 10³, M = 10⁶; log scale)",
        ylabel="certificates",
        xscale="log",
    )
    a_scatter.set(
        title=f"(d) certificate size vs check time (n = {n_refs}){zeros}",
        xlabel="certificate size (bytes; k = 10³, M = 10⁶; log scale)",
        ylabel="check time (µs, log scale)",
        xscale="log",
        yscale="log",
    )
    for ax in (a_req, a_time, a_size, a_scatter):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    for axis in (a_time.xaxis, a_size.xaxis, a_scatter.xaxis, a_scatter.yaxis):
        _plain_log_ticks(axis)
    for axis in (a_req.xaxis, a_req.yaxis, a_time.yaxis, a_size.yaxis):
        _count_axis(axis)
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    _save(fig, pdf, png, prov)


def load_time_plot(
    rs: ResultSet,
    variants: Sequence[str],
    pdf: str | os.PathLike[str],
    png: str | os.PathLike[str],
    prov: str,
) -> None:
    """Cumulative distribution of the kernel's verification time of loaded programs."""
    title = "Verification time of loaded programs, per variant"
    ran = [v for v in variants if rs.of(v).objects]
    if not ran:
        _save(_message(title, "No variant has results yet."), pdf, png, prov)
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, v in enumerate(ran):
        vt = sorted(p.vtime_us for p in rs.of(v).programs() if p.verdict == "loaded" and p.vtime_us)
        if not vt:
            continue
        y = np.arange(1, len(vt) + 1) / len(vt) * 100
        ax.step(vt, y, where="post", color=COLORS[i % len(COLORS)], label=f"{v} (n = {len(vt)})")
    missing = [v for v in variants if v not in ran]
    subtitle = f"not run: {', '.join(missing)}" if missing else ""
    if len(ran) == 1:
        subtitle = (subtitle + "; " if subtitle else "") + f"only {ran[0]} ran — nothing to compare"
    ax.set(
        title=title + (f"\n({subtitle})" if subtitle else ""),
        xlabel="verification time (µs, log scale)",
        ylabel="loaded programs (cumulative %)",
        xscale="log",
        ylim=(0, 100),
    )
    _plain_log_ticks(ax.xaxis)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    _save(fig, pdf, png, prov)
