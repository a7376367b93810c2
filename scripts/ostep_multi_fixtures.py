#!/usr/bin/env python3
"""Expected results of OSTEP's multiprocessor scheduling simulator, as test fixtures for tasklab.

Usage:
    python3 scripts/ostep_multi_fixtures.py OSTEP_DIR SEED [--out PATH] [--no-python2]

OSTEP_DIR holds `multi.py` (from cpu-sched-multi/ of https://github.com/remzi-arpacidusseau/ostep-homework). This
script builds small cases (a fixed list of hand-picked edge cases, then random cases drawn from SEED), runs
multi.py on each with `-c` and with all its traces (`-t -T -C -S`), parses what it prints and writes
crates/tasklab-core/tests/ostep/multi_fixtures.json (or PATH). Only multi.py's outputs are recorded, none of its
code. The output depends only on SEED and on multi.py (whose git blob id is recorded). Semantics:
docs/ostep-multi-semantics.md.

What is recorded per case:
  * expected.finish_time, and per CPU the printed "utilization" and "warm" percentages (as the exact strings
    printed) together with the integer tick counts they are rounded from (busy, warm; idle = finish - busy);
  * per job, read from the trace: first_run, completion (tick after its last tick on a CPU), ticks on a CPU,
    warm ticks; the timeline of every CPU; the ticks at which a job becomes warm or cold in a CPU's cache;
  * the random draws multi.py makes (victim CPU of each steal attempt, CPU order with -o), observed by running
    multi.py under a small wrapper that only records what `random.choice` / `random.shuffle` return, so that an
    implementation can replay them; multi.py's own output under the wrapper must be byte-identical to a plain run.

Interpreters: multi.py declares plain `python`. Results are those of Python 3. Every case is also run under
Python 2 when one is found (OSTEP_PYTHON2, `python2` on PATH, or a pyenv 2.7); outputs must be identical for the
cases without random draws that matter (Python 2's random.choice/shuffle differ from Python 3's), and
`python2_agrees` is recorded for the others.

Stdlib only.
"""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
import random

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "tasklab-core", "tests", "ostep", "multi_fixtures.json")

# multi.py's defaults for the options we may leave out.
DEFAULTS = {"seed": 0, "job_num": 3, "max_run": 100, "max_wset": 200, "num_cpus": 2, "quantum": 10,
            "peek_interval": 30, "warmup_time": 10, "warm_rate": 2, "cache_size": 100}
FLAGS = {"-s": "seed", "-j": "job_num", "-R": "max_run", "-W": "max_wset", "-n": "num_cpus", "-q": "quantum",
         "-P": "peek_interval", "-w": "warmup_time", "-r": "warm_rate", "-M": "cache_size"}

# Cases that make multi.py loop forever (recorded apart, with no expected results).
HANGING = [
    (["-n", "2", "-p", "-L", "a:6:50,b:6:50,c:4:1", "-A", "c:0", "-q", "50", "-P", "3"],
     "c (affinity {0}, working set 1) is stolen by CPU 1, which may not run it, and CPU 0 may not steal it back "
     "(0 is neither its run time nor its working set): CPU 1's queue never empties, c never runs"),
]

