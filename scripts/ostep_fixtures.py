#!/usr/bin/env python3
"""Expected results of OSTEP's scheduling simulators, as test fixtures for tasklab's `ostep` conventions.

Usage:
    python3 scripts/ostep_fixtures.py OSTEP_DIR SEED [--out PATH] [--no-python2]

OSTEP_DIR holds `scheduler.py` (from cpu-sched/) and `mlfq.py` (from cpu-sched-mlfq/) of
https://github.com/remzi-arpacidusseau/ostep-homework. This script generates small random cases (plus a fixed
list of hand-picked edge cases), runs those scripts with `-c`, parses the per-job "Final statistics" they print
and writes them, with the same case written as tasklab's `SimInput`, to
crates/tasklab-core/tests/ostep/fixtures.json (or PATH). Only the scripts' outputs are recorded, none of their
code. The output depends only on SEED and on the two scripts (whose git blob ids are recorded).

Interpreters: scheduler.py declares python3; mlfq.py declares `python` and is written to run under Python 2 and
Python 3. Every case is run under Python 3 and, when a Python 2 is found (OSTEP_PYTHON2, `python2` on PATH, or a
pyenv 2.7), under Python 2 as well; the two outputs must be identical.

Stdlib only.
"""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
import random

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "tasklab-core", "tests", "ostep", "fixtures.json")

# mlfq.py's defaults for the options we may leave out.
MLFQ_DEFAULTS = {"n": 3, "q": 10, "a": 1, "B": 0, "i": 5}

# Hand-picked cases: each shows one rule of docs/ostep-semantics.md.
SCHED_EDGE = [
    (["-p", "FIFO", "-l", "3,5,3"], "FIFO in list order"),
    (["-p", "SJF", "-l", "5,3,3,1"], "SJF: equal lengths keep list order (stable sort)"),
    (["-p", "SJF", "-l", "4,4,4"], "SJF: all equal = FIFO"),
    (["-p", "RR", "-q", "2", "-l", "3,5,3"], "RR basic"),
    (["-p", "RR", "-q", "3", "-l", "3,3,3"], "RR: lengths equal to the quantum"),
    (["-p", "RR", "-q", "1", "-l", "1"], "RR: single job"),
    (["-p", "RR", "-q", "10", "-l", "4,7,2"], "RR: quantum longer than every job = FIFO"),
    (["-p", "RR", "-q", "4", "-l", "9"], "RR: single job, several quanta"),
]

