"""Runs a generated project's notebooks in turn, as a person runs them in Jupyter: each from its
own folder with a fresh kernel, cell after cell, stopping at the first cell that raises (the later
notebooks then are not run). Each notebook is checked with nbformat's own validator first; the
executed copy, outputs and all, is written beside it as <name>.executed.ipynb.

    python3 run_notebooks.py <project folder> <notebook> [<notebook> ...]

Prints one JSON line, a list with one entry per notebook: {"notebook", "problems" (what nbformat's
validator found in it as generated), "error" (the cell that raised: {"cell", "ename", "evalue"}),
"seconds", "executed" (the executed copy's path; null when it was not run)}.
"""
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.validator import iter_validate

CELL_TIMEOUT_SECONDS = 60


def run(project, name):
    path = Path(project) / name
    started = time.monotonic()
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    problems = [f"{'/'.join(str(p) for p in error.absolute_path) or 'notebook'}: {error.message}" for error in iter_validate(notebook)]
    result = {"notebook": name, "problems": problems, "error": None, "seconds": 0, "executed": None}
    if problems:
        return result
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        failed = next((i for i, cell in enumerate(code_cells) if any(o.get("output_type") == "error" for o in cell.get("outputs", []))), None)
        result["error"] = {"cell": None if failed is None else failed + 1, "ename": error.ename, "evalue": error.evalue}
    executed = path.with_name(path.stem + ".executed.ipynb")
    nbformat.write(notebook, executed)
    result.update(seconds=round(time.monotonic() - started, 3), executed=str(executed))
    return result


def run_in_turn(project, names):
    results = []
    for name in names:
        if results and (results[-1]["problems"] or results[-1]["error"]):
            results.append({"notebook": name, "problems": [], "error": None, "seconds": 0, "executed": None})
            continue
        results.append(run(project, name))
    return results


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    project, names = sys.argv[1], sys.argv[2:]
    print(json.dumps(run_in_turn(project, names)))


if __name__ == "__main__":
    main()
