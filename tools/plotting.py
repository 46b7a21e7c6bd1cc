"""plotting.py - matplotlib for the tools that draw pictures, from Debian.

Debian's python3-matplotlib lives with /usr/bin/python3; a python3 found
first on PATH (pyenv, a venv) does not see it.  need_matplotlib() makes
sure matplotlib imports, running the calling script again under Debian's
python3 if that one has it, or ends the program saying what installs it.
"""

import os
import sys

DEBIAN_PYTHON = "/usr/bin/python3"


def need_matplotlib(program, installs):
    """Import matplotlib for drawing to files, or re-run, or exit."""
    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) \
                and os.path.exists(DEBIAN_PYTHON):
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, *sys.argv])
        sys.exit("%s: matplotlib is missing (%s installs python3-matplotlib)"
                 % (program, installs))