MLFQ_EDGE = [
    (["-l", "0,10,3:2,5,0", "-n", "2", "-q", "4", "-a", "2", "-i", "2"],
     "the quantum is not refilled across an I/O: job 0 comes back with 1 tick of its quantum left"),
    (["-l", "0,20,0:0,20,0:12,3,0", "-n", "2", "-q", "5", "-a", "1"],
     "a lower job preempted by an arrival keeps the front of its queue and the rest of its quantum"),
    (["-l", "0,30,0:0,30,0:0,30,0", "-n", "3", "-q", "2", "-a", "1", "-B", "8"],
     "boost moves the lowest queue first: job 0 (bottom) runs before jobs 1, 2 (middle)"),
    (["-l", "0,10,0:0,4,0", "-n", "2", "-q", "5", "-a", "1", "-B", "3"],
     "boost refills the running top job's quantum: with B < q it is never rotated"),
    (["-l", "0,40,0:0,40,0:16,40,0", "-n", "3", "-q", "4", "-a", "1", "-B", "22"],
     "boost: the job running in a lower queue goes behind the jobs of the queues below it"),
    (["-l", "0,7,3", "-n", "2", "-q", "3", "-a", "1", "-i", "2", "-S"],
     "-S: an I/O issued on the last tick of a quantum still uses up that quantum (demoted)"),
    (["-l", "0,7,2", "-n", "2", "-q", "3", "-a", "1", "-i", "2", "-S"],
     "-S: I/O before the quantum ends resets quantum and allotment (stays on top)"),
    (["-l", "0,7,2", "-n", "2", "-q", "3", "-a", "1", "-i", "2"],
     "same without -S: the quantum continues across the I/O"),
    (["-l", "0,6,2:0,20,0", "-n", "1", "-q", "10", "-i", "3", "-I"],
     "-I: the job back from I/O goes to the front and preempts the running job of its level"),
    (["-l", "0,6,2:0,20,0", "-n", "1", "-q", "10", "-i", "3"],
     "same without -I"),
    (["-l", "0,4,0:2,2,0", "-n", "1", "-q", "2"],
     "a quantum expiring at t is queued before a job arriving at t"),
    (["-l", "0,3,1:3,2,0", "-n", "1", "-q", "10", "-i", "2"],
     "arrivals at t are queued before an I/O return at t, whatever the job numbers"),
    (["-l", "0,3,1:3,2,0", "-n", "1", "-q", "10", "-i", "2", "-I"],
     "with -I the I/O return at t goes in front of the arrival at t"),
    (["-l", "0,6,3:0,3,0", "-n", "1", "-q", "10", "-i", "2"],
     "no I/O when the run ends on a multiple of ioFreq"),
    (["-l", "0,10,3:0,10,0", "-n", "2", "-q", "2", "-a", "1", "-i", "2", "-B", "5"],
     "a boost also resets a job that is in I/O: it comes back to the top queue"),
    (["-l", "0,10,3:0,10,0", "-n", "2", "-q", "2", "-a", "1", "-i", "2", "-B", "7"],
     "boost at t is applied before the I/O return at t"),
    (["-l", "0,20,0:0,20,0", "-Q", "2,4,8", "-A", "3,2,1"],
     "allotment counts quanta: 3 quanta of 2 ticks on top, then 2 of 4"),
    (["-l", "5,3,0:20,4,2", "-n", "2", "-q", "2", "-i", "1"],
     "idle ticks before and between late arrivals"),
    (["-l", "0,9,3:0,12,0", "-n", "2", "-q", "3", "-a", "1", "-i", "4", "-I"],
     "-I with demotion at the I/O: the job returns to the front of the lower queue"),
    (["-l", "0,5,0:0,5,0:0,5,0", "-n", "2", "-q", "2", "-a", "2"],
     "same-tick arrivals are queued in job order"),
    (["-l", "0,10,0:4,2,0", "-n", "2", "-q", "2", "-a", "1", "-B", "4"],
     "boost at t comes after the quantum expiry of t and before the arrivals of t"),
    (["-l", "0,6,2", "-n", "2", "-q", "1", "-a", "1", "-i", "3", "-B", "3"],
     "a boost during idle ticks resets the job in I/O"),
]


# ---------------------------------------------------------------------------------------------- interpreters


from ostep_common import find_python2, generator_arguments, git_blob_id  # noqa: E402  (shared with the other generator)


class Runner:
    def __init__(self, ostep_dir, python2):
        self.ostep_dir = ostep_dir
        self.python3 = sys.executable
        self.python2 = python2

    def run(self, tool, args):
        script = os.path.join(self.ostep_dir, tool)
        outputs = []
        for interpreter in [self.python3] + ([self.python2] if self.python2 else []):
            proc = subprocess.run([interpreter, script] + args + ["-c"], capture_output=True, text=True,
                                  timeout=120)
            if proc.returncode != 0 or proc.stderr.strip():
                raise RuntimeError("%s %s failed (%s): %s" % (tool, " ".join(args), interpreter, proc.stderr))
            outputs.append(proc.stdout)
        if any(out != outputs[0] for out in outputs[1:]):
            raise RuntimeError("%s %s: Python 2 and Python 3 disagree" % (tool, " ".join(args)))
        return outputs[0]


# ---------------------------------------------------------------------------------------------- parsing


def exact_int(text):
    """'7.00' -> 7, asserting the printed value is integral."""
    value = Fraction(text)
    if value.denominator != 1:
        raise ValueError("not an integer: %r" % text)
    return int(value)


SCHED_STAT = re.compile(r"^\s*Job\s+(\d+) -- Response: (\S+)\s+Turnaround (\S+)\s+Wait (\S+)\s*$")
SCHED_RUN = re.compile(r"^\s*\[ time\s+(\d+) \] Run job\s+(\d+) for (\S+) secs")


