#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count test cases in meson's testlog.json files (one per build dir run): TAP lines of each test, or the
test itself when it has none. With several logs the closing line adds them all up; each file after
--reports (a sanitizer report) counts as one failure."""
import json
import re
import sys

args = sys.argv[1:]
logs = args[:args.index("--reports")] if "--reports" in args else args
# --reports FILE...: sanitizer reports of processes outside any test's output, one failure each
reports = args[args.index("--reports") + 1:] if "--reports" in args else []

passed = failed = skipped = 0
failed += len(reports)
for path in logs:
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            out = t.get("stdout") or ""
            cases = re.findall(r"^(not ok|ok)\b.*$", out, re.M)
            if not cases or t["result"] in ("TIMEOUT", "ERROR"):
                if t["result"] in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif t["result"] == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                if not cases:
                    continue
            for m in re.finditer(r"^(not ok|ok)\b(.*)$", out, re.M):
                if re.search(r"#\s*SKIP", m.group(2), re.I):
                    skipped += 1
                elif m.group(1) == "ok" or re.search(r"#\s*TODO", m.group(2), re.I):
                    passed += 1
                else:
                    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
