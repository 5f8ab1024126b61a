"""The layout's rules (issue 16): the archive never depends on the crawler, and the public
names stay importable from the package level."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):  # walk: imports inside functions count too
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_archive_never_imports_the_crawler_or_its_settings():
    offenders = []
    for path in sorted((ROOT / "archive").rglob("*.py")):
        for name in _imported_modules(path):
            if name.split(".")[0] in ("crawler", "settings", "scrapy"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


@pytest.mark.parametrize("package, names", [
    ("archive.warc", ["WarcWriter", "HttpExchange", "Capture", "iter_exchanges", "iter_records",
                      "exchanges_in_file", "read_response", "recover", "decode_content",
                      "ContentDecodingError", "sha1_digest", "warc_files", "ArchiveError"]),
    ("archive.extract", ["extract", "Extraction", "join_pages", "sniff_type"]),
    ("archive.index", ["Index", "IndexSchemaError", "report_id", "latest_responses",
                       "post_responses", "live_reports", "last_checked"]),
    ("archive.reports", ["classify_title", "identity_url", "canonical_url", "build_report",
                         "ReportAssembler", "Ingest", "pipeline_item", "becomes_item"]),
])
def test_public_names_are_importable_from_the_package(package, names):
    module = importlib.import_module(package)
    missing = [n for n in names if not callable(getattr(module, n, None))]
    assert missing == []


def _map_paths() -> set[str]:
    """The paths named in docs/design.md's "Map" block: a tree of directories (a line's first
    word ending in "/") holding the ``*.py``/``*.json`` files named on their lines."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("## Map", 1)[1].split("```", 2)[1]
    stack: list[tuple[int, str]] = []  # (indent, directory)
    paths: set[str] = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        base = stack[-1][1] if stack else ""
        first = line.split()[0]
        if first.endswith("/"):
            paths.add(base + first)
            stack.append((indent, base + first))
            base += first
        for name in re.findall(r"(?<![\w./])((?:\w+/)*\w+\.(?:py|json))\b", line):
            paths.add(base + name)
    return paths


def test_the_design_map_names_only_what_exists():
    paths = _map_paths()
    assert len(paths) > 50  # the parser found the map
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


def test_the_design_map_names_every_archive_and_crawler_module():
    named = _map_paths()
    modules = [str(p.relative_to(ROOT)) for top in ("archive", "crawler")
               for p in (ROOT / top).rglob("*.py") if p.name != "__init__.py"]
    assert sorted(m for m in modules if m not in named) == []


def test_the_tests_mirror_the_tree():
    """tests/archive/warc/test_x.py tests archive/warc/: every test folder names a package that
    exists, so a reader finds a module's tests by its path."""
    folders = {p.parent.relative_to(ROOT / "tests") for p in (ROOT / "tests").rglob("test_*.py")}
    folders.discard(Path("."))
    assert len(folders) >= 8
    assert sorted(str(f) for f in folders if not (ROOT / f).is_dir()) == []
    assert sorted(p.name for p in (ROOT / "tests").glob("test_*.py")) == ["test_layout.py"]


def test_modules_over_500_lines_say_why():
    """Issue 16: no module over ~500 lines without a reason written at its top (a "Length:"
    paragraph in its docstring)."""
    silent = []
    for top in ("archive", "crawler", "settings", "farm", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > 500 and "Length:" not in (ast.get_docstring(ast.parse(text)) or ""):
                silent.append(str(path.relative_to(ROOT)))
    assert silent == []


def test_make_test_unit_installs_the_font_the_unit_tests_draw_scans_with():
    """`make test-unit` on a fresh machine failed in farm/disguised.py: "no CJK font to draw
    the farm's scans" (the font was only in `make test`'s packages)."""
    import shutil
    import subprocess

    if not shutil.which("make"):
        pytest.skip("no make")
    dry = subprocess.run(["make", "-n", "test-unit"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    sysdeps = [line for line in dry.stdout.splitlines() if line.startswith("missing=") and "dpkg -s" in line]
    assert sysdeps and "fonts-wqy-zenhei" in sysdeps[0]
