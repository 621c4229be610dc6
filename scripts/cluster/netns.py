"""Network namespaces for `make cluster-test`: one per node, each with its own address on a
bridge in the host's namespace (where PostgreSQL's PgBouncer listens).

Everything made here carries the PREFIX, so a later run finds and removes what an aborted one
left: namespaces (and the processes in them), the bridge, its veths."""

import contextlib
import os
import shutil
import signal
import subprocess
import time

PREFIX = "is-"
# `ip netns exec` mounts /etc/netns/<name>/hosts over /etc/hosts (and resolv.conf likewise).
ETC = "/etc/netns"
BRIDGE = "br-ideastorm"
NETWORK = "10.77.0"
HOST_ADDRESS = f"{NETWORK}.1"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def namespaces() -> list[str]:
    """Our namespaces, from an earlier run too."""
    listed = ip("netns", "list", check=False).stdout.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    return [name for name in names if name.startswith(PREFIX)]


def pids_in(name: str) -> list[int]:
    out = ip("netns", "pids", name, check=False).stdout.split()
    return [int(pid) for pid in out if pid.isdigit()]


def kill_all_in(name: str, sig: int = signal.SIGKILL) -> list[int]:
    """Send `sig` to every process in the namespace; the processes it reached."""
    pids = pids_in(name)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    return pids


def remove_all() -> None:
    """Every namespace and link an earlier run of this harness made, with their processes."""
    for name in namespaces():
        kill_all_in(name)
        for _ in range(50):
            if not pids_in(name):
                break
            time.sleep(0.1)
        ip("netns", "del", name, check=False)
    for name in os.listdir(ETC) if os.path.isdir(ETC) else []:
        if name.startswith(PREFIX):
            shutil.rmtree(os.path.join(ETC, name), ignore_errors=True)
    # A namespace goes away a moment after its last process: its veth with it, or here.
    for _ in range(50):
        links = [
            line.split(":")[1].strip().split("@")[0]
            for line in ip("-o", "link", "show", check=False).stdout.splitlines()
        ]
        ours = [link for link in links if link.startswith((f"v{PREFIX}", f"p{PREFIX}"))]
        if not ours:
            break
        for link in ours:
            ip("link", "del", link, check=False)
        time.sleep(0.1)
    if ip("link", "show", BRIDGE, check=False).returncode == 0:
        ip("link", "del", BRIDGE, check=False)


def bridge_create(extra_addresses: list[str] = ()) -> None:
    """The bridge, with the host's address on it, and `extra_addresses` (clients on networks
    of their own, reached through the host: the namespaces' default route)."""
    ip("link", "add", BRIDGE, "type", "bridge")
    ip("addr", "add", f"{HOST_ADDRESS}/24", "dev", BRIDGE)
    for address in extra_addresses:
        ip("addr", "add", f"{address}/32", "dev", BRIDGE)
    ip("link", "set", BRIDGE, "up")


def namespace_create(short: str, address: str, hosts: dict[str, str]) -> str:
    """A namespace named PREFIX+short whose eth0 has `address` on the bridge; its name. Names
    resolve from `hosts` (name: address) and nothing else: no DNS server answers in there, and
    a lookup waiting for one would stall (the mail backend's own name, for one)."""
    name = PREFIX + short
    etc = os.path.join(ETC, name)
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, "hosts"), "w") as file:
        file.write("127.0.0.1 localhost\n")
        file.writelines(f"{a} {n} {n}.cluster.test\n" for n, a in hosts.items())
    with open(os.path.join(etc, "resolv.conf"), "w") as file:
        file.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    host_side = f"v{PREFIX}{short}"[:15]
    peer = f"p{PREFIX}{short}"[:15]
    ip("netns", "add", name)
    ip("link", "add", host_side, "type", "veth", "peer", "name", peer)
    ip("link", "set", peer, "netns", name)
    ip("link", "set", host_side, "master", BRIDGE, "up")
    ip("-n", name, "link", "set", peer, "name", "eth0")
    ip("-n", name, "addr", "add", f"{address}/24", "dev", "eth0")
    ip("-n", name, "link", "set", "eth0", "up")
    ip("-n", name, "link", "set", "lo", "up")
    ip("-n", name, "route", "add", "default", "via", HOST_ADDRESS)
    return name


def command_in(name: str, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", name, *argv]
