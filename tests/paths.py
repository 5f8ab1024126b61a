"""Where the tests find the repository, their frozen fixtures and the shared domain material;
one place, so a test file can move within tests/ without its paths breaking."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
