#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that two bpgraph binaries answer byte for byte alike: stdout,
stderr and exit code of `eval`, `eval --json`, `check` and `convert`
(and the file convert writes), on the examples, the test corpora, the
fuzz corpora (each file read both as .bpx and as .bpgraph), a long
scalar chain and random expression programs. For a change that must
not change any output (a faster parser, writer or engine). Not a test:
it needs the old binary.

    compare-bpgraph.py OLD_BPGRAPH NEW_BPGRAPH [N_RANDOM [SEED]]

Each bpgraph finds its bpgraph-render (for convert) next to itself.
Prints every difference and a count; exits 1 when there is one.
"""

import concurrent.futures
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
R = random.Random(1)

UN = ["exp", "log", "tanh", "sigmoid", "relu", "square", "neg", "reciprocal", "softmax"]
NAMES = ["a", "b", "c", "x", "y", "z", "w", "h1", "h2", "loss", "out", "mul1", "mul2", "add1",
         "add3", "tanh1", "const1", "input1", "input2", "c_2", "x_2", "a_3", "sub1", "n", "_t",
         "Apple", "apple_price", "exp1", "neg1", "square1", "pow1", "div2", "sum1", "repeat1"]
BAD_TARGETS = ["exp", "tanh", "mul", "input", "sum"]


def number():
    k = R.random()
    if k < 0.3: return str(R.randint(0, 9))
    if k < 0.5: return "%.2f" % R.uniform(-3, 3)
    if k < 0.6: return R.choice(["0.1", "0.2", ".5", "1e3", "1e-5", "2.5e+2", "1E2", "123456789.125",
                                 "0.30000000000000004", "1e-310", "5e-324", "1.7976931348623157e308",
                                 "3.0", "00.5", "1e400" if R.random() < 0.05 else "7"])
    return repr(R.uniform(-10, 10))

def matrix(rows, cols):
    if rows == 1 and R.random() < 0.5:
        return "[" + ", ".join(number() for _ in range(cols)) + "]"
    return "[" + ", ".join("[" + ", ".join(number() for _ in range(cols)) + "]" for _ in range(rows)) + "]"

def expr(names, depth, mat):
    k = R.random()
    if depth <= 0 or k < 0.2:
        if names and R.random() < 0.75:
            return R.choice(names)
        if mat and R.random() < 0.5:
            return matrix(R.choice([1, 2]), R.choice([1, 2, 3]))
        return number()
    if k < 0.55:
        op = R.choice(["+", "-", "*", "/", "^", "**", "@"] if mat else ["+", "-", "*", "/", "+", "*", "^"])
        if op in ("^", "**"):
            return "%s %s %s" % (expr(names, depth - 1, mat), op, R.choice(["2", "3", "0.5", "(1/2)", "-1", "x"]))
        a, b = expr(names, depth - 1, mat), expr(names, depth - 1, mat)
        if R.random() < 0.3: a = "(" + a + ")"
        if R.random() < 0.3: b = "(" + b + ")"
        return "%s %s %s" % (a, op, b)
    if k < 0.65:
        return "-" + expr(names, depth - 1, mat)
    if k < 0.85:
        f = R.choice(UN)
        if R.random() < 0.2:
            return "(%s).%s()" % (expr(names, depth - 1, mat), f)
        return "%s(%s)" % (f, expr(names, depth - 1, mat))
    if k < 0.9:
        return R.choice(["sum(%s)", "sum(%s, 0)", "sum(%s, 1)", "sum(%s, -1)", "repeat(%s, 3)",
                         "repeat(%s, 2, 1)", "pow(%s, 3)", "pow(%s, -0.5)"]) % expr(names, depth - 1, mat)
    if k < 0.95:
        f = R.choice(["mse", "cross_entropy", "softmax_with_loss", "matmul", "add", "mul", "sub", "div"])
        return "%s(%s, %s)" % (f, expr(names, depth - 1, mat), expr(names, depth - 1, mat))
    return R.choice(["input(%s)", "const(%s)", "param(%s)"]) % (matrix(1, 2) if mat else number())

def program():
    mat = R.random() < 0.25
    names = []
    lines = []
    if R.random() < 0.3:
        lines.append("# a comment")
    for _ in range(R.randint(1, 12)):
        k = R.random()
        if k < 0.05 and R.random() < 0.3:
            lines.append("")
            continue
        tgt = R.choice(NAMES[:12] if R.random() < 0.6 else NAMES)
        if R.random() < 0.01:
            tgt = R.choice(BAD_TARGETS)
        if names and R.random() < 0.15:
            t = R.choice(names)
            op = R.choice(["+=", "-=", "*=", "/=", "**=", "@="])
            rhs = R.choice(["2", "3"]) if op == "**=" else expr(names, 2, mat)
            lines.append("%s %s %s" % (t, op, rhs))
            continue
        if R.random() < 0.15:
            rhs = matrix(R.choice([1, 2]), R.choice([1, 2])) if mat else number()
        else:
            rhs = expr(names, R.randint(0 if R.random() < 0.05 else 1, 3), mat)
        line = "%s = %s" % (tgt, rhs)
        if R.random() < 0.05: line += "  # note"
        lines.append(line)
        names.append(tgt)
    if R.random() < 0.2 and names:
        lines.append(expr(names, 2, mat))
    sep = "\n"
    text = sep.join(lines)
    if R.random() < 0.1:
        text = text.replace("\n", "; ", 1)
    if R.random() < 0.03:
        pos = R.randrange(len(text) + 1)
        text = text[:pos] + R.choice(["$", "(", ")", "]", ",", "\u00e9", "=", "\t", "\r"]) + text[pos:]
    if R.random() < 0.8:
        text += "\n"
    return text


def chain_text(n):
    """The chain of bench-eval-compare.py, from there."""
    spec = importlib.util.spec_from_file_location(
        "bench_eval_compare", os.path.join(SRCDIR, "tests", "bench-eval-compare.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.chain_text(n)


ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
ENV.pop("LANGUAGE", None)


def run(binary, args, cwd):
    try:
        p = subprocess.run([binary] + args, capture_output=True, env=ENV, timeout=300, cwd=cwd)
    except subprocess.TimeoutExpired:
        return ("timeout", b"", b"")
    # check prints the times it measured when they are long enough to
    # mean something: on a busy machine, now and then.
    out = b"\n".join(line for line in p.stdout.split(b"\n")
                     if not line.startswith(b"Measured: "))
    return (p.returncode, out, p.stderr)


def compare_file(old, new, path):
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        for args in (["eval", path], ["eval", path, "--json"], ["check", path]):
            a, b = run(old, args, tmp), run(new, args, tmp)
            if a != b:
                bad.append((args, a, b))
        if path.endswith(".bpx"):
            outs = []
            for binary, name in ((old, "a.bpgraph"), (new, "b.bpgraph")):
                result = run(binary, ["convert", path, "-o", os.path.join(tmp, name)], tmp)
                try:
                    with open(os.path.join(tmp, name), "rb") as f:
                        written = f.read()
                except OSError:
                    written = None
                outs.append((result, written))
            if outs[0] != outs[1]:
                bad.append((["convert", path], outs[0][0], outs[1][0]))
    return path, bad


def gather(tmp, n_random):
    files = []
    examples = os.path.join(SRCDIR, "resources", "examples")
    corpus = os.path.join(SRCDIR, "tests", "corpus", "document")
    for folder in (examples, corpus):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".bpgraph"):
                files.append(os.path.join(folder, name))
    fuzz = os.path.join(SRCDIR, "tests", "fuzz")
    for corpus_name in sorted(os.listdir(fuzz)):
        folder = os.path.join(fuzz, corpus_name)
        if not corpus_name.startswith("corpus-") or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            for ext in (".bpx", ".bpgraph"):
                copy = os.path.join(tmp, "%s-%s%s" % (corpus_name, name, ext))
                shutil.copyfile(os.path.join(folder, name), copy)
                files.append(copy)
    with open(os.path.join(tmp, "chain.bpx"), "w") as f:
        f.write(chain_text(30000))
    files.append(os.path.join(tmp, "chain.bpx"))
    for i in range(n_random):
        path = os.path.join(tmp, "random-%05d.bpx" % i)
        with open(path, "w") as f:
            f.write(program())
        files.append(path)
    return files


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    old, new = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    n_random = int(argv[3]) if len(argv) > 3 else 3000
    R.seed(int(argv[4]) if len(argv) > 4 else 1)
    n_bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        files = gather(tmp, n_random)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for path, bad in pool.map(lambda p: compare_file(old, new, p), files):
                for args, a, b in bad:
                    n_bad += 1
                    print("DIFF", " ".join(args))
                    print("  old:", a[0], a[1][:300], a[2][:300])
                    print("  new:", b[0], b[1][:300], b[2][:300])
        print("%d inputs, %d differences" % (len(files), n_bad))
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
