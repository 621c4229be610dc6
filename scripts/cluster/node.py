"""Run a command as a node of its own: a UTS namespace with the node's host name (so Celery's
%h, the beat's lease holder and the logs name the node, as on separate machines), then exec.

    python scripts/cluster/node.py web1 -- gunicorn ...
"""

import ctypes
import os
import socket
import sys

CLONE_NEWUTS = 0x04000000


def main() -> None:
    name, separator, *argv = sys.argv[1:]
    if separator != "--" or not argv:
        sys.exit("usage: node.py NAME -- COMMAND...")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUTS) != 0:
        sys.exit(f"unshare(CLONE_NEWUTS): {os.strerror(ctypes.get_errno())}")
    socket.sethostname(name)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
