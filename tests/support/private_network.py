"""A network namespace of the test's own, for the one kind of test that needs a fixed port: there the
port is free whatever the host runs (a `tools/dev server` left on the course's port, another test).

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    from private_network import enter_private_network_or_skip

    enter_private_network_or_skip("port 12345")  # first, before the test starts a thread or a program

Entering one needs CAP_SYS_ADMIN (CI runs as root). Without it the test is skipped with exit 77, which
its CMake registration names as SKIP_RETURN_CODE, so CTest counts it as skipped, never as passed.
Python 3 standard library only (Debian 12's Python 3.11 has no os.unshare: libc's, through ctypes).
"""
import ctypes
import fcntl
import os
import socket
import struct
import sys

SKIPPED = 77  # the tests' SKIP_RETURN_CODE

CLONE_NEWNET = 0x40000000  # <linux/sched.h>
SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914  # <linux/sockios.h>
IFF_UP = 0x1  # <net/if.h>
IFREQ_FLAGS = "16sh22x"  # struct ifreq: the interface's name, then ifr_flags in a 24-byte union


def enter_private_network():
    """Moves this process into a new network namespace and brings its loopback up; the programs it starts
    from now on inherit it. Call it while the process has one thread: unshare() moves only the caller.
    Returns None, or why it could not."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        return f"unshare(CLONE_NEWNET): {os.strerror(ctypes.get_errno())}"
    # A new namespace has only lo, and down: 127.0.0.1 is unreachable until it is up.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        _, flags = struct.unpack(IFREQ_FLAGS, fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack(IFREQ_FLAGS, b"lo", 0)))
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack(IFREQ_FLAGS, b"lo", flags | IFF_UP))
    return None


def enter_private_network_or_skip(needed):
    """enter_private_network(), or exits SKIPPED saying what the test needed and why it could not have it."""
    why_not = enter_private_network()
    if why_not:
        print(f"SKIPPED: this test needs {needed} free, so it runs in a network namespace of its own, "
              f"and it cannot make one ({why_not}; root or CAP_SYS_ADMIN can)", flush=True)
        sys.exit(SKIPPED)
