"""The console script leaves without the interpreter's teardown: its output must be whole all the
same, its exit code the run's, and a reader that stops early must cost no traceback."""
import json
import subprocess
import sys

from helpers import write_tree

FILES = {f"pkg/m{i}.py": "import os\nimport json\n" for i in range(300)}


def test_output_is_whole_and_the_exit_code_the_runs(tmp_path):
    write_tree(tmp_path, dict(FILES, **{"pkg/__init__.py": ""}))
    proc = subprocess.run([sys.executable, "-m", "importguard", "check", "--format", "json", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)  # a cut-off document would not parse
    assert len(doc["diagnostics"]) == 600
    clean = write_tree(tmp_path / "clean", {"app.py": "import os\nprint(os.sep)\n"})
    proc = subprocess.run([sys.executable, "-m", "importguard", "check", "."], cwd=clean, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and "All checks passed" in proc.stdout


def test_a_reader_that_stops_early_costs_no_traceback(tmp_path):
    write_tree(tmp_path, dict(FILES, **{"pkg/__init__.py": ""}))
    proc = subprocess.Popen([sys.executable, "-m", "importguard", "check", "--no-cache", "."], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()  # like ``| head -c 10``
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1
    assert "Traceback" not in err and "Exception ignored" not in err, err
