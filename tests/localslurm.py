"""A throw-away single-node SLURM cluster on this machine, for testing the SLURM profile.

Debian's munge, slurmctld and slurmd run in the foreground from one temporary directory that
holds everything they write (key, sockets, state, spool, pid files, logs); the ports are picked
free at start-up and every address in the configuration is the loopback address. Client commands
find the cluster through ``SLURM_CONF`` in :attr:`LocalSlurm.env`.

Two things a real cluster does not need:

* snakemake-executor-plugin-slurm-jobstep starts ``srun`` inside each job with every ``SLURM_*``
  variable removed, ``SLURM_CONF`` included, so a cluster that is not in /etc/slurm needs an
  ``srun`` that knows its configuration: :func:`start` puts one (a two-line wrapper) first in
  ``PATH``.
* Without slurmdbd there is no ``sacct``; the executor must query ``squeue``, which works once
  finished jobs stay known to slurmctld long enough (``MinJobAge``, see :data:`MIN_JOB_AGE_S`).

Slurm 22.05 daemons listen on every interface of their port (there is no bind-address setting).
So that this cluster is reachable over loopback only, :func:`start` runs the daemons in a private
network namespace that has nothing but ``lo`` (``unshare --net``), and everything that talks to
the cluster, Snakemake included, must run in it too: :meth:`LocalSlurm.command` prefixes a command
with the ``nsenter`` that gets it there. Jobs inherit the namespace and have no network either.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bcfpipe.errors import PipelineError

DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "srun", "sinfo")
NAMESPACE_TOOLS = ("unshare", "nsenter", "ip")
# Finished jobs stay visible to squeue this long; the executor needs >= 3 status intervals.
MIN_JOB_AGE_S = 3600
NODE = "node1"
PARTITION = "debug"


def missing_tools() -> list[str]:
    return [
        t
        for t in (*DAEMONS, *NAMESPACE_TOOLS)
        if not shutil.which(t) and not Path("/usr/sbin", t).exists()
    ]


def _tool(name: str) -> str:
    found = shutil.which(name) or (
        str(Path("/usr/sbin", name)) if Path("/usr/sbin", name).exists() else None
    )
    if not found:
        raise PipelineError(
            f"{name} is not installed: apt-get install slurmctld slurmd slurm-client munge "
            "(listed in envs/debian-packages-test.txt, installed by ./run test)"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's choice for an ephemeral bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


FREE_PORTS = (
    "import socket\n"
    "ss = [socket.socket() for _ in range(2)]\n"
    "[s.bind(('127.0.0.1', 0)) for s in ss]\n"
    "print(' '.join(str(s.getsockname()[1]) for s in ss))"
)


def host_memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise PipelineError("cannot read MemTotal from /proc/meminfo")


def slurm_conf(
    root: Path,
    *,
    controller: str,
    ctld_port: int,
    slurmd_port: int,
    cpus: int,
    memory_mb: int,
    user: str,
    munge_socket: Path,
) -> str:
    """slurm.conf of a one-node cluster whose every file lives under ``root``."""
    lines = {
        "ClusterName": "bcfpipe-local",
        "SlurmctldHost": f"{controller}(127.0.0.1)",
        "SlurmctldPort": str(ctld_port),
        "SlurmdPort": str(slurmd_port),
        "SlurmUser": user,
        "SlurmdUser": "root",
        "AuthType": "auth/munge",
        "CredType": "cred/munge",
        "AuthInfo": f"socket={munge_socket}",
        "StateSaveLocation": str(root / "state"),
        "SlurmdSpoolDir": str(root / "spool"),
        "SlurmctldPidFile": str(root / "slurmctld.pid"),
        "SlurmdPidFile": str(root / "slurmd.pid"),
        "SlurmctldLogFile": str(root / "slurmctld.log"),
        "SlurmdLogFile": str(root / "slurmd.log"),
        "ProctrackType": "proctrack/pgid",
        "TaskPlugin": "task/none",
        "JobAcctGatherType": "jobacct_gather/none",
        "AccountingStorageType": "accounting_storage/none",
        "JobCompType": "jobcomp/none",
        "MpiDefault": "none",
        "SwitchType": "switch/none",
        "SchedulerType": "sched/backfill",
        "SelectType": "select/cons_tres",
        "SelectTypeParameters": "CR_Core",
        "SlurmdParameters": "config_overrides",
        "ReturnToService": "2",
        "MinJobAge": str(MIN_JOB_AGE_S),
        "SlurmctldTimeout": "30",
        "SlurmdTimeout": "30",
        "InactiveLimit": "0",
        "KillWait": "5",
    }
    text = "".join(f"{k}={v}\n" for k, v in lines.items())
    text += (
        f"NodeName={NODE} NodeHostname={controller} NodeAddr=127.0.0.1 CPUs={cpus} "
        f"RealMemory={memory_mb} State=UNKNOWN\n"
        f"PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP\n"
    )
    return text


@dataclass
class LocalSlurm:
    root: Path
    conf: Path
    env: dict[str, str]
    cpus: int
    memory_mb: int
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # The private network namespace's holder process (None: the host's network).
    netns: subprocess.Popen[bytes] | None = None

    def command(self, cmd: Sequence[str]) -> list[str]:
        """``cmd`` run inside the cluster's network namespace."""
        if self.netns is None:
            return list(cmd)
        return [_tool("nsenter"), f"--net=/proc/{self.netns.pid}/ns/net", "--", *cmd]

    def run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(cmd), env=self.env, capture_output=True, text=True, check=check
        )

    def logs(self) -> str:
        out = []
        for name in ("munged.log", "slurmctld.log", "slurmd.log"):
            p = self.root / name
            if p.is_file():
                out.append(f"== {name} ==\n" + "\n".join(p.read_text().splitlines()[-40:]))
        return "\n".join(out)

    def stop(self) -> None:
        """Cancel what is left of our jobs, then stop our daemons (newest first)."""
        if self.procs and self.procs[-1].poll() is None:
            self.run("scancel", "--user", str(os.getuid()), check=False)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                q = self.run("squeue", "--noheader", "--states=RUNNING,COMPLETING", check=False)
                if q.returncode != 0 or not q.stdout.strip():
                    break
                time.sleep(0.5)
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        if self.netns is not None and self.netns.poll() is None:
            self.netns.kill()
            self.netns.wait()


