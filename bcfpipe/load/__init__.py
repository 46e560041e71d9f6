"""Load stage (``rules/load.smk``): load every object in a fresh VM and record the verdicts.

* :mod:`.loadjob` the VM jobs and the per-object result JSON;
* :mod:`.bcfloop` the BCF rounds (condition out, proof in);
* :mod:`.vlog` and :mod:`.bpftoollog` parse the loaders' logs;
* :mod:`.plan` partial reruns, load batches, the per-variant collection of results;
* :mod:`.truth` compares verdicts with the corpus's ground truth.
"""
