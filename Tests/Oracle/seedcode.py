"""Extracts the five exercises' Python code from the seed homework (markdown).

The seed is organised as `## 練習N：title`, then `### server` and `### client`, each
followed by one fenced code block. `extract(path, n, "server")` returns that block's text.
"""
import re


def extract(path, exercise, part):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    current_exercise = None
    current_part = None
    block = None
    found = {}
    for line in lines:
        if block is not None:
            if line.strip().startswith("```"):
                found.setdefault((current_exercise, current_part), "\n".join(block) + "\n")
                block = None
            else:
                block.append(line)
            continue
        heading = re.match(r"^##\s+練習(\d+)", line)
        if heading:
            current_exercise = int(heading.group(1))
            current_part = None
            continue
        sub = re.match(r"^###\s+(server|client)\s*$", line.strip())
        if sub:
            current_part = sub.group(1)
            continue
        if line.strip().startswith("```") and current_exercise and current_part:
            block = []
    code = found.get((exercise, part))
    if code is None:
        raise SystemExit("seed has no %s code for exercise %d" % (part, exercise))
    return code


def with_port(code, port):
    """The seed hard-codes port 1234 in its bind/connect tuples."""
    replaced, count = re.subn(r"\(\s*'localhost'\s*,\s*1234\s*\)", "('localhost', %d)" % port, code)
    if count != 1:
        raise SystemExit("expected one ('localhost', 1234) in the seed code, found %d" % count)
    return replaced
