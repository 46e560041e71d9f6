"""Corpus stage (``rules/corpus.smk``): compile, index or import the BPF programs.

* :mod:`.objects` the sources, their ground truth, the compiled objects and their index;
* :mod:`.elf` reads program sections from BPF objects.
"""
