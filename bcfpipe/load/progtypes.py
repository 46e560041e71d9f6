"""Program types as a corpus states them: bpftool's type names, resolved as bpftool does.

The paper's ``obj_prog_type.json`` gives each object one type in bpftool's words (``prog load …
type NAME``: ``classifier``, ``xdp``, ``kprobe``, ``cgroup/skb``, …). bpftool resolves NAME with
``libbpf_prog_type_by_name(NAME)``, then ``NAME/`` (``tools/bpf/bpftool/prog.c``,
``load_with_options``), and libbpf matches it against its section table (``section_defs`` in
``tools/lib/bpf/libbpf.c``: ``x+`` matches ``x`` and ``x/…``, ``x/`` any ``x/…``, the rest exactly).
The guest loader (``guest/bcfpipe-load.c``, ``-t PROG=NAME``) calls the same libbpf function
once, with what it is given; :func:`resolve` gives it the name bpftool would have settled on.
"""

from __future__ import annotations

# libbpf's section_defs of Linux 6.12, in its order (the first match wins): section:type.
_SECTIONS = """
    socket:socket_filter sk_reuseport/migrate:sk_reuseport sk_reuseport:sk_reuseport
    kprobe+:kprobe uprobe+:kprobe uprobe.s+:kprobe kretprobe+:kprobe uretprobe+:kprobe
    uretprobe.s+:kprobe kprobe.multi+:kprobe kretprobe.multi+:kprobe kprobe.session+:kprobe
    uprobe.multi+:kprobe uretprobe.multi+:kprobe uprobe.multi.s+:kprobe
    uretprobe.multi.s+:kprobe ksyscall+:kprobe kretsyscall+:kprobe usdt+:kprobe usdt.s+:kprobe
    tc/ingress:sched_cls tc/egress:sched_cls tcx/ingress:sched_cls tcx/egress:sched_cls
    tc:sched_cls classifier:sched_cls action:sched_act netkit/primary:sched_cls
    netkit/peer:sched_cls tracepoint+:tracepoint tp+:tracepoint raw_tracepoint+:raw_tracepoint
    raw_tp+:raw_tracepoint raw_tracepoint.w+:raw_tracepoint_writable
    raw_tp.w+:raw_tracepoint_writable tp_btf+:tracing fentry+:tracing fmod_ret+:tracing
    fexit+:tracing fentry.s+:tracing fmod_ret.s+:tracing fexit.s+:tracing freplace+:ext lsm+:lsm
    lsm.s+:lsm lsm_cgroup+:lsm iter+:tracing iter.s+:tracing syscall:syscall
    xdp.frags/devmap:xdp xdp/devmap:xdp xdp.frags/cpumap:xdp xdp/cpumap:xdp xdp.frags:xdp
    xdp:xdp perf_event:perf_event lwt_in:lwt_in lwt_out:lwt_out lwt_xmit:lwt_xmit
    lwt_seg6local:lwt_seg6local sockops:sock_ops sk_skb/stream_parser:sk_skb
    sk_skb/stream_verdict:sk_skb sk_skb/verdict:sk_skb sk_skb:sk_skb sk_msg:sk_msg
    lirc_mode2:lirc_mode2 flow_dissector:flow_dissector cgroup_skb/ingress:cgroup_skb
    cgroup_skb/egress:cgroup_skb cgroup/skb:cgroup_skb cgroup/sock_create:cgroup_sock
    cgroup/sock_release:cgroup_sock cgroup/sock:cgroup_sock cgroup/post_bind4:cgroup_sock
    cgroup/post_bind6:cgroup_sock cgroup/bind4:cgroup_sock_addr cgroup/bind6:cgroup_sock_addr
    cgroup/connect4:cgroup_sock_addr cgroup/connect6:cgroup_sock_addr
    cgroup/connect_unix:cgroup_sock_addr cgroup/sendmsg4:cgroup_sock_addr
    cgroup/sendmsg6:cgroup_sock_addr cgroup/sendmsg_unix:cgroup_sock_addr
    cgroup/recvmsg4:cgroup_sock_addr cgroup/recvmsg6:cgroup_sock_addr
    cgroup/recvmsg_unix:cgroup_sock_addr cgroup/getpeername4:cgroup_sock_addr
    cgroup/getpeername6:cgroup_sock_addr cgroup/getpeername_unix:cgroup_sock_addr
    cgroup/getsockname4:cgroup_sock_addr cgroup/getsockname6:cgroup_sock_addr
    cgroup/getsockname_unix:cgroup_sock_addr cgroup/sysctl:cgroup_sysctl
    cgroup/getsockopt:cgroup_sockopt cgroup/setsockopt:cgroup_sockopt cgroup/dev:cgroup_device
    struct_ops+:struct_ops struct_ops.s+:struct_ops sk_lookup:sk_lookup netfilter:netfilter
"""
SECTION_DEFS: tuple[tuple[str, str], ...] = tuple(
    (sec, prog_type) for sec, _, prog_type in (item.partition(":") for item in _SECTIONS.split())
)

# The TYPE list of `bpftool prog help` (6.12): what the paper's obj_prog_type.json may say.
_BPFTOOL = """
    socket kprobe kretprobe classifier action tracepoint raw_tracepoint xdp perf_event
    cgroup/skb cgroup/sock cgroup/dev lwt_in lwt_out lwt_xmit lwt_seg6local sockops sk_skb
    sk_msg lirc_mode2 sk_reuseport flow_dissector cgroup/sysctl cgroup/bind4 cgroup/bind6
    cgroup/post_bind4 cgroup/post_bind6 cgroup/connect4 cgroup/connect6 cgroup/connect_unix
    cgroup/getpeername4 cgroup/getpeername6 cgroup/getpeername_unix cgroup/getsockname4
    cgroup/getsockname6 cgroup/getsockname_unix cgroup/sendmsg4 cgroup/sendmsg6
    cgroup/sendmsg_unix cgroup/recvmsg4 cgroup/recvmsg6 cgroup/recvmsg_unix cgroup/getsockopt
    cgroup/setsockopt cgroup/sock_release struct_ops fentry fexit freplace sk_lookup
"""
BPFTOOL_TYPES: tuple[str, ...] = tuple(_BPFTOOL.split())


def _matches(sec_def: str, name: str) -> bool:
    """libbpf's sec_def_matches()."""
    if sec_def.endswith("/"):
        return name.startswith(sec_def)
    if sec_def.endswith("+"):
        stem = sec_def[:-1]
        return name == stem or name.startswith(stem + "/")
    return name == sec_def


def resolve(name: str) -> tuple[str, str] | None:
    """(the name to hand libbpf, the program type libbpf names it) for a type as bpftool takes
    it, or None when bpftool would refuse it."""
    for candidate in (name, f"{name}/"):
        for sec_def, prog_type in SECTION_DEFS:
            if _matches(sec_def, candidate):
                return candidate, prog_type
    return None