def parse_scheduler(output, runs):
    if "** Solutions **" not in output or "Final statistics:" not in output or "Error" in output:
        raise RuntimeError("unexpected scheduler.py output:\n" + output)
    stats = {}
    timeline = []
    for line in output.splitlines():
        m = SCHED_STAT.match(line)
        if m:
            job = int(m.group(1))
            if job in stats:
                raise RuntimeError("job %d printed twice" % job)
            stats[job] = tuple(exact_int(g) for g in m.groups()[1:])
            continue
        m = SCHED_RUN.match(line)
        if m:
            start, job, ran = int(m.group(1)), int(m.group(2)), exact_int(m.group(3))
            if timeline and timeline[-1][2] == job and timeline[-1][1] == start:
                timeline[-1][1] = start + ran
            else:
                timeline.append([start, start + ran, job])
    if sorted(stats) != list(range(len(runs))):
        raise RuntimeError("jobs missing in:\n" + output)
    expected = []
    for job in range(len(runs)):
        response, turnaround, wait = stats[job]
        # Self-checks: everything arrives at 0 on one CPU, so wait = turnaround - run.
        assert turnaround - wait == runs[job], (job, stats[job], runs[job])
        assert 0 <= response <= wait
        assert max(end for start, end, j in timeline if j == job) == turnaround
        assert min(start for start, end, j in timeline if j == job) == response
        expected.append({"job": job, "response": response, "turnaround": turnaround, "wait": wait,
                         "completion": turnaround})
    assert sum(end - start for start, end, _ in timeline) == sum(runs)
    return expected, timeline


MLFQ_RUN = re.compile(r"^\[ time (\d+) \] Run JOB (\d+) at PRIORITY (\d+) ")
MLFQ_STAT = re.compile(r"^\s*Job\s+(\d+): startTime\s+(\d+) - response\s+(-?\d+) - turnaround\s+(-?\d+)\s*$")
MLFQ_JOB = re.compile(r"^\s*Job\s+(\d+): startTime\s+(\d+) - runTime\s+(\d+) - ioFreq\s+(\d+)\s*$")


def parse_mlfq(output, options, jobs):
    n = options["num_queues"]
    # Cross-check our reading of the arguments against the OPTIONS lines it prints.
    printed = {}
    for line in output.splitlines():
        m = re.match(r"^OPTIONS allotments for queue\s+(\d+) is\s+(-?\d+)$", line)
        if m:
            printed.setdefault(int(m.group(1)), {})["allotment"] = int(m.group(2))
        m = re.match(r"^OPTIONS quantum length for queue\s+(\d+) is\s+(\d+)$", line)
        if m:
            printed.setdefault(int(m.group(1)), {})["quantum"] = int(m.group(2))
    for level in range(n):  # our level 0 = their queue n-1
        theirs = printed[n - 1 - level]
        assert theirs["quantum"] == options["quanta"][level], (options, printed)
        assert theirs["allotment"] == options["allotments"][level], (options, printed)
    assert len(printed) == n
    assert "OPTIONS queues %d\n" % n in output
    assert "OPTIONS boost %d\n" % options["boost"] in output
    assert "OPTIONS ioTime %d\n" % options["io_time"] in output
    assert "OPTIONS stayAfterIO %s\n" % options["stay"] in output
    assert "OPTIONS iobump %s\n" % options["iobump"] in output
    listed = [tuple(int(g) for g in m.groups()[1:]) for m in map(MLFQ_JOB.match, output.splitlines()) if m]
    assert listed == [(j["arrival"], j["run"], j["io_freq"]) for j in jobs], (listed, jobs)

    stats = {}
    timeline = []
    for line in output.splitlines():
        m = MLFQ_RUN.match(line)
        if m:
            tick, job, prio = int(m.group(1)), int(m.group(2)), int(m.group(3))
            level = n - 1 - prio
            if timeline and timeline[-1][1] == tick and timeline[-1][2] == job and timeline[-1][3] == level:
                timeline[-1][1] = tick + 1
            else:
                timeline.append([tick, tick + 1, job, level])
            continue
        m = MLFQ_STAT.match(line)
        if m:
            job = int(m.group(1))
            assert job not in stats
            stats[job] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    if sorted(stats) != list(range(len(jobs))):
        raise RuntimeError("jobs missing in:\n" + output)
    expected = []
    for job, spec in enumerate(jobs):
        start, response, turnaround = stats[job]
        assert start == spec["arrival"]
        mine = [s for s in timeline if s[2] == job]
        first_run = min(s[0] for s in mine)
        completion = max(s[1] for s in mine)
        assert sum(s[1] - s[0] for s in mine) == spec["run"]
        assert first_run == start + response and response >= 0
        assert completion == start + turnaround and turnaround > 0
        expected.append({"job": job, "response": response, "turnaround": turnaround,
                         "first_run": first_run, "completion": completion})
    return expected, timeline