def _wait(what: str, cond: object, timeout: float, cluster: LocalSlurm) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(cond) and cond():
            return
        for proc in cluster.procs:
            if proc.poll() is not None:
                cluster.stop()
                raise PipelineError(
                    f"{proc.args!r} exited while waiting for {what}\n{cluster.logs()}"
                )
        time.sleep(0.2)
    cluster.stop()
    raise PipelineError(f"timed out after {timeout:.0f} s waiting for {what}\n{cluster.logs()}")


def _private_network() -> subprocess.Popen[bytes]:
    """A process holding a new network namespace whose only interface is lo."""
    # glibc's getaddrinfo(AI_ADDRCONFIG), which Slurm uses, answers nothing while the only IPv4
    # addresses are 127/8: lo also gets one from the documentation range (RFC 5737), reachable
    # from inside this namespace only.
    ip = _tool("ip")
    setup = f"{ip} link set lo up && {ip} addr add 192.0.2.1/32 dev lo && exec sleep infinity"
    holder = subprocess.Popen([_tool("unshare"), "--net", "--", "sh", "-c", setup])
    deadline = time.monotonic() + 10
    mine = os.readlink("/proc/self/ns/net")
    while time.monotonic() < deadline:
        if holder.poll() is not None:
            raise PipelineError("unshare --net failed: cannot make a private network namespace")
        try:
            theirs = os.readlink(f"/proc/{holder.pid}/ns/net")
        except OSError:
            theirs = mine
        if theirs != mine:
            up = subprocess.run(
                [
                    _tool("nsenter"),
                    f"--net=/proc/{holder.pid}/ns/net",
                    "--",
                    ip,
                    "-o",
                    "addr",
                    "show",
                    "dev",
                    "lo",
                ],
                capture_output=True,
                text=True,
            )
            if "192.0.2.1/32" in up.stdout:  # the last step of the set-up
                return holder
        time.sleep(0.05)
    holder.kill()
    raise PipelineError("the private network namespace's loopback did not come up")


