#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Times `bpgraph eval CHAIN.bpx --json` as a whole process against
PyTorch eager and micrograd in-process, on a scalar chain of mul, add
and tanh (relu for micrograd, which has no tanh), forward + backward,
best of 3 (bpgraph, whose runs are short and vary more: best of 10),
with each one's peak memory. Not a test: it prints figures.

    bench-eval-compare.py BPGRAPH [N ...]     (default N: 30000 200000)

PyTorch runs when `import torch` works (Debian: python3-torch);
micrograd when MICROGRAD_PATH names a folder holding its `micrograd`
package (https://github.com/karpathy/micrograd). Each runs in its own
child process, so that every peak memory is its own.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time

REPEATS = 3
# A run of bpgraph lasts milliseconds, and the kernel's share of it
# (starting the process, zeroing its memory) varies from run to run far
# more than a loop of seconds inside one process does.
PROCESS_REPEATS = 10


def chain_text(n):
    """The chain as bpgraph's expression language: c, a, b, then
    n - 3 nodes of add, mul and tanh in turn (as tests/bench-engine.c)."""
    lines = ["c = 0.9", "a = 0.3", "b = 0.7"]
    prev2, prev = "a", "b"
    for i in range(3, n):
        name = "n%d" % i
        k = i % 3
        if k == 0:
            lines.append("%s = %s + %s" % (name, prev, prev2))
        elif k == 1:
            lines.append("%s = %s * c" % (name, prev))
        else:
            lines.append("%s = tanh(%s)" % (name, prev))
        prev2, prev = prev, name
    return "\n".join(lines) + "\n"


def run_bpgraph(bpgraph, path):
    """Best wall and CPU (user + system) time of the whole process, and
    its peak RSS in KiB."""
    best, best_cpu, peak = float("inf"), float("inf"), 0
    for _ in range(PROCESS_REPEATS):
        with open(os.devnull, "wb") as devnull:
            start = time.perf_counter()
            proc = subprocess.Popen([bpgraph, "eval", path, "--json"], stdout=devnull)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("bench-eval-compare: bpgraph eval failed on %s" % path)
        best = min(best, elapsed)
        best_cpu = min(best_cpu, usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss)
    # A process started from this one carries this one's peak along
    # (Linux keeps the highest RSS across exec): peak-rss, a small
    # program, starts bpgraph once more for its own figure.
    helper = os.environ.get("BP_PEAK_RSS")
    if helper:
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.run([helper, bpgraph, "eval", path, "--json"],
                                  stdout=devnull, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr.splitlines():
            if line.startswith("peak-rss: "):
                peak = int(line.split()[1])
    return best, best_cpu, peak


# --- in the child processes -------------------------------------------

def inner_torch(n):
    import torch

    torch.set_num_threads(1)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        c = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
        prev2 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        prev = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        a = prev2
        for i in range(3, n):
            k = i % 3
            if k == 0:
                node = prev + prev2
            elif k == 1:
                node = prev * c
            else:
                node = torch.tanh(prev)
            prev2, prev = prev, node
        prev.backward()
        _ = a.grad
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        del c, prev2, prev, a, node
    return best, best_cpu


def inner_micrograd(n):
    import threading

    sys.path.insert(0, os.environ["MICROGRAD_PATH"])
    from micrograd.engine import Value

    result = {}

    def work():
        best, best_cpu = float("inf"), float("inf")
        for _ in range(REPEATS):
            start, start_cpu = time.perf_counter(), time.process_time()
            c = Value(0.9)
            prev2 = Value(0.3)
            prev = Value(0.7)
            for i in range(3, n):
                k = i % 3
                if k == 0:
                    node = prev + prev2
                elif k == 1:
                    node = prev * c
                else:
                    node = prev.relu()
                prev2, prev = prev, node
            prev.backward()
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        result["best"] = best, best_cpu

    # micrograd orders the graph by recursion: one frame per node.
    sys.setrecursionlimit(max(10000, 4 * n))
    threading.stack_size(min(1 << 30, max(64 << 20, n * 4096)))
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "best" not in result:
        raise SystemExit("micrograd failed")
    return result["best"]


def run_inner(python, kind, n):
    """Runs one framework in a child process: (best seconds, best CPU
    seconds, peak KiB)."""
    proc = subprocess.run([python, __file__, "--inner", kind, str(n)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print("  %s: failed: %s" % (kind, proc.stderr.strip().splitlines()[-1:] or "?"))
        return None
    best, best_cpu, peak = proc.stdout.split()
    return float(best), float(best_cpu), int(peak)


def find_python():
    """This interpreter, or Debian's when only that one has PyTorch (a
    python3 of pyenv or a venv may come first in PATH). None: no torch."""
    for python in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(python) and subprocess.run(
                [python, "-c", "import torch"], capture_output=True).returncode == 0:
            return python
    return None


def main(argv):
    if len(argv) >= 2 and argv[1] == "--inner":
        kind, n = argv[2], int(argv[3])
        best, best_cpu = inner_torch(n) if kind == "torch" else inner_micrograd(n)
        print(best, best_cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return 0

    if len(argv) < 2:
        sys.exit(__doc__)
    bpgraph = argv[1]
    sizes = [int(a) for a in argv[2:]] or [30000, 200000]
    torch_python = find_python()
    torch_ok = torch_python is not None
    # Both Python contenders on the same interpreter.
    python = torch_python or sys.executable
    micrograd_path = os.environ.get("MICROGRAD_PATH")
    micrograd_ok = bool(micrograd_path) and os.path.isdir(
        os.path.join(micrograd_path, "micrograd"))

    print("scalar chain of mul, add, tanh; forward + backward; best of %d (bpgraph: %d);"
          % (REPEATS, PROCESS_REPEATS))
    print("wall time, and CPU time (user + system), steadier on a busy machine")
    if not torch_ok:
        print("  (PyTorch not importable: bpgraph alone; Debian: python3-torch)")
    if not os.environ.get("BP_PEAK_RSS"):
        print("  (BP_PEAK_RSS unset: bpgraph's peak memory includes this script's; "
              "meson test --benchmark sets it)")
    if not micrograd_ok:
        print("  (micrograd not found: set MICROGRAD_PATH to a checkout of "
              "karpathy/micrograd)")

    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, "chain-%d.bpx" % n)
            with open(path, "w") as f:
                f.write(chain_text(n))

            print("%d nodes:" % n)
            bp_time, bp_cpu, bp_peak = run_bpgraph(bpgraph, path)
            print("  %-34s %7.3f s (CPU %7.3f s)  peak %7.1f MiB (%.0f bytes per node)"
                  % ("bpgraph eval --json, whole process", bp_time, bp_cpu,
                     bp_peak / 1024, bp_peak * 1024 / n))
            for kind, ok, label, target in (
                    ("torch", torch_ok, "PyTorch eager, in-process", 20),
                    ("micrograd", micrograd_ok, "micrograd (relu), in-process", 5)):
                if not ok:
                    continue
                result = run_inner(python, kind, n)
                if result is None:
                    continue
                best, best_cpu, peak = result
                print("  %-34s %7.3f s (CPU %7.3f s)  peak %7.1f MiB  bpgraph %.1f× faster "
                      "(CPU %.1f×; target ≥ %d×)"
                      % (label, best, best_cpu, peak / 1024, best / bp_time,
                         best_cpu / bp_cpu, target))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
