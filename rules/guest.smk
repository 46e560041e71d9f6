GUEST = config["guest"]


def vm_args(timeout=None):
    return (
        f"--timeout {timeout or GUEST['boot_timeout_s']} --memory {GUEST['memory_mb']} "
        f"--qemu {GUEST['qemu']} --scratch '{GUEST['scratch']}'"
    )


rule trivial_object:
    input:
        src=str(BASE / "guest" / "trivial.bpf.c"),
    output:
        f"{RESULTS}/guest/trivial.o",
    log:
        f"{RESULTS}/logs/trivial_object.log",
    params:
        clang=lambda wc, input: bcfconfig.guest_clang(config),
    shell:
        "{BCFPIPE} compile-bpf --clang {params.clang} --src {input.src} --out {output} > {log} 2>&1"


def guest_bins(variant):
    """Guest binaries besides bpftool: the project's loader, or the solver for the paper's loop."""
    v = KERNELS[variant]
    if v["loader"] == "bpftool":
        return {"cvc5": f"{RESULTS}/tools/cvc5/cvc5"} if v["bcf"] else {}
    return {"bcfpipe-load": f"{RESULTS}/kernel/{variant}/bcfpipe-load"}


rule build_guest:
    input:
        bpftool=rules.build_tools.output.bpftool,
        extra=lambda wc: list(guest_bins(wc.variant).values()),
        init=str(BASE / "guest" / "init"),
    output:
        f"{RESULTS}/guest/{{variant}}/initramfs.cpio",
    log:
        f"{RESULTS}/logs/build_guest/{{variant}}.log",
    params:
        busybox=GUEST["busybox"],
        bins=lambda wc: " ".join(f"--bin {k}={p}" for k, p in guest_bins(wc.variant).items()),
    shell:
        "{BCFPIPE} build-guest --busybox {params.busybox} --init {input.init} "
        "--bin bpftool={input.bpftool} {params.bins} --out {output} > {log} 2>&1"


rule probe_accel:
    input:
        kernel=f"{RESULTS}/kernel/{first_variant()}/bzImage",
        initrd=f"{RESULTS}/guest/{first_variant()}/initramfs.cpio",
        obj=rules.trivial_object.output,
    output:
        f"{RESULTS}/host/accel.json",
    log:
        f"{RESULTS}/logs/probe_accel.log",
    resources:
        vm_slots=1,
        mem_mb=VM_MEM_MB,
    params:
        mode=GUEST["accel"],
        vm=vm_args(GUEST["kvm_probe_timeout_s"]),
    shell:
        "{BCFPIPE} probe-accel --kernel {input.kernel} --initrd {input.initrd} --obj {input.obj} "
        "--mode {params.mode} {params.vm} --out {output} > {log} 2> >(tee -a {log} >&2)"


rule boot_check:
    input:
        kernel=rules.build_kernel.output.image,
        info=rules.build_kernel.output.info,
        initrd=rules.build_guest.output,
        obj=rules.trivial_object.output,
        accel=rules.probe_accel.output,
    output:
        f"{RESULTS}/kernel/{{variant}}/boot_check.json",
    log:
        console=f"{RESULTS}/logs/boot_check/{{variant}}.console.log",
        log=f"{RESULTS}/logs/boot_check/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/boot_check/{{variant}}.tsv"
    resources:
        vm_slots=1,
        mem_mb=VM_MEM_MB,
    params:
        vm=vm_args(),
    shell:
        "{BCFPIPE} boot-check --kernel {input.kernel} --initrd {input.initrd} --obj {input.obj} "
        "--accel {input.accel} --build-info {input.info} {params.vm} --console {log.console} "
        "--out {output} > {log.log} 2>&1"


# The variant's guest, booted once and saved: every VM job resumes it instead of booting
# (bcfpipe/guest/snapshot.py; guest.snapshot). The state (~50 MB) stays in work/, the record
# that describes it is the result.
rule guest_snapshot:
    input:
        kernel=rules.build_kernel.output.image,
        initrd=rules.build_guest.output,
        accel=rules.probe_accel.output,
    output:
        state=f"{WORK}/snapshots/{{variant}}/guest.state",
        record=f"{RESULTS}/guest/{{variant}}/snapshot.json",
    log:
        f"{RESULTS}/logs/guest_snapshot/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/guest_snapshot/{{variant}}.tsv"
    resources:
        vm_slots=1,
        mem_mb=VM_MEM_MB,
    params:
        cmdline=lambda wc: KERNELS[wc.variant]["cmdline"],
        vm=vm_args(),
        # Not passed on: how the guest's clock is set (clock.py), so that a guest saved before it
        # was is saved again. A host of another TSC rate does not reuse the state either: its
        # jobs boot (snapshot.mismatch, recorded in each result's vm.start_detail).
        clock=bcfclock.GUEST_CLOCK,
    shell:
        "{BCFPIPE} guest-snapshot --kernel {input.kernel} --initrd {input.initrd} "
        "--accel {input.accel} --cmdline={params.cmdline:q} {params.vm} --state {output.state} "
        "--out {output.record} > {log} 2>&1"


def snapshot_record(wildcards):
    if not GUEST["snapshot"]:
        return []
    return rules.guest_snapshot.output.record.format(variant=wildcards.variant)


# What every VM job of a variant boots, and how it loads, in one file: a load job then depends
# on it and on its object alone (two inputs to plan per job, not five), and a changed kernel,
# initramfs or load setting reruns that variant's loads through this rule. Local on a cluster:
# it hashes two files, less time than a queue wait.
localrules:
    vm_spec,


rule vm_spec:
    input:
        kernel=rules.build_kernel.output.image,
        initrd=rules.build_guest.output,
        accel=rules.probe_accel.output,
        snapshot=snapshot_record,
    output:
        f"{RESULTS}/guest/{{variant}}/vm.json",
    log:
        f"{RESULTS}/logs/vm_spec/{{variant}}.log",
    params:
        settings=lambda wc: bcfvmspec.settings_arg(config, KERNELS[wc.variant]),
    shell:
        "{BCFPIPE} vm-spec --variant {wildcards.variant} --kernel {input.kernel} "
        "--initrd {input.initrd} --accel {input.accel} --settings {params.settings:q} "
        "--snapshot '{input.snapshot}' --out {output} > {log} 2>&1"