# ---------------------------------------------------------------------------------------------- case building


def sched_case(args, note=None):
    policy = args[args.index("-p") + 1]
    runs = [exact_int(x) for x in args[args.index("-l") + 1].split(",")]
    options = {"policy": policy}
    if policy == "RR":
        options["quantum"] = int(args[args.index("-q") + 1])
    kind = {"FIFO": {"kind": "fcfs"}, "SJF": {"kind": "sjf"}}.get(policy)
    if policy == "RR":
        kind = {"kind": "rr", "quantum": options["quantum"]}
    case = {
        "tool": "scheduler.py",
        "args": args,
        "options": options,
        "jobs": [{"arrival": 0, "run": r} for r in runs],
        "input": {
            "tasks": [{"name": "J%d" % i, "arrival": 0, "bursts": [{"cpu": r}]} for i, r in enumerate(runs)],
            "machine": {"cpus": 1, "switch_cost": 0},
            "policy": kind,
            "conventions": "ostep",
        },
    }
    if note:
        case["note"] = note
    return case


def value_of(args, flag, default):
    return args[args.index(flag) + 1] if flag in args else default


def mlfq_options(args):
    """The meaning of mlfq.py's arguments, by its documented rules (cross-checked with its OPTIONS output)."""
    if "-Q" in args:
        quanta = [int(x) for x in value_of(args, "-Q", "").split(",")]  # top level first
    else:
        n = int(value_of(args, "-n", MLFQ_DEFAULTS["n"]))
        quanta = [int(value_of(args, "-q", MLFQ_DEFAULTS["q"]))] * n
    n = len(quanta)
    if "-A" in args:
        allotments = [int(x) for x in value_of(args, "-A", "").split(",")]
        assert len(allotments) == n
    else:
        allotments = [int(value_of(args, "-a", MLFQ_DEFAULTS["a"]))] * n
    return {
        "num_queues": n,
        "quanta": quanta,
        "allotments": allotments,
        "allotment_ticks": [a * q for a, q in zip(allotments, quanta)],
        "boost": int(value_of(args, "-B", MLFQ_DEFAULTS["B"])),
        "io_time": int(value_of(args, "-i", MLFQ_DEFAULTS["i"])),
        "stay": "-S" in args,
        "iobump": "-I" in args,
    }


def mlfq_bursts(run, io_freq, io_time):
    """A job's CPU/I-O sequence: an I/O after every io_freq CPU ticks, except when the run is over."""
    if io_freq <= 0 or io_freq >= run:
        return [{"cpu": run}]
    ios = (run - 1) // io_freq
    bursts = []
    for _ in range(ios):
        bursts += [{"cpu": io_freq}, {"io": io_time}]
    bursts.append({"cpu": run - ios * io_freq})
    return bursts


def mlfq_case(args, note=None):
    options = mlfq_options(args)
    jobs = []
    for spec in value_of(args, "-l", "").split(":"):
        start, run, freq = (int(x) for x in spec.split(","))
        jobs.append({"arrival": start, "run": run, "io_freq": freq})
    assert all(a >= 1 for a in options["allotments"]), "allotments < 1 are not expressible"
    assert options["io_time"] >= 1 or all(j["io_freq"] == 0 for j in jobs)
    policy = {"kind": "mlfq",
              "queues": [{"quantum": q, "allotment": t} for q, t in zip(options["quanta"], options["allotment_ticks"])]}
    if options["boost"] > 0:
        policy["boost_period"] = options["boost"]
    if options["stay"] or options["iobump"]:
        conventions = {"preset": "ostep", "io_stay": options["stay"], "io_bump": options["iobump"]}
    else:
        conventions = "ostep"
    case = {
        "tool": "mlfq.py",
        "args": args,
        "options": options,
        "jobs": jobs,
        "input": {
            "tasks": [{"name": "J%d" % i, "arrival": j["arrival"],
                       "bursts": mlfq_bursts(j["run"], j["io_freq"], options["io_time"])}
                      for i, j in enumerate(jobs)],
            "machine": {"cpus": 1, "switch_cost": 0},
            "policy": policy,
            "conventions": conventions,
        },
    }
    if note:
        case["note"] = note
    return case


