#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Code shown in the README and docs/ is the code the test suite compiles.

A ```cpp block preceded by a line `<!-- compiled: PATH -->` (PATH relative to the
repository) must appear in PATH verbatim, as consecutive lines (trailing blanks and a common
indentation ignored).
Usage: check_code_blocks.py REPO_ROOT MIN_BLOCKS. Fails when a block differs from its file,
names a missing file, or when fewer than MIN_BLOCKS blocks are marked (so that the check
cannot pass by finding nothing)."""
import pathlib
import re
import sys

MARK = re.compile(r"^<!-- compiled: (\S+) -->\s*$")


def blocks(md):
    """(line number, path, block lines) for every marked ```cpp block of a Markdown file."""
    lines = md.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or lines[j].strip() != "```cpp":
            yield i + 1, m.group(1), None
            continue
        k = j + 1
        while k < len(lines) and lines[k].strip() != "```":
            k += 1
        yield i + 1, m.group(1), [l.rstrip() for l in lines[j + 1:k]]


def dedent(lines):
    """The lines without their common indentation (a snippet of a function body)."""
    indent = min((len(l) - len(l.lstrip(" ")) for l in lines if l), default=0)
    return [l[indent:] for l in lines]


def contains(haystack, needle):
    n, block = len(needle), dedent(needle)
    return any(dedent(haystack[i:i + n]) == block for i in range(len(haystack) - n + 1))


def main():
    root = pathlib.Path(sys.argv[1])
    minimum = int(sys.argv[2])
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    failures, checked = [], 0
    for page in pages:
        for line, path, block in blocks(page):
            where = f"{page.relative_to(root)}:{line}"
            if block is None:
                failures.append(f"{where}: the marker is not followed by a ```cpp block")
                continue
            source = root / path
            if not source.is_file():
                failures.append(f"{where}: {path} does not exist")
                continue
            text = [l.rstrip() for l in source.read_text(encoding="utf-8").splitlines()]
            checked += 1
            if not contains(text, block):
                failures.append(f"{where}: the block is not in {path} as written "
                                f"(first line: {block[0] if block else '<empty>'!r})")
    for f in failures:
        print(f"FAIL {f}")
    if checked < minimum:
        print(f"FAIL only {checked} marked blocks found, expected at least {minimum}")
        return 1
    if failures:
        return 1
    print(f"PASS code_blocks: {checked} blocks match their compiled files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
