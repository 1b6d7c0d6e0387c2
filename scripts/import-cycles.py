#!/usr/bin/env python3
"""Reports import circles between the modules of the `app` crate.

Every file app/src/**.rs is a module (`server/services/placements.rs` -> `server::services::placements`,
`mod.rs` -> its folder). An edge A -> B means A's code names a path inside B: a `use crate::...`,
`use super::...` or `use <child module>::...` statement (grouped forms included), or an inline
`crate::...`, `super::...`, `self::...` or `<child module>::...` path anywhere in the code, attribute
strings included. A path maps to the longest prefix that is a module file; edges to the crate root
(`lib`) and to the module itself are dropped. Comments are ignored; inline `mod x { ... }` blocks
(tests) are followed so that their `super::` resolves to the file's own module.

Prints the strongly connected components with more than one module, the mutual pairs (A uses B
and B uses A directly) and a summary line. Usage:

    scripts/import-cycles.py               # per module file
    scripts/import-cycles.py --top-level   # modules collapsed to their first two path segments
    scripts/import-cycles.py --depth 1     # ... or to any number of segments
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "app" / "src"
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return tuple(parts)


def strip_comments(src: str) -> str:
    """Blanks out // and /* */ comments (keeping newlines), leaving string literals in place."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(src, i)) and (i == 0 or not re.match(r"\w", src[i - 1])):
            end = src.find('"' + m.group(1), m.end())
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append(src[i:end])
            i = end
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append(src[i : j + 1])
            i = j + 1
        elif c == "'" and (m := re.compile(r"'(?:\\u\{[0-9a-fA-F]+\}|\\.|[^'\\])'").match(src, i)):
            out.append(m.group(0))
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree: str) -> list:
    """`a::{b, c::{d as e, self}, *}` -> [[a,b], [a,c,d], [a,c], [a]]"""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+\w+", "", tree))
    paths = []

    def walk(s, prefix):
        # split s on top-level commas
        depth, start = 0, 0
        items = []
        for k, ch in enumerate(s):
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                items.append(s[start:k])
                start = k + 1
        items.append(s[start:])
        for item in filter(None, items):
            if "{" in item:
                head, rest = item.split("{", 1)
                walk(rest[: rest.rindex("}")], prefix + [p for p in head.split("::") if p])
            else:
                segs = [p for p in item.split("::") if p]
                if segs and segs[-1] in ("self", "*"):
                    segs.pop()
                paths.append(prefix + segs)

    walk(tree, [])
    return paths


def references(src: str, module: tuple, modules: set):
    """Yields the module-relative absolute paths (tuples) that the file's code names."""
    text = strip_comments(src)
    # Inline module blocks: scope[k] is the module path in effect at brace depth k.
    mod_opens = {m.end() - 1: m.group(1) for m in re.finditer(r"\bmod\s+(\w+)\s*\{", text)}
    scope_at = []  # (offset, module path) change points
    stack, depth = [(0, module)], 0
    for k, ch in enumerate(text):
        if ch == "{":
            depth += 1
            if k in mod_opens:
                stack.append((depth, stack[-1][1] + (mod_opens[k],)))
                scope_at.append((k, stack[-1][1]))
        elif ch == "}":
            if len(stack) > 1 and stack[-1][0] == depth:
                stack.pop()
                scope_at.append((k, stack[-1][1]))
            depth -= 1

    def scope(offset):
        current = module
        for k, m in scope_at:
            if k > offset:
                break
            current = m
        return current

    def resolve(segs, here, allow_child):
        if not segs:
            return None
        head, rest = segs[0], segs[1:]
        if head == "crate":
            base = ()
        elif head == "self":
            base = here
        elif head == "super":
            base = here[:-1]
            while rest and rest[0] == "super":
                base, rest = base[:-1], rest[1:]
        elif allow_child and here + (head,) in modules:
            base, rest = here, segs
        else:
            return None
        return base + tuple(rest)

    # `use` statements first (they may be grouped), then blank them so the inline scan skips them.
    use_re = re.compile(r"\buse\s+(::)?([^;]*);")
    for m in use_re.finditer(text):
        here = scope(m.start())
        for segs in expand_use_tree(m.group(2)):
            if (p := resolve(segs, here, allow_child=True)) is not None:
                yield p
    text = use_re.sub(lambda m: " " * len(m.group(0)), text)

    path_re = re.compile(r"(?<![\w:$])([A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)+)")
    for m in path_re.finditer(text):
        segs = [s.strip() for s in m.group(1).split("::")]
        if (p := resolve(segs, scope(m.start()), allow_child=True)) is not None:
            yield p


def longest_module(path: tuple, modules: set):
    for k in range(len(path), -1, -1):
        if path[:k] in modules:
            return path[:k]
    return ()


def tarjan(nodes, edges):
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
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
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top-level", action="store_true", help="collapse modules to their first two path segments")
    ap.add_argument("--depth", type=int, help="collapse modules to their first N path segments")
    ap.add_argument("--edges", action="store_true", help="also list every edge")
    args = ap.parse_args()
    depth = args.depth or (2 if args.top_level else None)

    files = sorted(ROOT.rglob("*.rs"))
    modules = {module_of(f) for f in files}
    name = lambda m: "::".join(m) or "lib"
    group = lambda m: name(m[:depth] if depth else m)

    edges = {}
    for f in files:
        src_mod = module_of(f)
        for path in references(f.read_text(encoding="utf-8"), src_mod, modules):
            target = longest_module(path, modules)
            if target == ():  # crate root
                continue
            a, b = group(src_mod), group(target)
            if a != b:
                edges.setdefault(a, set()).add(b)
    nodes = {group(m) for m in modules}

    if args.edges:
        print("edges:")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f"  {a} -> {b}")
        print()

    sccs = [c for c in tarjan(nodes, edges) if len(c) > 1]
    sccs.sort(key=lambda c: (-len(c), c))
    print(f"modules: {len(nodes)}; edges: {sum(len(v) for v in edges.values())}"
          + (f" (collapsed to {depth} segment{'s' if depth > 1 else ''})" if depth else ""))
    print(f"strongly connected components with more than one module: {len(sccs)}")
    for c in sccs:
        print(f"  [{len(c)}] " + ", ".join(c))
    pairs = sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, ()))
    print(f"mutual pairs (A uses B and B uses A): {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}")
    print(f"import circles (mutual pairs): {len(pairs)}; modules in cycles: {sum(len(c) for c in sccs)}")


if __name__ == "__main__":
    main()
