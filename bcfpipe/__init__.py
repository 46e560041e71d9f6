"""bcfpipe: the reproducible pipeline for BCF, the proof-guided eBPF verifier."""

__version__ = "0.1.0"