# Hand-picked cases: each shows one rule of docs/ostep-multi-semantics.md.
EDGE = [
    (["-n", "1", "-L", "a:7:10", "-q", "3", "-w", "2"],
     "one CPU: warm after 2 ticks on it, then 2 units per tick; the slice ends at every multiple of q"),
    (["-n", "2", "-L", "a:30:50,b:20:50,c:10:100", "-q", "5"],
     "shared queue rotation; warm-up ticks on a CPU are kept while the job runs elsewhere"),
    (["-n", "1", "-L", "a:30:60,b:30:60", "-M", "100", "-w", "3", "-q", "5"],
     "b becoming warm evicts a; a must warm up again from scratch"),
    (["-n", "1", "-L", "a:30:40,b:30:40,c:30:40", "-M", "100", "-w", "2", "-q", "3"],
     "eviction is first-warmed-first-out, not LRU"),
    (["-n", "1", "-L", "a:20:30,b:15:50,c:5:40", "-q", "1", "-w", "3"],
     "not LRU: finished c keeps its place; a warming again at 14 evicts b (used at 13), then b evicts c"),
    (["-n", "1", "-L", "a:20:150", "-M", "100", "-w", "2"],
     "a working set bigger than the cache never becomes warm"),
    (["-n", "1", "-L", "a:6:50", "-w", "0", "-r", "3"],
     "warm-up 0: warm from the very first tick"),
    (["-n", "1", "-L", "a:20:60,b:20:60", "-w", "0", "-q", "4"],
     "warm-up 0 with eviction: the evicted job runs its first tick back cold, then evicts the other"),
    (["-n", "1", "-L", "a:20:100,b:20:0", "-w", "0", "-q", "4", "-M", "100"],
     "working sets exactly filling the cache, and a working set of 0"),
    (["-n", "1", "-L", "a:10:10", "-w", "2", "-r", "1"],
     "warm rate 1: warm ticks are not counted as warm"),
    (["-n", "1", "-L", "a:8:10", "-w", "2", "-r", "3"],
     "warm rate 3: the last tick may do less than 3 units"),
    (["-n", "1", "-L", "a:0:10,b:3:10"],
     "a job of run time 0 still takes one tick"),
    (["-n", "2", "-L", "a:3:10,b:20:10,c:20:10", "-q", "5"],
     "the time slice is a global clock: c, started at 3, is preempted at 5"),
    (["-n", "2", "-L", "a:10:10,b:10:10,c:10:10", "-A", "a:1,b:1", "-q", "5"],
     "shared queue: a CPU skips the jobs it may not run and takes the first it may"),
    (["-n", "2", "-L", "a:4:10,b:10:10", "-A", "a:1,b:1", "-q", "3"],
     "shared queue with affinity: CPU 0 stays idle"),
    (["-n", "3", "-p", "-P", "0", "-L", "a:5:10,b:5:10,c:5:10,d:5:10,e:5:10", "-A", "a:2,b:2"],
     "per-CPU queues: initial placement round-robin over CPUs, each taking the first job it may run"),
    (["-n", "2", "-p", "-P", "0", "-L", "a:10:10,b:10:10,c:10:10"],
     "per-CPU queues without stealing: CPU 1 idles while CPU 0 has work"),
    (["-n", "2", "-p", "-L", "a:20:10,b:20:10,c:20:10", "-q", "50", "-P", "5", "-w", "100"],
     "a busy CPU with an empty queue steals too; two thieves in one tick ping-pong the job, the later CPU wins"),
    (["-n", "2", "-p", "-L", "a:6:50,b:6:50,c:4:0", "-A", "c:0.1", "-q", "50", "-P", "3"],
     "a job with an affinity list is not stolen even by an allowed CPU"),
    (["-n", "2", "-p", "-L", "a:6:50,b:6:50,c:4:1", "-A", "c:0.1", "-q", "50", "-P", "3"],
     "...unless the thief's number equals its working set (here 1)"),
    (["-n", "2", "-p", "-L", "a:6:50,b:6:50,c:1:50", "-A", "c:0.1", "-q", "50", "-P", "3"],
     "...or its run time (here 1)"),
    (["-n", "2", "-p", "-L", "a:20:10,b:2:10,c:5:10,d:2:10,e:5:10", "-P", "4", "-q", "50"],
     "the thief takes the front job of the victim's queue"),
    (["-n", "2", "-p", "-L", "a:20:10,b:2:10", "-q", "5", "-P", "5"],
     "a job put back at a slice end is stolen in the same tick"),
    (["-n", "2", "-p", "-L", "a:50:10,b:5:10,c:40:10", "-q", "100"],
     "default peek interval 30"),
    (["-n", "3", "-p", "-L", "a:30:10,b:3:10,c:3:10,d:30:10,e:30:10", "-q", "50", "-P", "4", "-s", "1"],
     "3 CPUs: the victim is drawn at random (see steals)"),
    (["-n", "3", "-L", "a:10:10,b:10:10", "-o", "-s", "3", "-q", "4"],
     "-o: idle CPUs take jobs in a random order each tick (see cpu_orders)"),
    (["-j", "4", "-R", "50", "-W", "150", "-s", "7", "-n", "2"],
     "random jobs (-j/-R/-W): run times and working sets are multiples of 10"),
    (["-n", "4", "-L", "a:10:10,b:10:10"],
     "more CPUs than jobs"),
    (["-n", "2", "-p", "-P", "2", "-L", "a:4:10,b:9:10,c:9:10", "-A", "b:0,c:0", "-q", "3"],
     "per-CPU queues with affinity: both pinned jobs land on CPU 0"),
]


