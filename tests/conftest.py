import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# a bug in building the tree from ``ast`` fails the tests instead of falling back to LibCST
from importguard.extract import fromast  # noqa: E402

fromast.STRICT = True
