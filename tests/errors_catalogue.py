#!/usr/bin/python3
"""Check docs/errors.md against the sources and the tests.

Fails when
  - a message of KILN_ERROR(...) or cli_usage_error(...) in core/, io/, algos/
    or cli/ has no row in the section of docs/errors.md named after its file;
  - a row names a message its file no longer holds;
  - a row's test column names a file under tests/unit or tests/cli that does
    not contain part of the message, or a row of tests/cli/test_errors.sh
    that does not exist or does not contain part of the message;
  - a row has no test and gives no reason ("— (why)");
  - the count of rows with a test differs from the one the intro states.

"Part of the message" is WINDOW characters in a row (or all of it, when
shorter) of one of its literal pieces between printf conversions that is at
least PIECE_MIN characters long (or of its longest piece when none is that
long), found in the test's text with backslashes removed.

Usage: errors_catalogue.py SOURCE_DIR
"""
import glob
import os
import re
import sys

PIECE_MIN = 12
WINDOW = 30
SOURCE_GLOBS = ["core/*.c", "io/*.c", "algos/**/*.c", "cli/*.c"]
CALL = re.compile(r'(?:KILN_ERROR\((?:[^;"]*?),|cli_usage_error\(\s*"[^"]*"\s*,)\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
CONVERSION = re.compile(r"%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t)?[diouxXeEfFgGcsp%]")
ROW = re.compile(r"^\| `(.*)` \| ([0-9][0-9 or]*) \| (.*) \| (.*) \|$")


def source_messages(root):
    """{file: set of messages} of every error call in the library and CLI."""
    found = {}
    for pattern in SOURCE_GLOBS:
        for path in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
            text = open(path, encoding="utf-8").read()
            rel = os.path.relpath(path, root)
            for m in CALL.finditer(text):
                msg = "".join(LITERAL.findall(m.group(1))).replace('\\"', '"')
                found.setdefault(rel, set()).add(msg)
    return found


def catalogue_rows(path):
    """[(section, message, test column)] of docs/errors.md, and its intro."""
    rows, section, intro = [], None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            section = line[3:].strip()
        elif section is None:
            intro.append(line)
        m = ROW.match(line)
        if m and section:
            rows.append((section, m.group(1), m.group(4).strip()))
    return rows, " ".join(intro)


def pieces(message):
    parts = [p.strip(" :;,.'\"()") for p in CONVERSION.split(message)]
    long = [p for p in parts if len(p) >= PIECE_MIN]
    return long or [max(parts, key=len)]


def parts(message):
    """Every run of text a test may quote to show it asserts the message."""
    for piece in pieces(message):
        w = min(WINDOW, len(piece))
        for i in range(len(piece) - w + 1):
            yield piece[i : i + w]


def error_rows(root):
    """{row name: its text} of tests/cli/test_errors.sh."""
    rows = {}
    for line in open(os.path.join(root, "tests/cli/test_errors.sh"), encoding="utf-8"):
        m = re.match(r"err (\w+) ", line)
        if m:
            rows[m.group(1)] = rows.get(m.group(1), "") + line
    return rows


def test_text(root, name, rows):
    """The text that should hold the message, or None when the test is unknown."""
    if "." not in name:
        return rows.get(name)
    for area in ("unit", "cli"):
        path = os.path.join(root, "tests", area, name)
        if os.path.isfile(path):
            return open(path, encoding="utf-8").read()
    return None


def main(root):
    problems = []
    sources = source_messages(root)
    rows, intro = catalogue_rows(os.path.join(root, "docs/errors.md"))
    listed = {(s, m) for s, m, _ in rows}
    for rel, msgs in sorted(sources.items()):
        for msg in sorted(msgs):
            if (rel, msg) not in listed:
                problems.append(f"{rel}: message missing from docs/errors.md: {msg}")
    named = error_rows(root)
    tested = 0
    for section, msg, tests in rows:
        if section in sources and msg not in sources[section]:
            problems.append(f"docs/errors.md: {section} no longer holds: {msg}")
        if tests == "—":
            problems.append(f"docs/errors.md: {msg}: no test, and no reason why")
        if tests.startswith("—"):
            continue
        tested += 1
        for name in (t.strip() for t in tests.split(",")):
            text = test_text(root, name, named)
            if text is None:
                problems.append(f"docs/errors.md: {msg}: no test '{name}'")
            elif not any(p in text.replace("\\", "") for p in parts(msg)):
                problems.append(f"docs/errors.md: {msg}: test '{name}' does not hold part of {pieces(msg)}")
    m = re.search(r"Of the (\d+) messages below, (\d+) are fed", intro)
    if not m or int(m.group(1)) != len(rows) or int(m.group(2)) != tested:
        problems.append(f"docs/errors.md: the intro should say 'Of the {len(rows)} messages below, {tested} are fed'")
    for p in problems:
        print(p)
    print(f"{len(rows)} messages, {tested} with a test, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
