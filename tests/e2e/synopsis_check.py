#!/usr/bin/env python3
"""synopsis_check.py — the README's "Command line" block against what the binary prints.

usage: synopsis_check.py INFLUDASH README [--drop WORD]

Every command that `infludash help` lists contributes the usage lines of its `--help` (from
"usage:" to the first blank line); the README's block under "## Command line" must hold the
same lines in the same order, compared word for word (so the two may wrap differently).
--drop WORD removes that word from the README's copy first, to show that a missing option is
caught. Prints the differences and exits 1 when they differ."""
import difflib
import re
import subprocess
import sys


def entries(lines):
    """Lines that start with "infludash" open an entry; indented ones continue it."""
    out = []
    for line in lines:
        if line.startswith("infludash "):
            out.append(line.split())
        elif line.strip() and out:
            out[-1].extend(line.split())
    return [" ".join(words) for words in out]


def readme_entries(path, drop):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^## Command line\n+```\n(.*?)^```", text, re.S | re.M)
    if not m:
        sys.exit(f"{path}: no ``` block under \"## Command line\"")
    lines = m.group(1).splitlines()
    if drop:
        lines = [" ".join(w for w in line.split(" ") if w.strip("[]") != drop) for line in lines]
    return entries(lines)


def binary_entries(binary):
    top = subprocess.run([binary, "help"], capture_output=True, text=True, check=True).stdout
    listed = top.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    out = []
    for line in listed.splitlines():
        name = line.split()[0]
        usage = subprocess.run([binary, name, "--help"], capture_output=True, text=True,
                               check=True).stdout.split("\n\n", 1)[0]
        if not usage.startswith("usage: infludash " + name):
            sys.exit(f"infludash {name} --help: no usage line first")
        out.extend(entries(re.sub(r"^(usage: |       )(?=infludash )", "", usage,
                                  flags=re.M).splitlines()))
    return out


def main():
    binary, readme = sys.argv[1], sys.argv[2]
    drop = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--drop" else None
    want, have = binary_entries(binary), readme_entries(readme, drop)
    if want == have:
        return 0
    print("README.md \"Command line\" differs from `infludash COMMAND --help`:")
    for line in difflib.unified_diff(have, want, "README.md", "--help", lineterm="", n=0):
        print("  " + line)
    return 1


sys.exit(main())