def start(
    root: Path,
    cpus: int | None = None,
    memory_mb: int | None = None,
    timeout: float = 60,
    private_network: bool = True,
) -> LocalSlurm:
    """Start munged, slurmctld and slurmd under ``root`` (an empty private directory).

    With ``private_network`` (the default) they run in a network namespace of their own, reachable
    over its loopback only; use :meth:`LocalSlurm.command` for anything that talks to them.
    """
    if os.geteuid() != 0:
        raise PipelineError("a local SLURM node needs root (slurmd starts jobs as their user)")
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)  # munged refuses keys and sockets in directories others can write
    for sub in ("state", "spool", "bin"):
        (root / sub).mkdir(exist_ok=True)
    cpus = cpus or os.cpu_count() or 1
    memory_mb = memory_mb or max(1024, host_memory_mb() - 1024)
    controller = socket.gethostname().split(".")[0]
    munge_socket = root / "munge.sock"
    conf = root / "slurm.conf"
    netns = _private_network() if private_network else None
    if netns is not None:
        ports = subprocess.run(
            [
                _tool("nsenter"),
                f"--net=/proc/{netns.pid}/ns/net",
                "--",
                sys.executable,
                "-c",
                FREE_PORTS,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        ctld_port, slurmd_port = int(ports[0]), int(ports[1])
    else:
        ctld_port, slurmd_port = free_port(), free_port()
    conf.write_text(
        slurm_conf(
            root,
            controller=controller,
            ctld_port=ctld_port,
            slurmd_port=slurmd_port,
            cpus=cpus,
            memory_mb=memory_mb,
            user="root",
            munge_socket=munge_socket,
        )
    )
    srun = root / "bin" / "srun"
    srun.write_text(f'#!/bin/sh\nSLURM_CONF={conf} exec {_tool("srun")} "$@"\n')
    srun.chmod(0o755)
    env = dict(os.environ)
    env = {k: v for k, v in env.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_"))}
    env["SLURM_CONF"] = str(conf)
    env["PATH"] = f"{root / 'bin'}:{env.get('PATH', '')}"
    cluster = LocalSlurm(root, conf, env, cpus, memory_mb, netns=netns)

    key = root / "munge.key"
    subprocess.run([_tool("mungekey"), "--create", f"--keyfile={key}"], check=True)
    key.chmod(0o400)

    def spawn(cmd: Sequence[str], log: str) -> None:
        with open(root / log, "ab") as out:
            cluster.procs.append(
                subprocess.Popen(
                    cluster.command(cmd), env=env, stdout=out, stderr=subprocess.STDOUT
                )
            )

    spawn(
        [
            _tool("munged"),
            "--foreground",
            "--force",
            f"--socket={munge_socket}",
            f"--key-file={key}",
            f"--log-file={root / 'munged.log'}",
            f"--pid-file={root / 'munged.pid'}",
            f"--seed-file={root / 'munged.seed'}",
        ],
        "munged.out",
    )
    _wait("munged's socket", munge_socket.exists, timeout, cluster)
    spawn([_tool("slurmctld"), "-D", "-i", "-f", str(conf)], "slurmctld.out")
    spawn([_tool("slurmd"), "-D", "-f", str(conf), "-N", NODE], "slurmd.out")

    def node_idle() -> bool:
        proc = cluster.run("sinfo", "--noheader", "--format=%T", check=False)
        return proc.returncode == 0 and proc.stdout.strip() == "idle"

    _wait("the node to come up idle", node_idle, timeout, cluster)
    return cluster
