"""Measure the import graph between the project's own top-level packages.

Reads the import statements of every module (tests, migrations and bench left out) and
prints the package edges, the pairs that import each other both ways, the cycles (strongly
connected components of more than one package) and every cross-package import made inside
a function. `python scripts/import_graph.py --check` exits 1 if any of those three is found
(a deferred import is allowed when the line before it, or the line itself, carries a comment
that says why).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "migrations", "bench", "scripts", ".venv", "var", "static", "templates"}


def project_packages() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in SKIP_DIRS
    )


def modules(package: str):
    for path in (ROOT / package).rglob("*.py"):
        if SKIP_DIRS & set(path.relative_to(ROOT).parts[1:-1]):
            continue
        yield path


def _resolve(node: ast.ImportFrom, path: Path) -> str | None:
    if node.level == 0:
        return node.module
    parts = list(path.relative_to(ROOT).with_suffix("").parts)[: -node.level]
    return ".".join(parts + ([node.module] if node.module else []))


def imports(path: Path):
    """(imported module, line, inside a function?) for each import in the file."""
    tree = ast.parse(path.read_text(), str(path))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                module = _resolve(child, path)
                if module:
                    found.append((module, child.lineno, in_function))
            elif isinstance(child, ast.If) and _is_type_checking(child):
                continue  # imports for type hints only never run
            visit(child, inner)

    visit(tree, False)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _commented(path: Path, line: int) -> bool:
    lines = path.read_text().splitlines()
    here = lines[line - 1]
    before = lines[line - 2].strip() if line >= 2 else ""
    return "#" in here or before.startswith("#")


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on any finding")
    parser.add_argument("--edges", action="store_true", help="list every package edge")
    args = parser.parse_args()

    packages = project_packages()
    graph: dict[str, set[str]] = defaultdict(set)
    deferred = []
    for package in packages:
        graph[package]
        for path in modules(package):
            for module, line, in_function in imports(path):
                target = module.split(".")[0]
                if target == package or target not in packages:
                    continue
                graph[package].add(target)
                if in_function:
                    deferred.append((path.relative_to(ROOT), line, module, _commented(path, line)))

    edges = sum(len(v) for v in graph.values())
    pairs = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph[b]})
    cycles = sccs(graph)
    uncommented = [d for d in deferred if not d[3]]
    print(f"packages: {len(packages)} ({', '.join(packages)})")
    print(f"edges: {edges}")
    if args.edges:
        for a in packages:
            print(f"  {a} -> {', '.join(sorted(graph[a])) or '(none)'}")
    print(f"two-way pairs: {len(pairs)}", *(f"{a}<->{b}" for a, b in pairs))
    print(f"cycles: {len(cycles)}", *("{" + ", ".join(c) + "}" for c in cycles))
    print(
        f"cross-package imports inside functions: {len(deferred)}",
        f"({len(uncommented)} without a comment)",
    )
    for path, line, module, commented in deferred:
        print(f"  {path}:{line} {module}{'' if commented else '  (no comment)'}")
    return 1 if args.check and (pairs or cycles or uncommented) else 0


if __name__ == "__main__":
    sys.exit(main())
