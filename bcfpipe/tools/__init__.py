"""Tools stage (``rules/tools.smk``): tools built from source, cvc5 (:mod:`.solver`)."""