# ---------------------------------------------------------------------------------------------- interpreters


from ostep_common import find_python2, generator_arguments, git_blob_id  # noqa: E402  (shared with the other generator)


# Runs multi.py unchanged, but reports on stderr what random.choice / random.shuffle returned and when. The
# caller's frame (multi.py's steal_jobs / assign_jobs) gives the tick, the thief and the victim's queue.
WRAPPER = r"""
import random, runpy, sys
path = sys.argv[1]
sys.argv = sys.argv[1:]
choice, shuffle = random.choice, random.shuffle
def logged_choice(seq):
    victim = choice(seq)
    frame = sys._getframe(1)
    sched = frame.f_locals['self']
    sys.stderr.write('STEAL %d %d %d %s\n' % (sched.system_time, frame.f_locals['cpu'], victim,
                                                ','.join(sched.per_cpu_sched_queue[victim])))
    return victim
def logged_shuffle(items):
    shuffle(items)
    sched = sys._getframe(1).f_locals['self']
    sys.stderr.write('ORDER %d %s\n' % (sched.system_time, ','.join(str(c) for c in items)))
random.choice, random.shuffle = logged_choice, logged_shuffle
runpy.run_path(path, run_name='__main__')
"""


class Hang(Exception):
    pass


class Runner:
    def __init__(self, ostep_dir, python2):
        self.script = os.path.join(ostep_dir, "multi.py")
        self.python3 = sys.executable
        self.python2 = python2

    def _run(self, cmd, timeout=20):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Hang(" ".join(cmd))
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr))
        return proc.stdout, proc.stderr

    def plain(self, args, python=None, timeout=20):
        out, err = self._run([python or self.python3, self.script] + args + ["-c"], timeout)
        if err.strip():
            raise RuntimeError("stderr from %s: %s" % (args, err))
        return out

    def traced(self, args):
        flags = args + ["-c", "-t", "-T", "-C", "-S"]
        out, err = self._run([self.python3, "-c", WRAPPER, self.script] + flags)
        bare, bare_err = self._run([self.python3, self.script] + flags)
        if out != bare or bare_err.strip():
            raise RuntimeError("the wrapper changed multi.py's output for %s" % args)
        draws = [line.split(" ") for line in err.splitlines()]
        if any(d[0] not in ("STEAL", "ORDER") for d in draws):
            raise RuntimeError("unexpected stderr for %s: %s" % (args, err))
        return out, draws


# ---------------------------------------------------------------------------------------------- options


def parse_options(args):
    """The meaning of multi.py's arguments (cross-checked with the ARG lines it prints)."""
    opts = dict(DEFAULTS)
    opts.update({"job_list": "", "affinity": "", "per_cpu_queues": False, "random_order": False})
    i = 0
    while i < len(args):
        flag = args[i]
        if flag in FLAGS:
            opts[FLAGS[flag]] = int(args[i + 1])
            i += 2
        elif flag == "-L":
            opts["job_list"] = args[i + 1]
            i += 2
        elif flag == "-A":
            opts["affinity"] = args[i + 1]
            i += 2
        elif flag == "-p":
            opts["per_cpu_queues"] = True
            i += 1
        elif flag == "-o":
            opts["random_order"] = True
            i += 1
        else:
            raise ValueError("unknown flag %s" % flag)
    return opts