# ---------------------------------------------------------------------------------------------- random cases


def random_runs(rng, count):
    if rng.random() < 0.35:  # ties: lengths drawn from a pool of two or three values
        pool = [rng.randint(1, 12) for _ in range(rng.randint(1, 3))]
        return [rng.choice(pool) for _ in range(count)]
    top = 60 if rng.random() < 0.2 else 20
    return [rng.randint(1, top) for _ in range(count)]


def random_sched(rng, policy):
    count = rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 6])
    runs = random_runs(rng, count)
    args = ["-p", policy, "-l", ",".join(str(r) for r in runs)]
    if policy == "RR":
        quantum = rng.choice(runs) if rng.random() < 0.25 else rng.randint(1, 10)
        args += ["-q", str(quantum)]
    return args


MLFQ_THEMES = [
    # theme, count, probability of I/O jobs, boost?, -S, -I
    ("basic", 40, 0.0, False, False, False),
    ("lists", 40, 0.4, False, False, False),
    ("boost", 45, 0.5, True, False, False),
    ("io", 45, 1.0, False, False, False),
    ("stay", 30, 1.0, False, True, False),
    ("bump", 30, 1.0, False, False, True),
    ("stay-bump", 15, 1.0, True, True, True),
    ("arrivals", 25, 0.5, False, False, False),
]


def random_arrivals(rng, count, theme):
    if theme != "arrivals" and rng.random() < 0.4:
        return [0] * count
    spread = 40 if theme == "arrivals" else 15
    arrivals = []
    for _ in range(count):
        if arrivals and rng.random() < 0.35:
            arrivals.append(rng.choice(arrivals))  # same tick as another job
        else:
            arrivals.append(rng.randint(0, spread))
    return arrivals


def random_io_freq(rng, run):
    roll = rng.random()
    if roll < 0.15:
        divisors = [d for d in range(1, run + 1) if run % d == 0]
        return rng.choice(divisors)  # the run ends on a multiple of ioFreq
    if roll < 0.22:
        return run + rng.randint(0, 3)  # never issues an I/O
    return rng.randint(1, 8)


