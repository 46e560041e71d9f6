"""Sources stage (``rules/fetch.smk``): fetch and unpack the configured sources, host preflight.

* :mod:`.source` fetches a source into the cache and unpacks it;
* :mod:`.git`, :mod:`.url`, :mod:`.apt` are its providers (apt through an isolated configuration);
* :mod:`.preflight` checks the host tools.
"""
