"""Selftests stage (``rules/selftests.smk``): the kernel's own verifier tests per variant.

* :mod:`.verifier` builds and runs ``test_verifier`` and compares variants;
* :mod:`.corpus` compiles the tree's BPF selftest programs and checks their annotations.
"""