def random_mlfq(rng, theme, io_share, boost, stay, bump):
    args = []
    count = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])
    arrivals = random_arrivals(rng, count, theme)
    runs = [rng.randint(1, 60 if rng.random() < 0.15 else 25) for _ in range(count)]
    while sum(runs) > 120:
        runs = [max(1, r // 2) for r in runs]
    has_io = False
    specs = []
    for start, run in zip(arrivals, runs):
        freq = random_io_freq(rng, run) if rng.random() < io_share else 0
        has_io = has_io or 0 < freq < run
        specs.append("%d,%d,%d" % (start, run, freq))
    args += ["-l", ":".join(specs)]

    levels = rng.choice([1, 2, 2, 3, 3, 3, 4])
    mode = rng.choice(["Q", "A", "QA"]) if theme == "lists" else rng.choice(["nqa"] * 5 + ["defaults"])
    if mode in ("Q", "QA"):
        args += ["-Q", ",".join(str(rng.randint(1, 10)) for _ in range(levels))]
        if rng.random() < 0.15:
            args += ["-n", str(rng.randint(1, 5))]  # ignored when -Q is given
    else:
        if mode == "defaults":
            if rng.random() < 0.5:
                args += ["-n", str(levels)]
            else:
                levels = MLFQ_DEFAULTS["n"]
        else:
            args += ["-n", str(levels), "-q", str(rng.randint(1, 8))]
    if mode in ("A", "QA"):
        args += ["-A", ",".join(str(rng.randint(1, 3)) for _ in range(levels))]
    elif mode == "Q" or (mode == "nqa" and rng.random() < 0.8):
        args += ["-a", str(rng.randint(1, 3))]

    if boost:
        args += ["-B", str(rng.randint(3, 40))]
    elif rng.random() < 0.1:
        args += ["-B", "0"]
    if has_io and not (theme == "io" and rng.random() < 0.1):  # sometimes rely on the default -i 5
        args += ["-i", str(rng.randint(1, 6))]
    if stay:
        args.append("-S")
    if bump:
        args.append("-I")
    return args


def build_cases(seed):
    rng = random.Random(seed)
    sched = [sched_case(args, note) for args, note in SCHED_EDGE]
    for index in range(156):
        sched.append(sched_case(random_sched(rng, ["FIFO", "SJF", "RR"][index % 3])))
    mlfq = [mlfq_case(args, note) for args, note in MLFQ_EDGE]
    for theme, count, io_share, boost, stay, bump in MLFQ_THEMES:
        for _ in range(count):
            case = mlfq_case(random_mlfq(rng, theme, io_share, boost, stay, bump))
            case["theme"] = theme
            mlfq.append(case)
    for index, case in enumerate(sched):
        case["id"] = "sched-%03d" % index
    for index, case in enumerate(mlfq):
        case["id"] = "mlfq-%03d" % index
    return sched + mlfq


def ordered(case):
    keys = ["id", "tool", "args", "note", "theme", "options", "jobs", "expected", "timeline", "input"]
    return {k: case[k] for k in keys if k in case}


def main():
    opts = generator_arguments(__doc__, "scheduler.py and mlfq.py", DEFAULT_OUT)
    python2 = None if opts.no_python2 else find_python2()
    runner = Runner(opts.ostep_dir, python2)
    cases = build_cases(opts.seed)

    def solve(case):
        output = runner.run(case["tool"], case["args"])
        if case["tool"] == "scheduler.py":
            case["expected"], case["timeline"] = parse_scheduler(output, [j["run"] for j in case["jobs"]])
        else:
            case["expected"], case["timeline"] = parse_mlfq(output, case["options"], case["jobs"])
        return ordered(case)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        cases = list(pool.map(solve, cases))

    header = {
        "source": {
            "repository": "https://github.com/remzi-arpacidusseau/ostep-homework",
            "scheduler.py": {"path": "cpu-sched/scheduler.py",
                             "git_blob": git_blob_id(os.path.join(opts.ostep_dir, "scheduler.py"))},
            "mlfq.py": {"path": "cpu-sched-mlfq/mlfq.py",
                        "git_blob": git_blob_id(os.path.join(opts.ostep_dir, "mlfq.py"))},
        },
        "generator": {"script": "scripts/ostep_fixtures.py", "seed": opts.seed,
                      "command": "python3 scripts/ostep_fixtures.py OSTEP_DIR %d" % opts.seed},
        "format": [
            "expected: per job, from the scripts' 'Final statistics' (integers, checked exact); "
            "completion = arrival + turnaround; mlfq.py cases also give first_run = arrival + response.",
            "timeline: the scripts' own trace, merged: scheduler.py [start, end, job]; "
            "mlfq.py [start, end, job, level] with level 0 = top queue (their queue numbers are reversed).",
            "options (mlfq.py): quanta and allotments top level first; allotments in quanta as mlfq.py counts them, "
            "allotment_ticks = allotment * quantum.",
            "input: the case as tasklab's SimInput under the proposed 'ostep' conventions "
            "(see docs/ostep-semantics.md).",
        ],
        "counts": {"scheduler.py": sum(c["tool"] == "scheduler.py" for c in cases),
                   "mlfq.py": sum(c["tool"] == "mlfq.py" for c in cases)},
    }
    os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
    with open(opts.out, "w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in header.items():
            handle.write("%s: %s,\n" % (json.dumps(key), json.dumps(value, ensure_ascii=False)))
        handle.write('"cases": [\n')
        handle.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        handle.write("\n]\n}\n")
    print("wrote %s: %d scheduler.py cases, %d mlfq.py cases (python2 cross-check: %s)"
          % (opts.out, header["counts"]["scheduler.py"], header["counts"]["mlfq.py"], python2 or "none"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
