#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count test cases in meson's testlog.json files (one per build dir run): TAP lines of each test, or the
test itself when it has none. With several logs the closing line adds them all up; each file after
--reports (a sanitizer report, or the processes a run left behind) counts as one failure. Below the
closing line, one line per reason a test or a test case was skipped, so that a skip is never silent."""
import json
import re
import sys

CASE = re.compile(r"^(not ok|ok)\b(.*)$", re.M)
SKIP = re.compile(r"#\s*SKIP\b\s*(.*)$", re.I)
TODO = re.compile(r"#\s*TODO\b", re.I)
# a TAP test that skips as a whole: "1..0 # SKIP reason"
WHOLE_SKIP = re.compile(r"^1\.\.0\s*#\s*SKIP\b\s*(.*)$", re.I | re.M)
PLAN = re.compile(r"^1\.\.(\d+)", re.M)


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.skip_reasons = {}          # (test, reason) -> how many cases skipped for it, in first-seen order

    def skip(self, test, reason):
        self.skipped += 1
        key = (test, reason.strip() or "no reason given")
        self.skip_reasons[key] = self.skip_reasons.get(key, 0) + 1


def test_name(t):
    # "netpool:integration / integration-polkit" -> "integration-polkit"
    return t["name"].split(" / ")[-1]


def count_whole(tally, t, out):
    """A test counted as one: it printed no TAP case, or meson says it timed out or broke."""
    if t["result"] in ("OK", "EXPECTEDFAIL"):
        tally.passed += 1
    elif t["result"] == "SKIP":
        m = WHOLE_SKIP.search(out)
        tally.skip(test_name(t), m.group(1) if m else "")
    else:
        tally.failed += 1


def count_cases(tally, t, out):
    for m in CASE.finditer(out):
        skip = SKIP.search(m.group(2))
        if skip:
            tally.skip(test_name(t), skip.group(1))
        elif m.group(1) == "ok" or TODO.search(m.group(2)):
            tally.passed += 1
        else:
            tally.failed += 1


def failure_told(out):
    """Whether the TAP output itself accounts for a failed exit: a complete plan with a failed case in it.
    Meson 1.0.1 calls such a test ERROR (its exit status is not 0), which is no failure beyond its cases;
    an ERROR without that (a crash, a missing plan) is one."""
    cases = CASE.findall(out)
    plan = PLAN.search(out)
    failed_case = any(status == "not ok" and not SKIP.search(rest) and not TODO.search(rest)
                      for status, rest in cases)
    return failed_case and plan is not None and int(plan.group(1)) == len(cases)


def count_log(tally, path):
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            out = t.get("stdout") or ""
            has_cases = CASE.search(out) is not None
            if not has_cases or t["result"] == "TIMEOUT" or (t["result"] == "ERROR" and not failure_told(out)):
                count_whole(tally, t, out)
            if has_cases:
                count_cases(tally, t, out)


def main(args):
    logs = args[:args.index("--reports")] if "--reports" in args else args
    # --reports FILE...: sanitizer reports of processes outside any test's output, and lists of processes
    # that outlived a run (scripts/leftover-processes.py), one failure each
    reports = args[args.index("--reports") + 1:] if "--reports" in args else []
    tally = Tally()
    tally.failed += len(reports)
    for path in logs:
        count_log(tally, path)
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    for (test, reason), n in tally.skip_reasons.items():
        print(f"  skipped: {test}: {reason}" + (f" ({n} cases)" if n > 1 else ""))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
