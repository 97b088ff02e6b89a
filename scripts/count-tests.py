#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count test cases in meson's testlog.json: TAP lines of each test, or the test itself when it has none."""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
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
