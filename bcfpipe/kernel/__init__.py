"""Kernel stage (``rules/kernel.smk``): patch a variant's tree, configure and build it.

* :mod:`.patch` copies the pristine tree and applies a variant's series or patch sets;
* :mod:`.kconfig` merges and checks config fragments;
* :mod:`.build` configures and builds the kernel, bpftool and libbpf.
"""
