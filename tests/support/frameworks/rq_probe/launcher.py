"""Import the probe in the worker's main process, then run the compose worker command.

RQ runs a killed job's failure hook in the worker's main process, so the probe (which copies the
hook's records to Redis) must be imported there. Run with the project's Python and `-P` (this
directory stays off sys.path; PYTHONPATH=src finds the project's copy of the probe):
    python -P launcher.py -m MODULE ARGS...   (as `python -m MODULE ARGS...`)
    python -P launcher.py SCRIPT ARGS...      (as `python SCRIPT ARGS...`)
"""

import importlib
import os
import runpy
import sys


def main(args: list[str]) -> None:
    """Put first on sys.path what Python itself would, import the probe, run the command."""
    as_module = args[0] == "-m"
    sys.path.insert(0, os.getcwd() if as_module else os.path.dirname(os.path.abspath(args[0])))
    importlib.import_module("tqgen_probe")  # for its handler on the failure hook's logger
    if as_module:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
