"""Where a bench writes its results: bench/results/<stem>.json for the run whose figures are
committed, a name that says its flags for any other run (a quick run with smaller inputs wrote
over the committed figures), and the path printed."""
from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def results_name(stem: str, *flags: tuple[str, object, object]) -> str:
    """<stem>.json, plus -<label><value> for each (label, value, default) whose value is not its
    default (a flag that is on: -<label>); e.g. ("rate", 0.5, 0.08) -> faults-bench-rate0.5.json."""
    parts = [label if value is True else f"{label}{value}" for label, value, default in flags if value != default]
    return "-".join([stem, *parts]) + ".json"


def write_results(path: Path, text: str) -> Path:
    """Write one results file and say where: a run that prints figures names the file holding them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"results: {path}")
    return path
