#!/usr/bin/env python3
"""
make check-layers: every #include "..." in the product's code points to its
own folder or to a folder below it, and no files include each other in a
circle (a module is NAME.c with NAME.h). Prints one line per violation and
exits 1 if there is any. tests/, fuzz/ and bench/ may include anything.
From outside policies/ only its face, policy.h, may be included.

The layers, lowest first; a folder may include from the folders listed
before it in its stack. The enforcer's folders are the path a packet takes
(docs/architecture.md); urlctl stands on common/ and policies/ only.
"""
import os
import re
import sys

ENFORCER_STACK = ["bpf", "common", "policies",
                  "enforcer/capture", "enforcer/stream", "enforcer/proto",
                  "enforcer/pipeline", "enforcer/judge", "enforcer/enforce",
                  "enforcer/control", "enforcer/fleet", "enforcer"]
CTL_STACK = ["bpf", "common", "policies", "ctl"]
# A library's face: from outside it, only these of its headers (the rest are
# its insides). A layer of the enforcer shows all its headers to those above.
FACES = {"policies": {"policies/policy.h"}}
ROOTS = ["bpf", "common", "policies", "enforcer", "ctl"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def allowed_below(folder):
    stack = CTL_STACK if folder == "ctl" else ENFORCER_STACK
    return set(stack[:stack.index(folder) + 1])


def sources(top):
    for root in ROOTS:
        for dirpath, _, names in os.walk(os.path.join(top, root)):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, n), top)


def resolve(path, target, top):
    """The repository path an include names: from the top (-I.), else
    relative to the including file; None for generated or system files."""
    for cand in (target, os.path.normpath(os.path.join(os.path.dirname(path), target))):
        if os.path.isfile(os.path.join(top, cand)):
            return cand
    return None


def module(path):
    return os.path.splitext(path)[0]


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = 0
    edges = {}
    for path in sources(top):
        folder = os.path.dirname(path)
        with open(os.path.join(top, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for target in INCLUDE.findall(text):
            dep = resolve(path, target, top)
            if dep is None:
                continue
            where = os.path.dirname(dep)
            if where not in allowed_below(folder):
                print(f"{path}: includes {dep}: {where}/ is not below {folder}/")
                bad += 1
            elif where != folder and where in FACES and dep not in FACES[where]:
                print(f"{path}: includes {dep}: {where}/'s insides "
                      f"(its face: {', '.join(sorted(FACES[where]))})")
                bad += 1
            if module(dep) != module(path):
                edges.setdefault(module(path), set()).add(module(dep))
    for comp in cycles(edges):
        print("include circle: " + " <-> ".join(comp))
        bad += 1
    if bad:
        print(f"check-layers: {bad} problem(s); the layers are listed in tests/include_layers.py")
        return 1
    print("check-layers: every include points down, no circles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
