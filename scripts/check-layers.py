#!/usr/bin/env python3
"""check-layers.py — the rules of docs/architecture.md over src/ and the built objects; ctest
runs it as `layers`. Each finding is one line naming the file; exits 1 on any.

  check-layers.py SRC_DIR BUILD_DIR LAYER...     (the layers bottom up, as CMakeLists.txt)

1. Every file of src/ is in a layer's folder, and every folder is a layer.
2. A file includes (#include "x.h") only headers of its own layer or of layers below it.
3. An object of a layer's library calls (nm's undefined symbols) only functions and data
   defined in its own layer or below: the build's layer_check_<layer> links fail on the same,
   this says which file and which symbol.
4. No circle among the files: with the calls of every object as edges, a file never reaches
   itself (a dispatcher sits above what it dispatches to, shared helpers below both).
5. The "Calls ..." sentence at the top of every .c file (and of its header) names each file
   of the project it calls (by its name, or by the name of its module: engine for
   engine_load.c, store for store_sqlite.c), and names nothing of the project it neither calls
   nor includes. buf and err, which nearly every file calls, may go unnamed.
6. docs/architecture.md's diagram lists the layers top to bottom as CMakeLists.txt stacks
   them, and on each layer's line the layers it calls today.

Before checking, it makes sure that rules 2 to 4 still catch what they are for, on a small
tree of its own with an upward include, an upward call and a circle (compiled with $CC, or
cc)."""
import collections
import os
import re
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Objects the build generates (the web assets' table): not files of src/.
GENERATED = {"assets_table"}
# Called by nearly every file: a "Calls" sentence may leave them out.
EVERYWHERE = {"buf", "err"}


def sources(src, layers):
    """{layer: [file paths]} and the findings of rule 1."""
    found, bad = {}, []
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if not os.path.isdir(path):
            bad.append(f"src/{name}: a file outside the layers' folders (src/<layer>/)")
        elif name not in layers:
            bad.append(f"src/{name}/: not a layer of CMakeLists.txt's INFLUDASH_LAYERS")
    for layer in layers:
        d = os.path.join(src, layer)
        found[layer] = sorted(os.path.join(d, f) for f in os.listdir(d)
                              if f.endswith((".c", ".h"))) if os.path.isdir(d) else []
    return found, bad


def check_includes(files, layers, label):
    """Rule 2: {layer: [paths]} -> findings."""
    rank = {layer: i for i, layer in enumerate(layers)}
    home = {os.path.basename(p): layer for layer in layers for p in files[layer]}
    bad = []
    for layer in layers:
        for path in files[layer]:
            text = open(path, encoding="utf-8", errors="replace").read()
            for inc in INCLUDE.findall(text):
                owner = home.get(os.path.basename(inc))
                if owner is not None and rank[owner] > rank[layer]:
                    bad.append(f"{label(path)}: includes {inc} of layer {owner}, above {layer}")
    return bad


def nm_objects(objects):
    """{object: (defined symbols, undefined symbols)} from nm; an archive (.a) gives one
    entry per member."""
    out = {}
    for obj in objects:
        text = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        member = obj
        for line in text.splitlines():
            if line.endswith(":") and obj.endswith(".a"):
                member = line[:-1]
                out.setdefault(member, (set(), set()))
                continue
            out.setdefault(member, (set(), set()))
            defined, undefined = out[member]
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBRCVW":
                defined.add(parts[2])
            elif len(parts) == 2 and parts[0] == "U":
                undefined.add(parts[1])
    return out


def call_graph(objects_by_layer, layers):
    """Edges between modules (object file names without .c.o) and their layers; the objects
    of a layer are object files or its library archive."""
    layer_of, table = {}, {}
    for layer in layers:
        for obj, syms in nm_objects(objects_by_layer.get(layer, [])).items():
            # only the objects of .c files (not the generated assets.S and assets_table.c)
            if obj.endswith(".c.o") and module(obj) not in GENERATED:
                layer_of[module(obj)] = layer
                table[module(obj)] = syms
    owner = {}
    for m, (defined, _) in table.items():
        for s in defined:
            owner[s] = m
    edges = collections.defaultdict(dict)  # caller -> {callee: first symbol}
    for m, (_, undefined) in table.items():
        for s in sorted(undefined):
            callee = owner.get(s)
            if callee and callee != m:
                edges[m].setdefault(callee, s)
    for m in layer_of:
        edges.setdefault(m, {})
    return edges, layer_of


def module(obj):
    name = os.path.basename(obj)
    for ext in (".c.o", ".o"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def check_calls_down(edges, layer_of, layers):
    """Rule 3."""
    rank = {layer: i for i, layer in enumerate(layers)}
    bad = []
    for caller in sorted(edges):
        for callee, sym in sorted(edges[caller].items()):
            a, b = layer_of[caller], layer_of[callee]
            if rank[b] > rank[a]:
                bad.append(f"src/{a}/{caller}.c: calls {sym} of src/{b}/{callee}.c, "
                           f"a layer above {a}")
    return bad


def check_circles(edges, layer_of):
    """Rule 4: every strongly connected set of two or more files is a finding."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(100000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    bad = []
    for comp in found:
        names = ", ".join(f"src/{layer_of[m]}/{m}.c" for m in comp)
        links = "; ".join(f"{a} calls {b} ({edges[a][b]})" for a in comp for b in sorted(edges[a])
                          if b in comp)
        bad.append(f"a circle of calls among {names}: {links}")
    return bad


def calls_sentence(path):
    """The "Calls ..." sentence of a file's top comment, or None."""
    text = open(path, encoding="utf-8", errors="replace").read()
    m = re.match(r"\s*/\*(.*?)\*/", text, re.S)
    if not m:
        return None
    comment = re.sub(r"\n\s*\*", " ", m.group(1))
    c = re.search(r"\bCalls\b(.*?)(?:[.;](?:\s|$)|$)", comment, re.S)
    return c.group(1) if c else None


def check_calls_comments(files, edges, layers):
    """Rule 5. A .c file's sentence is held to what its object calls; a header's (X.h) to
    what X.c and the X_*.c files without a header of their own call together."""
    modules = set(edges)

    # a module's names: itself and each prefix up to an underscore (engine_load: engine)
    def names_of(m):
        parts = m.split("_")
        return {"_".join(parts[:i]) for i in range(1, len(parts) + 1)}

    known = set().union(*(names_of(m) for m in modules)) if modules else set()
    paths = {os.path.basename(p): (layer, p) for layer in layers for p in files[layer]}

    def includes(path):
        text = open(path, encoding="utf-8", errors="replace").read()
        return {os.path.basename(i)[:-2] for i in INCLUDE.findall(text)}

    def check(where, sentence, objs, self_names):
        called = set().union(*(set(edges[o]) for o in objs)) - EVERYWHERE - set(objs)
        included = set()
        for o in objs:
            included |= includes(paths[o + ".c"][1])
            if o + ".h" in paths:
                included |= includes(paths[o + ".h"][1])
        named = {w for w in WORD.findall(sentence) if w in known}
        out = []
        missing = sorted(c for c in called if not (names_of(c) & named))
        if missing:
            out.append(f"{where}: \"Calls{sentence.rstrip()}\" leaves out {', '.join(missing)}")
        stale = sorted(n for n in named if n not in self_names and n not in EVERYWHERE
                       and not any(n in names_of(c) for c in called) and n not in included)
        if stale:
            out.append(f"{where}: \"Calls{sentence.rstrip()}\" names {', '.join(stale)}, "
                       f"which it neither calls nor includes")
        return out

    bad = []
    for layer in layers:
        for path in files[layer]:
            name = os.path.basename(path)[:-2]
            where = f"src/{layer}/{os.path.basename(path)}"
            sentence = calls_sentence(path)
            if path.endswith(".c"):
                if name not in edges:
                    continue  # not in a library (main.c)
                if sentence is None:
                    called = sorted(set(edges[name]) - EVERYWHERE)
                    bad.append(f"{where}: its top comment has no \"Calls ...\" sentence (it "
                               f"calls {', '.join(called) or 'nothing of the project'})")
                    continue
                bad += check(where, sentence, [name], {name})
            elif sentence is not None:
                objs = [m for m in edges if m == name or (m.startswith(name + "_")
                                                          and m + ".h" not in paths)]
                if objs:
                    bad += check(where, sentence, objs, set(objs) | {name})
    return bad


def check_diagram(doc, edges, layer_of, layers):
    """Rule 6."""
    if not os.path.exists(doc):
        return [f"{doc}: missing"]
    rows = re.findall(r"^(\w+)\s+.*?→ (.*)$", open(doc, encoding="utf-8").read(), re.M)
    rows = [(layer, calls) for layer, calls in rows if layer in layers]
    bad = []
    if [layer for layer, _ in rows] != list(reversed(layers)):
        bad.append(f"{doc}: the diagram's layers ({' '.join(l for l, _ in rows)}) are not "
                   f"CMakeLists.txt's, top to bottom ({' '.join(reversed(layers))})")
    for layer, calls in rows:
        uses = {layer_of[c] for m in edges if layer_of[m] == layer for c in edges[m]} - {layer}
        want = [x for x in reversed(layers) if x in uses]
        said = [w for w in calls.split() if w in layers]
        if said != want:
            bad.append(f"{doc}: {layer} calls {' '.join(want) or 'no layer'} today, the diagram "
                       f"says {' '.join(said) or 'none'}")
    return bad


def objects_of(build, layers):
    """{layer: [its library archive]} of the build."""
    return {layer: [a] for layer in layers
            for a in [os.path.join(build, f"libinfludash_{layer}.a")] if os.path.exists(a)}


def self_test():
    """Rules 2 to 4 on a tree that breaks each: each must report it."""
    with tempfile.TemporaryDirectory() as tmp:
        layers = ["low", "high"]
        files = {}
        for layer in layers:
            os.makedirs(os.path.join(tmp, layer))
        sources_ = {
            "low/a.h": "int a(void);\n",
            "low/a.c": '#include "a.h"\n#include "c.h"\nint c(void);\nint a(void) { return c(); }\n',
            "low/b.c": "int b(void);\nint a(void);\nint b(void) { return a(); }\n",
            "high/c.h": "int c(void);\n",
            "high/c.c": '#include "c.h"\nint c(void) { return 1; }\n',
            "low/d.c": "int d(void);\nint e(void);\nint d(void) { return e(); }\n",
            "low/e.c": "int e(void);\nint d(void);\nint e(void) { return d(); }\n",
        }
        for rel, text in sources_.items():
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text)
        for layer in layers:
            d = os.path.join(tmp, layer)
            files[layer] = sorted(os.path.join(d, f) for f in os.listdir(d))
        objects = collections.defaultdict(list)
        for layer in layers:
            for path in files[layer]:
                if path.endswith(".c"):
                    obj = path + ".o"
                    subprocess.run([os.environ.get("CC", "cc"), "-c",
                                    "-I" + os.path.join(tmp, "high"), path, "-o", obj],
                                   check=True)
                    objects[layer].append(obj)
        edges, layer_of = call_graph(objects, layers)
        inc = check_includes(files, layers, lambda p: os.path.relpath(p, tmp))
        down = check_calls_down(edges, layer_of, layers)
        circles = check_circles(edges, layer_of)
        ok = (any("includes c.h of layer high" in x for x in inc)
              and any("calls c of src/high/c.c" in x for x in down)
              and any("low/d.c" in x and "low/e.c" in x for x in circles))
        if not ok:
            print("check-layers: the self-test did not catch an upward include, an upward call "
                  f"and a circle: {inc} {down} {circles}")
        return ok


def main(argv):
    if len(argv) < 4:
        print(__doc__.split("\n\n")[1])
        return 64
    src, build, layers = argv[1], argv[2], argv[3:]
    if not self_test():
        return 1
    files, bad = sources(src, layers)
    bad += check_includes(files, layers, lambda p: "src/" + os.path.relpath(p, src))
    objects = objects_of(build, layers)
    for layer in layers:
        if not objects.get(layer):
            bad.append(f"{build}/libinfludash_{layer}.a: missing: build first")
    edges, layer_of = call_graph(objects, layers)
    bad += check_calls_down(edges, layer_of, layers)
    bad += check_circles(edges, layer_of)
    bad += check_calls_comments(files, edges, layers)
    doc = os.path.normpath(os.path.join(src, "..", "docs", "architecture.md"))
    bad += check_diagram(doc, edges, layer_of, layers)
    for line in bad:
        print(line)
    nfiles = sum(len(v) for v in files.values())
    print(f"check-layers: {len(layers)} layers, {nfiles} files, {len(edges)} objects: "
          f"{len(bad)} finding{'s' if len(bad) != 1 else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
