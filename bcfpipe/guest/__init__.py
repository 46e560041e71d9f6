"""Guest stage (``rules/guest.smk``): the initramfs, the VM, a variant's VM spec, the accelerator
probe and the boot check.

* :mod:`.initramfs` writes the guest's cpio archive of static binaries;
* :mod:`.vm` boots QEMU on a shared folder and reads the outcome;
* :mod:`.job` makes a VM job's shared folder (its inputs and ``run.sh``) and removes it;
* :mod:`.probe` chooses KVM or TCG by a real boot and checks a built kernel boots;
* :mod:`.vmspec` is what a variant's VM jobs boot, with their load settings.
"""
