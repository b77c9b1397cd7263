"""The shape of the code (docs/architecture.md): views only translate HTTP and never write a domain
model themselves; no import cycle between project modules (the layers are import-linter's contracts
in pyproject.toml, run by scripts/test.sh)."""

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "api", "documents", "zones", "review", "applications", "security", "notifications",
            "accounts", "workflow", "audit", "outbox", "spreadsheets", "typography")

# A view that calls one of these writes the database itself instead of calling a service.
ALWAYS_WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "update_or_create", "get_or_create"}
# These write when called on a queryset or a related manager (dict.update, set.add are fine).
WRITES_ON_QUERYSETS = {"update", "add", "remove", "clear", "set"}
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update"}
RELATED_MANAGER_WRITES = {"add", "remove", "clear", "set"}


def _chain(node) -> list[str]:
    """Names along an attribute/call chain: x.objects.filter(...).update -> [x, objects, filter]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def direct_writes(source: str) -> list[tuple[int, str]]:
    """(line, call) for every database write written out in this source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = _chain(node.func.value)
        on_queryset = QUERYSET_HINTS & set(receiver)
        on_related_manager = method in RELATED_MANAGER_WRITES and len(receiver) >= 2  # version.evidence.set(...)
        if method in ALWAYS_WRITES or (method in WRITES_ON_QUERYSETS and (on_queryset or on_related_manager)):
            found.append((node.lineno, ".".join([*receiver, method])))
    return found


def view_modules() -> list[Path]:
    paths = []
    for package in PACKAGES:
        paths += list((ROOT / package).rglob("views.py"))
        paths += list((ROOT / package).rglob("views/*.py"))
    return sorted(paths)


def test_the_checker_sees_writes():
    source = """
def post(request):
    Application.objects.filter(pk=1).update(state="approved")
    form.save()
    version.evidence.set([])
    obj.delete()
    ctx.update({"a": 1})
    seen.add(3)
"""
    calls = {call for _line, call in direct_writes(source)}
    assert calls == {"Application.objects.filter.update", "form.save", "version.evidence.set", "obj.delete"}


def test_views_never_write_domain_models_directly():
    modules = view_modules()
    assert len(modules) >= 6, modules
    offenders = {str(path.relative_to(ROOT)): writes for path in modules
                 if (writes := direct_writes(path.read_text(encoding="utf-8")))}
    assert offenders == {}, "views call a service function instead of writing: " + repr(offenders)


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return out


def test_no_import_cycle_between_project_modules():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert len(graph.modules) > 80
    assert _cycles(graph) == []
