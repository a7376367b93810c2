"""What the OSTEP fixture generators share: finding a Python 2 to cross-check their scripts, and naming the exact
version of a script they ran (its git blob id). Imported by scripts/ostep_fixtures.py and
scripts/ostep_multi_fixtures.py (run from anywhere: Python puts the scripts' folder on the path)."""

import argparse
import glob
import hashlib
import os
import shutil
import subprocess


def python2_candidates():
    env = os.environ.get("OSTEP_PYTHON2")
    if env:
        yield env
    found = shutil.which("python2")
    if found:
        yield found
    for path in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python2"))):
        yield path


def find_python2():
    for candidate in python2_candidates():
        try:
            out = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[0])"],
                                 capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == "2":
            return candidate
    return None


def git_blob_id(path):
    with open(path, "rb") as handle:
        data = handle.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def generator_arguments(doc, scripts, default_out):
    """The command line of a generator: the folder holding OSTEP's `scripts`, a seed, --out and --no-python2."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ostep_dir", help=f"directory holding {scripts}")
    parser.add_argument("seed", type=int, help="random seed")
    parser.add_argument("--out", default=default_out, help="output file (default: %(default)s)")
    parser.add_argument("--no-python2", action="store_true", help=f"run {scripts} under Python 3 only")
    return parser.parse_args()