def check_arg_lines(output, opts):
    printed = dict(re.findall(r"^ARG (\S+) ?(.*)$", output, re.M))
    expect = {"seed": opts["seed"], "job_num": opts["job_num"], "max_run": opts["max_run"],
              "max_wset": opts["max_wset"], "job_list": opts["job_list"], "affinity": opts["affinity"],
              "per_cpu_queues": opts["per_cpu_queues"], "num_cpus": opts["num_cpus"], "quantum": opts["quantum"],
              "peek_interval": opts["peek_interval"], "warmup_time": opts["warmup_time"],
              "cache_size": opts["cache_size"], "random_order": opts["random_order"]}
    for key, value in expect.items():
        assert printed[key] == str(value), (key, printed[key], value)


def meaning(opts):
    """The options block of a case: what the run means, jobs aside."""
    out = {"num_cpus": opts["num_cpus"], "quantum": opts["quantum"],
           "queues": "per-cpu" if opts["per_cpu_queues"] else "shared",
           "peek_interval": opts["peek_interval"] if opts["per_cpu_queues"] else None,
           "warmup_time": opts["warmup_time"], "warm_rate": opts["warm_rate"], "cache_size": opts["cache_size"],
           "random_order": opts["random_order"], "seed": opts["seed"]}
    if not opts["job_list"]:
        out["random_jobs"] = {"job_num": opts["job_num"], "max_run": opts["max_run"], "max_wset": opts["max_wset"]}
    return out


# ---------------------------------------------------------------------------------------------- parsing

JOB_LINE = re.compile(r"^Job name:(\S+) run_time:(-?\d+) working_set_size:(-?\d+)$")
CPU_STAT = re.compile(r"^  CPU (\d+)  utilization (\S+) \[ warm (\S+) \]$")


def parse_jobs(output, opts):
    jobs = []
    for line in output.splitlines():
        m = JOB_LINE.match(line)
        if m:
            jobs.append({"name": m.group(1), "run": int(m.group(2)), "working_set": int(m.group(3)),
                         "affinity": None})
    if opts["affinity"]:
        by_name = {j["name"]: j for j in jobs}
        for entry in opts["affinity"].split(","):
            name, cpus = entry.split(":")
            job = by_name[name]
            job["affinity"] = (job["affinity"] or []) + [int(c) for c in cpus.split(".")]
    return jobs


def parse_final(output, ncpu):
    m = re.search(r"^Finished time (\d+)$", output, re.M)
    finish = int(m.group(1))
    stats = [CPU_STAT.match(line).groups() for line in output.splitlines() if CPU_STAT.match(line)]
    assert [int(s[0]) for s in stats] == list(range(ncpu)), stats
    return finish, [(s[1], s[2]) for s in stats]


def percent(count, total):
    return "%3.2f" % (100.0 * float(count) / float(total))


def parse_trace(output, jobs, opts):
    """Per tick: for every CPU (job or None, time left after the tick, cache string after the tick); queues."""
    ncpu, njobs = opts["num_cpus"], len(jobs)
    cpu_part = r"(\S+) \[([ \d]{3})\] cache\[([ w]{%d})\]     " % njobs
    line_re = re.compile(r"^ +(\d+)   " + cpu_part * ncpu + r"(.*)$")
    ticks = []
    initial = None
    for line in output.splitlines():
        if line.startswith("Scheduler central queue: "):
            initial = [eval_list(line.split(": ", 1)[1])] * ncpu
        m = re.match(r"^Scheduler CPU (\d+) queue: (.*)$", line)
        if m:
            initial = (initial or []) + [eval_list(m.group(2))]
        m = line_re.match(line)
        if not m:
            continue
        t = int(m.group(1))
        assert t == len(ticks), (t, len(ticks))
        groups = m.groups()[1:]
        cpus = []
        for c in range(ncpu):
            name, left, cache = groups[3 * c: 3 * c + 3]
            if name == "-":
                assert left == "   "
                cpus.append((None, None, cache))
            else:
                cpus.append((name, int(left), cache))
        ticks.append({"cpus": cpus, "queues": parse_queues(groups[-1], opts)})
    return initial, ticks


