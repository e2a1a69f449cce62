"""The house has floors: an app imports only the apps below it (docs/architecture.md).

    retrofit (the core) < units < consultations < works < payments < residents < reminders < reports < demo

The project's own wiring (retrofit/settings.py, retrofit/urls.py, retrofit/wsgi.py) reaches every app and is
left out. A higher app that must
show something on a lower app's page registers it there (units/panels.py, units/lifecycle.py guards,
retrofit/attention.py reasons) from its ``AppConfig.ready()``.

Imports inside functions hide such dependencies, so outside ``AppConfig.ready()`` and migrations there are
none, except where the line before says why Django needs it (a comment containing "Django").
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = {
    "retrofit": 0,
    "units": 1,
    "consultations": 2,
    "works": 3,  # after signing: the works records
    "payments": 4,  # the money, which reads the works (acceptance opens the provident fund)
    "residents": 5,  # the residents' page, which shows the works and each household's share
    "reminders": 6,  # every app's deadlines
    "reports": 7,
    "demo": 8,
}
PROJECT = {"retrofit/settings.py", "retrofit/urls.py", "retrofit/wsgi.py"}


def _modules():
    for app in FLOOR:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in PROJECT:
                continue
            yield app, rel, path


def _imports(tree):
    """Each import with the name of the function it sits in (None at module level)."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        function, parent = None, parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
                function = parent.name
                break
            parent = parents.get(parent)
        if isinstance(node, ast.ImportFrom):
            names = [] if node.level else [node.module or ""]
        else:
            names = [alias.name for alias in node.names]
        yield node, function, names


def test_no_app_imports_one_above_it():
    wrong = []
    for app, rel, path in _modules():
        for node, _function, names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            for name in names:
                other = name.split(".")[0]
                if other not in FLOOR or other == app:
                    continue
                if FLOOR[other] > FLOOR[app]:
                    wrong.append(f"{rel}:{node.lineno} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_no_import_hides_inside_a_function():
    hidden = []
    for _app, rel, path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node, function, _names in _imports(ast.parse(source)):
            if function is None or (path.name == "apps.py" and function == "ready"):
                continue
            before = lines[node.lineno - 2] if node.lineno >= 2 else ""
            if "Django" in before and before.strip().startswith("#"):
                continue
            hidden.append(f"{rel}:{node.lineno} in {function}()")
    assert not hidden, "\n".join(hidden)


def test_the_check_sees_an_upward_import(tmp_path):
    """The walker finds imports at any depth: a test that cannot fail is no test."""
    tree = ast.parse("def f():\n    if True:\n        from reports import dashboard\n")
    assert [(function, names) for _node, function, names in _imports(tree)] == [("f", ["reports"])]
