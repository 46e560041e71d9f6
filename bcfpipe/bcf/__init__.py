"""BCF user side: refinement conditions, their encodings, triage, bit-blasting and certificates.

The kernel emits a condition (``encoding``), user space proves it (``triage`` with cvc5, then
``bitblast`` + ``prover`` for an LRAT certificate), and the kernel checks the certificate against
its own bit-blasting of the same condition. ``checker`` is the Python twin of the kernel's checker.
"""