def eval_list(text):
    # "['a', 'b']" -> ['a', 'b'] (names never contain quotes or commas)
    text = text.strip()
    assert text[0] == "[" and text[-1] == "]", text
    return [x.strip().strip("'") for x in text[1:-1].split(",") if x.strip()]


def parse_queues(text, opts):
    tokens = text.split()
    if not opts["per_cpu_queues"]:
        assert tokens[0] == "Q:", text
        return [tokens[1:]]
    queues = []
    for tok in tokens:
        if re.match(r"^Q\d+:$", tok):
            assert tok == "Q%d:" % len(queues)
            queues.append([])
        else:
            queues[-1].append(tok)
    assert len(queues) == opts["num_cpus"]
    return queues


def steal_eligible(job, cpu):
    # The rule multi.py applies when stealing (see the doc): a job without affinity, or one whose run time or
    # working set equals the thief's number.
    return job["affinity"] is None or cpu in (job["run"], job["working_set"])


def analyse(case, output, draws):
    opts, jobs = case["_opts"], case["jobs"]
    ncpu, rate, warmup, size = opts["num_cpus"], opts["warm_rate"], opts["warmup_time"], opts["cache_size"]
    names = [j["name"] for j in jobs]
    index = {n: i for i, n in enumerate(names)}
    finish, stats = parse_final(output, ncpu)
    initial, ticks = parse_trace(output, jobs, opts)
    assert len(ticks) == finish, (len(ticks), finish)

    left = [j["run"] for j in jobs]
    first_run = [None] * len(jobs)
    completion = [None] * len(jobs)
    ran = [0] * len(jobs)
    warm_ticks = [0] * len(jobs)
    busy = [0] * ncpu
    warm = [0] * ncpu
    segments = []  # [cpu, start, end, job]
    cache_events = []  # [tick, cpu, job, 1 = warm from the end of this tick / 0 = cold]
    prev_cache = [" " * len(jobs)] * ncpu
    seen = [set() for _ in range(ncpu)]
    open_segment = [None] * ncpu
    for t, tick in enumerate(ticks):
        for c, (name, after, cache) in enumerate(tick["cpus"]):
            if name is not None:
                j = index[name]
                assert completion[j] is None, ("job runs after completing", name, t)
                before = left[j]
                dec = before - after
                # Was the job warm on this CPU during this tick? Read from the decrement when it tells, else
                # from the cache state before the tick (see the doc).
                if rate > 1 and dec == rate:
                    was_warm = True
                elif rate > 1 and dec == 1 and before > 1:
                    was_warm = False
                elif rate > 1 and dec == before and 1 < before < rate:
                    was_warm = True
                else:
                    in_cache = prev_cache[c][j] == "w"
                    first_here = name not in seen[c]
                    was_warm = in_cache or (warmup == 0 and first_here and jobs[j]["working_set"] <= size)
                    assert dec == (min(before, rate) if was_warm else min(before, 1)), (name, t, before, after)
                    was_warm = was_warm and rate > 1
                seen[c].add(name)
                left[j] = after
                ran[j] += 1
                busy[c] += 1
                if was_warm:
                    warm_ticks[j] += 1
                    warm[c] += 1
                if first_run[j] is None:
                    first_run[j] = t
                if after == 0:
                    completion[j] = t + 1
                last = open_segment[c]
                if last is not None and last[2] == t and last[3] == name:
                    last[2] = t + 1
                else:
                    open_segment[c] = [c, t, t + 1, name]
                    segments.append(open_segment[c])
            for j, (old, new) in enumerate(zip(prev_cache[c], cache)):
                if old != new:
                    cache_events.append([t, c, names[j], 1 if new == "w" else 0])
            prev_cache[c] = cache
    assert all(x is not None for x in completion), completion
    assert max(completion) == finish
    for c in range(ncpu):
        assert percent(busy[c], finish) == stats[c][0], (c, busy[c], finish, stats[c])
        assert percent(warm[c], finish) == stats[c][1], (c, warm[c], finish, stats[c])
    segments.sort()

    steals = []
    cpu_orders = []
    for d in draws:
        if d[0] == "STEAL":
            t, thief, victim = int(d[1]), int(d[2]), int(d[3])
            queue = [x for x in d[4].split(",") if x] if len(d) > 4 else []
            taken = next((x for x in queue if steal_eligible(jobs[index[x]], thief)), None)
            steals.append([t, thief, victim, taken])
        else:
            cpu_orders.append([int(d[1]), [int(x) for x in d[2].split(",")]])
    if not opts["random_order"]:
        assert not cpu_orders
    else:
        assert [o[0] for o in cpu_orders] == list(range(finish)), "one CPU order per tick"

    expected = {
        "finish_time": finish,
        "initial_queues": initial if opts["per_cpu_queues"] else initial[0],
        "jobs": [{"name": names[j], "first_run": first_run[j], "completion": completion[j], "ticks": ran[j],
                  "warm_ticks": warm_ticks[j]} for j in range(len(jobs))],
        "cpus": [{"cpu": c, "busy": busy[c], "idle": finish - busy[c], "warm": warm[c],
                  "utilization": stats[c][0], "warm_pct": stats[c][1]} for c in range(ncpu)],
    }
    return expected, segments, cache_events, steals, cpu_orders


