"""Aggregation: per-object result JSONs → tables, the paper's outputs, figures, results README.

Everything here reads only the result JSONs written by :mod:`bcfpipe.load.loadjob` (and the
provenance manifest, which it names); nothing is typed in by hand.

* :mod:`.results` reads and validates result JSONs into typed records, and gives them as pandas
  frames (one row per object, one per program);
* :mod:`.table` is the one table type (a DataFrame), written as plain CSV with a provenance
  sidecar and as Markdown ending with the provenance line;
* :mod:`.tables` per-variant tables (verdict counts, unique rejections, error categories, compiler
  divergence, veristat's CSV) and the side-by-side comparison of variants;
* :mod:`.paper` the paper's outputs (acceptance summary, Table 2, load times);
* :mod:`.plots` Figure 8 and the load-time plot;
* :mod:`.readme` the generated ``results/README.md``.
"""
