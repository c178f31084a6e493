#!/usr/bin/env python3
"""check-banned.py — src/base/banned.h has teeth; ctest runs it as `banned`. Exits 1 on any
finding, one line each.

  check-banned.py ROOT        (the source tree; $CC compiles the probes, default cc)

1. Every .c file of src/, tests/, tools/, bench/ and cmake/ includes "banned.h", after every
   other #include (a header included later could bring back what it bans).
2. banned.h bans at least strcpy, strcat, strncpy, strncat, sprintf, vsprintf, strtok, atoi,
   atof, gmtime, localtime, ctime, asctime and mktemp, and each function it names fails to
   compile when called: a probe that includes the usual headers, then banned.h, then calls
   it, must be refused naming sorry_<function>_is_banned."""
import os
import re
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]', re.M)
BAN = re.compile(r"^#define\s+([a-z_0-9]+)\(([^)]*)\)\s+BANNED\(\1\)", re.M)
UNDEF = re.compile(r"^#undef\s+([a-z_0-9]+)", re.M)
# What the project has decided never to call (STYLE.md, issue 15): the list may grow, not
# shrink.
REQUIRED = {"strcpy", "strcat", "strncpy", "strncat", "sprintf", "vsprintf", "strtok", "atoi",
            "atof", "gmtime", "localtime", "ctime", "asctime", "mktemp"}


def c_files(root):
    for top in ("src", "tests", "tools", "bench", "cmake"):
        for d, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = [x for x in dirs if x not in ("node_modules", "corpus", "regressions",
                                                   "crashes")]
            for f in sorted(files):
                if f.endswith(".c"):
                    yield os.path.join(d, f)


def check_files(root):
    bad = []
    for path in c_files(root):
        includes = INCLUDE.findall(open(path, encoding="utf-8", errors="replace").read())
        rel = os.path.relpath(path, root)
        if "banned.h" not in includes:
            bad.append(f"{rel}: does not include \"banned.h\"")
        elif includes[-1] != "banned.h":
            bad.append(f"{rel}: includes {includes[-1]} after \"banned.h\"")
    return bad


def check_bans(root):
    text = open(os.path.join(root, "src", "base", "banned.h")).read()
    bans = BAN.findall(text)
    bad = []
    names = {name for name, _ in bans}
    for name in sorted(REQUIRED - names):
        bad.append(f"src/base/banned.h: {name} is no longer banned "
                   f"(#define {name}(...) BANNED({name}))")
    for name in sorted(set(UNDEF.findall(text)) - names):
        bad.append(f"src/base/banned.h: #undef {name} without its ban")
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        for name, params in bans:
            n = 2 if params.strip() == "..." else len([p for p in params.split(",") if p.strip()])
            args = ", ".join(["0"] * n)
            probe = os.path.join(tmp, f"probe_{name}.c")
            with open(probe, "w") as f:
                f.write("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
                        "#include <time.h>\n#include <unistd.h>\n\n#include \"banned.h\"\n\n"
                        f"void probe(void);\nvoid probe(void)\n{{\n    (void){name}({args});\n}}\n")
            r = subprocess.run([cc, "-fsyntax-only", "-D_GNU_SOURCE",
                                "-I" + os.path.join(root, "src", "base"), probe],
                               capture_output=True, text=True)
            if r.returncode == 0 or f"sorry_{name}_is_banned" not in r.stderr:
                bad.append(f"src/base/banned.h: a call of {name}() still compiles "
                           f"({r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'no error'})")
    return bad, len(bans)


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1])
        return 64
    root = argv[1]
    bad = check_files(root)
    ban_bad, nbans = check_bans(root)
    bad += ban_bad
    for line in bad:
        print(line)
    print(f"check-banned: {nbans} functions banned, {sum(1 for _ in c_files(root))} files: "
          f"{len(bad)} finding{'s' if len(bad) != 1 else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