# ---------------------------------------------------------------------------------------------- case building


def proposed_input(opts, jobs):
    tasks = []
    for j in jobs:
        task = {"name": j["name"], "arrival": 0, "bursts": [{"cpu": j["run"]}], "working_set": j["working_set"]}
        if j["affinity"] is not None:
            task["affinity"] = j["affinity"]
        tasks.append(task)
    machine = {"cpus": opts["num_cpus"], "switch_cost": 0,
               "queues": "per-cpu" if opts["per_cpu_queues"] else "shared",
               "cache": {"size": opts["cache_size"], "warmup": opts["warmup_time"], "warm_rate": opts["warm_rate"]}}
    if opts["per_cpu_queues"]:
        machine["steal_interval"] = opts["peek_interval"] if opts["peek_interval"] > 0 else None
    if opts["random_order"]:
        machine["dispatch_order"] = "random"
    return {"tasks": tasks, "machine": machine, "policy": {"kind": "rr", "quantum": opts["quantum"]},
            "conventions": "ostep"}


def make_case(args, note=None, theme=None):
    opts = parse_options(args)
    case = {"args": args, "_opts": opts, "options": meaning(opts)}
    if note:
        case["note"] = note
    if theme:
        case["theme"] = theme
    return case


def random_jobs(rng, count, theme):
    names = "abcdef"
    jobs = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.15:
            run = rng.randint(1, 4)
        elif roll < 0.85:
            run = rng.randint(1, 40)
        else:
            run = rng.randint(41, 100)
        if theme == "cache":
            wset = rng.choice([0, 10, 20, 30, 40, 50, 60, 80, 100, 120, 150, rng.randint(1, 200)])
        elif theme == "percpu-affinity":
            # small working sets (and run times): multi.py's steal test compares them with CPU numbers
            wset = rng.choice([0, 1, 2, 3, 0, 1, 2, 3, rng.randint(0, 150), rng.randint(0, 150)])
            if rng.random() < 0.2:
                run = rng.randint(1, 3)
        else:
            wset = rng.choice([10, 20, 50, 100, rng.randint(0, 200)])
        jobs.append("%s:%d:%d" % (names[i], run, wset))
    return jobs


def random_affinity(rng, count, ncpu, share):
    specs = []
    for i in range(count):
        if rng.random() < share:
            k = rng.randint(1, ncpu)
            cpus = sorted(rng.sample(range(ncpu), k))
            if rng.random() < 0.3:
                rng.shuffle(cpus)
            specs.append("%s:%s" % ("abcdef"[i], ".".join(str(c) for c in cpus)))
    return ",".join(specs)


def cache_flags(rng, theme):
    args = []
    if theme == "cache" or rng.random() < 0.6:
        args += ["-M", str(rng.choice([50, 100, 100, 150, 200, rng.randint(10, 300)]))]
    if theme == "cache" or rng.random() < 0.6:
        args += ["-w", str(rng.choice([0, 1, 2, 3, 5, 10, 10, 20]))]
    if theme == "cache" or rng.random() < 0.5:
        args += ["-r", str(rng.choice([1, 2, 2, 3, 4]))]
    return args


