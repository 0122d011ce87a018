#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The book's TwoLayerNet (784-50-10, ReLU, Softmax-with-Loss) trained with
SGD as in its 5.7, written plainly in numpy: the figure bench-train
compares the engine's time per iteration with.

Usage: bench-train-numpy.py [DIR] [--iterations N] [--repeat R]
DIR holds Fashion-MNIST's IDX files; without it, random data of the same
shape. Prints "numpy_ms_per_iteration X" and its CPU time (the best of R
runs of N iterations), and the accuracy with --accuracy."""
import gzip
import os
import sys
import time

import numpy as np


def load_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(folder, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(name)


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


class TwoLayerNet:
    def __init__(self, rng, input_size=784, hidden=50, output=10, std=0.01):
        self.W1 = std * rng.standard_normal((input_size, hidden))
        self.b1 = np.zeros(hidden)
        self.W2 = std * rng.standard_normal((hidden, output))
        self.b2 = np.zeros(output)

    def predict(self, x):
        return np.maximum(0, x @ self.W1 + self.b1) @ self.W2 + self.b2

    def step(self, x, t, lr):
        # forward
        a1 = x @ self.W1 + self.b1
        mask = a1 <= 0
        z1 = a1.copy()
        z1[mask] = 0
        a2 = z1 @ self.W2 + self.b2
        y = softmax(a2)
        n = x.shape[0]
        loss = -np.sum(t * np.log(y + 1e-7)) / n
        # backward (the book's layers: Affine computes dx too)
        dout = (y - t) / n
        dW2 = z1.T @ dout
        db2 = dout.sum(axis=0)
        dz1 = dout @ self.W2.T
        dz1[mask] = 0
        dW1 = x.T @ dz1
        db1 = dz1.sum(axis=0)
        dx = dz1 @ self.W1.T  # noqa: F841 (the book's Affine layer returns it)
        # update
        self.W1 -= lr * dW1
        self.b1 -= lr * db1
        self.W2 -= lr * dW2
        self.b2 -= lr * db2
        return loss


def main():
    args = sys.argv[1:]
    iterations = 600
    accuracy = "--accuracy" in args
    if "--iterations" in args:
        iterations = int(args[args.index("--iterations") + 1])
    repeat = 1
    if "--repeat" in args:
        repeat = int(args[args.index("--repeat") + 1])
    folders = [a for a in args if not a.startswith("--") and not a.isdigit()]
    rng = np.random.default_rng(1)
    if folders:
        d = folders[0]
        x_train = load_idx(find(d, "train-images-idx3-ubyte")).reshape(-1, 784) / 255.0
        y_train = load_idx(find(d, "train-labels-idx1-ubyte"))
        x_test = load_idx(find(d, "t10k-images-idx3-ubyte")).reshape(-1, 784) / 255.0
        y_test = load_idx(find(d, "t10k-labels-idx1-ubyte"))
    else:
        x_train = rng.random((60000, 784))
        y_train = rng.integers(0, 10, 60000)
        x_test, y_test = x_train[:1000], y_train[:1000]
    t_train = np.eye(10)[y_train]
    net = TwoLayerNet(rng)
    batches = [rng.integers(0, len(x_train), 100) for _ in range(iterations + 20)]
    for i in range(20):
        net.step(x_train[batches[i]], t_train[batches[i]], 0.1)
    # The best of a few runs: on a shared machine the others only add
    # what other work cost.
    seconds = cpu = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        cpu_start = time.process_time()
        for i in range(iterations):
            b = batches[20 + i]
            net.step(x_train[b], t_train[b], 0.1)
        seconds = min(seconds, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    print("numpy_ms_per_iteration %.4f" % (1000 * seconds / iterations))
    print("numpy_cpu_ms_per_iteration %.4f" % (1000 * cpu / iterations))
    if accuracy:
        acc = np.mean(np.argmax(net.predict(x_test), axis=1) == y_test)
        print("numpy_test_accuracy %.4f" % acc)


if __name__ == "__main__":
    main()
