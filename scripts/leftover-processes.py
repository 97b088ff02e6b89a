#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Processes that outlived a test run: every process whose environment holds the exact entry NAME=VALUE
(scripts/test.sh gives each run a value of its own, so that other runs on the machine, and everything else
on it, are never named), apart from this program and its ancestors. A process that is still exiting gets
GRACE seconds to go. Prints one line per process that stays ("leftover process PID (USER): COMMAND") and
exits 1 when there is one; with --kill it also ends them (SIGTERM, then SIGKILL), so that a failed run does
not leave them running either.

Usage: leftover-processes.py [--grace SECONDS] [--kill] NAME=VALUE"""
import os
import pwd
import signal
import sys
import time


def ancestors():
    """This process and its ancestors: they may carry the marker and are no leftovers."""
    pids, pid = set(), os.getpid()
    while pid > 0 and pid not in pids:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def marked(marker, exclude):
    """pid -> (user, command) of the live processes whose environment has the entry MARKER. Zombies have an
    empty environment and are left to their parents."""
    want = marker.encode()
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in exclude:
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if want not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            uid = os.stat(f"/proc/{name}").st_uid
        except OSError:         # gone meanwhile, or not ours to read
            continue
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
        found[int(name)] = (user, command)
    return found


def wait_gone(marker, exclude, seconds):
    deadline = time.monotonic() + seconds
    while True:
        left = marked(marker, exclude)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.2)


def kill_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def main(args):
    grace, kill = 5.0, False
    while args and args[0].startswith("--"):
        if args[0] == "--kill":
            kill = True
            args = args[1:]
        elif args[0] == "--grace" and len(args) > 1:
            grace = float(args[1])
            args = args[2:]
        else:
            break
    if len(args) != 1 or "=" not in args[0] or args[0].startswith("="):
        print(__doc__.rsplit("\n\n", 1)[1], file=sys.stderr)
        return 2
    marker, exclude = args[0], ancestors()
    left = wait_gone(marker, exclude, grace)
    for pid, (user, command) in sorted(left.items()):
        print(f"leftover process {pid} ({user}): {command}")
    if left and kill:
        kill_all(left, signal.SIGTERM)
        kill_all(wait_gone(marker, exclude, 3), signal.SIGKILL)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