THEMES = [
    # theme, count
    ("shared", 70),
    ("shared-affinity", 35),
    ("percpu-nosteal", 35),
    ("percpu-steal", 65),
    ("percpu-affinity", 45),
    ("cache", 45),
    ("random-jobs", 25),
    ("random-order", 15),
]


def random_case(rng, theme):
    ncpu = rng.choice([1, 2, 2, 2, 3, 3, 4]) if theme in ("shared", "cache") else rng.choice([2, 2, 3, 4])
    per_cpu = theme.startswith("percpu") or (theme in ("cache", "random-jobs", "random-order") and rng.random() < 0.5)
    if per_cpu and ncpu == 1:
        ncpu = 2
    count = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
    args = []
    if ncpu != 2 or rng.random() < 0.7:
        args += ["-n", str(ncpu)]
    if theme == "random-jobs":
        args += ["-j", str(rng.randint(1, 6)), "-R", str(rng.choice([20, 50, 100, rng.randint(10, 100)])),
                 "-W", str(rng.choice([50, 100, 200, rng.randint(10, 250)])), "-s", str(rng.randint(0, 999))]
    else:
        args += ["-L", ",".join(random_jobs(rng, count, theme))]
    if per_cpu:
        args.append("-p")
        if theme == "percpu-nosteal":
            args += ["-P", "0"]
        elif rng.random() < 0.85:
            args += ["-P", str(rng.choice([1, 2, 3, 5, 7, 10, 15, 30, rng.randint(1, 40)]))]
    if theme in ("shared-affinity", "percpu-affinity") or (theme in ("shared", "percpu-steal") and rng.random() < 0.15):
        spec = random_affinity(rng, count, ncpu, 0.6)
        if spec:
            args += ["-A", spec]
    if rng.random() < 0.85:
        args += ["-q", str(rng.choice([1, 2, 3, 4, 5, 7, 10, 20, rng.randint(1, 50)]))]
    args += cache_flags(rng, theme)
    if theme == "random-order":
        args.append("-o")
    if (ncpu >= 3 and per_cpu) or theme == "random-order":
        args += ["-s", str(rng.randint(0, 999))]
    return args


def build_cases(seed, runner):
    rng = random.Random(seed)
    cases = [make_case(args, note, "edge") for args, note in EDGE]
    for theme, count in THEMES:
        made = 0
        while made < count:
            args = random_case(rng, theme)
            try:
                runner.plain(args, timeout=5)  # weed out the runs that hang (see HANGING)
            except Hang:
                continue
            cases.append(make_case(args, theme=theme))
            made += 1
    for i, case in enumerate(cases):
        case["id"] = "multi-%03d" % i
    return cases


def ordered(case):
    keys = ["id", "args", "note", "theme", "options", "jobs", "expected", "steals", "cpu_orders", "timeline",
            "cache_events", "python2_agrees", "input"]
    return {k: case[k] for k in keys if k in case}


def uses_random_draws(opts):
    return opts["random_order"] or (opts["per_cpu_queues"] and opts["peek_interval"] > 0 and opts["num_cpus"] >= 3)


def main():
    opts = generator_arguments(__doc__, "multi.py", DEFAULT_OUT)
    python2 = None if opts.no_python2 else find_python2()
    runner = Runner(opts.ostep_dir, python2)
    cases = build_cases(opts.seed, runner)

    def solve(case):
        o = case["_opts"]
        plain = runner.plain(case["args"])
        check_arg_lines(plain, o)
        case["jobs"] = parse_jobs(plain, o)
        traced, draws = runner.traced(case["args"])
        # The traces change nothing but the printing: same jobs, same final statistics.
        assert parse_final(traced, o["num_cpus"]) == parse_final(plain, o["num_cpus"])
        (case["expected"], case["timeline"], case["cache_events"], steals,
         orders) = analyse(case, traced, draws)
        if o["per_cpu_queues"] and o["peek_interval"] > 0:
            case["steals"] = steals
        if o["random_order"]:
            case["cpu_orders"] = orders
        if python2:
            try:
                agrees = runner.plain(case["args"], python2, timeout=5) == plain
            except Hang:  # other random draws may strand a job (see HANGING)
                agrees = False
            if not uses_random_draws(o) and not agrees:
                raise RuntimeError("Python 2 and 3 disagree on %s" % case["args"])
            case["python2_agrees"] = agrees
        case["input"] = proposed_input(o, case["jobs"])
        return ordered(case)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        cases = list(pool.map(solve, cases))

    hanging = []
    for args, note in HANGING:
        try:
            runner.plain(args, timeout=5)
            raise RuntimeError("expected a hang: %s" % args)
        except Hang:
            hanging.append({"args": args, "note": note, "options": meaning(parse_options(args))})

    counts = {}
    for c in cases:
        counts[c["theme"]] = counts.get(c["theme"], 0) + 1
    header = {
        "source": {
            "repository": "https://github.com/remzi-arpacidusseau/ostep-homework",
            "multi.py": {"path": "cpu-sched-multi/multi.py",
                         "git_blob": git_blob_id(os.path.join(opts.ostep_dir, "multi.py"))},
        },
        "generator": {"script": "scripts/ostep_multi_fixtures.py", "seed": opts.seed,
                      "command": "python3 scripts/ostep_multi_fixtures.py OSTEP_DIR %d" % opts.seed,
                      "python2_cross_check": bool(python2)},
        "format": [
            "args: multi.py's arguments (the generator adds -c, and -t -T -C -S for the trace).",
            "options: their meaning with multi.py's defaults filled in (queues 'shared' or 'per-cpu'; "
            "peek_interval null with a shared queue; random_jobs when jobs come from -j/-R/-W).",
            "jobs: as multi.py printed them; affinity = list of CPUs from -A (in the given order), or null.",
            "expected.finish_time, expected.cpus[].utilization / warm_pct: multi.py's final statistics, the "
            "percentages as the exact strings printed ('%3.2f' of 100*count/finish_time); busy and warm are the "
            "integer tick counts they come from (checked to print the same), idle = finish_time - busy.",
            "expected.initial_queues: the queue contents multi.py prints before running (per CPU with -p).",
            "expected.jobs[]: read from the trace: first_run, completion (tick after the last tick it ran), "
            "ticks on a CPU, warm_ticks (ticks run at the warm rate; 0 when warm_rate is 1). All integers.",
            "timeline: [cpu, start, end, job] segments, end exclusive, sorted.",
            "cache_events: [tick, cpu, job, 1|0]: at the end of that tick the job became warm (1) or cold (0) "
            "in that CPU's cache.",
            "steals (per-cpu queues with peeking only): one entry per steal attempt, in multi.py's order: "
            "[tick, thief, victim, job taken or null]. The victim is a random draw (forced with 2 CPUs); "
            "an implementation replays it.",
            "cpu_orders (-o only): [tick, order in which idle CPUs took jobs], one per tick, random draws.",
            "python2_agrees: whether Python 2 prints the same (false only where random draws differ).",
            "input: the case as a PROPOSED extension of tasklab's SimInput (task working_set, affinity; "
            "machine queues, steal_interval, cache {size, warmup, warm_rate}, dispatch_order) under the "
            "'ostep' conventions; see docs/ostep-multi-semantics.md. Bursts are work units, not ticks.",
            "hanging: runs on which multi.py never terminates (no expected results).",
        ],
        "counts": counts,
    }
    os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
    with open(opts.out, "w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in header.items():
            handle.write("%s: %s,\n" % (json.dumps(key), json.dumps(value, ensure_ascii=False)))
        handle.write('"hanging": %s,\n' % json.dumps(hanging))
        handle.write('"cases": [\n')
        handle.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        handle.write("\n]\n}\n")
    print("wrote %s: %d cases %s (python2 cross-check: %s)" % (opts.out, len(cases), counts, python2 or "none"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
