"""Naive vs fast conv and max-pool layers, and PyTorch's CPU conv2d, on the notebooks' shapes.

Run from the project root:  python benchmarks/bench_fast_layers.py [--rounds N]

Every contender does the same work (float64, the same arrays). The contenders take turns within
each round, so a burst of load on the machine hits them all alike; each time printed is the
median over all calls. Everything is measured twice: single-threaded (numpy's BLAS limited to one
thread through threadpoolctl, torch.set_num_threads(1)) and with each library's default threads.
On a machine shared with other work, the threaded times suffer most: watch the load average.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solutions import fast_layers, layers  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

CONV_SHAPES = {"x": (100, 3, 31, 31), "w": (25, 3, 3, 3), "stride": 2, "pad": 1}
POOL_SHAPES = {"x": (100, 3, 32, 32), "pool": 2, "stride": 2}
TARGET_SPEEDUP = 150  # fast conv forward+backward vs the naive layers
TARGET_TORCH_RATIO = 2  # fast conv forward+backward time vs torch's


def conv_forward_loops(x, w, b, conv_param):
    """A convolution with one Python iteration per output element, as the seed courses' naive
    layers were written (their notebooks printed the fast layers' speed-up over such loops)."""
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    s, p = conv_param["stride"], conv_param["pad"]
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    H_out, W_out = 1 + (H + 2 * p - HH) // s, 1 + (W + 2 * p - WW) // s
    out = np.empty((N, F, H_out, W_out))
    for n, f, i, j in np.ndindex(N, F, H_out, W_out):
        out[n, f, i, j] = np.sum(x_pad[n, :, i * s : i * s + HH, j * s : j * s + WW] * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_loops(dout, cache):
    """The backward pass of conv_forward_loops, one Python iteration per output element."""
    x, w, _, conv_param = cache
    _, _, H, W = x.shape
    _, _, HH, WW = w.shape
    s, p = conv_param["stride"], conv_param["pad"]
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    for n, f, i, j in np.ndindex(dout.shape):
        field = (n, slice(None), slice(i * s, i * s + HH), slice(j * s, j * s + WW))
        dw[f] += x_pad[field] * dout[n, f, i, j]
        dx_pad[field] += w[f] * dout[n, f, i, j]
    return dx_pad[:, :, p : p + H, p : p + W], dw, dout.sum(axis=(0, 2, 3))


def numpy_pair(forward, backward, args, dout, backend=None):
    """(forward, backward) closures for a numpy layer; backward uses the last forward's cache."""
    state = {}

    def run_forward():
        if backend is not None:
            fast_layers.use_backend(backend)
        state["cache"] = forward(*args)[1]

    def run_backward():
        if backend is not None:
            fast_layers.use_backend(backend)
        backward(dout, state["cache"])

    return run_forward, run_backward


def torch_pair(op, arrays, dout):
    """(forward, backward) closures for a torch op; backward is autograd on the last forward."""
    tensors = [torch.from_numpy(a).requires_grad_(True) for a in arrays]
    grad = torch.from_numpy(dout)
    state = {}

    def run_forward():
        state["out"] = op(*tensors)

    def run_backward():
        torch.autograd.grad(state["out"], tensors, grad)

    return run_forward, run_backward


def measure(contenders, rounds):
    """Median forward and backward seconds per contender, taking turns within each round."""
    times = {name: ([], []) for name in contenders}
    calls = {}
    for name, (forward, backward, max_calls) in contenders.items():
        start = time.perf_counter()
        forward()
        backward()
        once = time.perf_counter() - start
        calls[name] = max(1, min(max_calls, int(0.05 / max(once, 1e-9))))  # ~50 ms a round
    for _ in range(rounds):
        for name, (forward, backward, _) in contenders.items():
            for _ in range(calls[name]):
                start = time.perf_counter()
                forward()
                middle = time.perf_counter()
                backward()
                end = time.perf_counter()
                times[name][0].append(middle - start)
                times[name][1].append(end - middle)
    return {name: (statistics.median(f), statistics.median(b)) for name, (f, b) in times.items()}


def ms(seconds):
    return f"{seconds * 1e3:.3f} ms"


def print_table(title, results):
    print(f"\n{title}")
    print(f"  {'':42s}{'forward':>13s}{'backward':>13s}{'total':>13s}")
    for name, (f, b) in results.items():
        print(f"  {name:42s}{ms(f):>13s}{ms(b):>13s}{ms(f + b):>13s}")


def ratio_line(label, num, den, results):
    f = results[num][0] / results[den][0]
    b = results[num][1] / results[den][1]
    t = sum(results[num]) / sum(results[den])
    print(f"  {label:40s} forward {f:8.2f}x  backward {b:8.2f}x  total {t:8.2f}x")
    return t


def conv_contenders(rng, with_loops):
    s = CONV_SHAPES
    x, w = rng.standard_normal(s["x"]), rng.standard_normal(s["w"])
    b = rng.standard_normal(s["w"][0])
    conv_param = {"stride": s["stride"], "pad": s["pad"]}
    out, _ = layers.conv_forward_naive(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    args = (x, w, b, conv_param)
    contenders = {
        "naive (solutions/layers.py)": (
            *numpy_pair(layers.conv_forward_naive, layers.conv_backward_naive, args, dout),
            20,
        ),
        "fast, cython backend": (
            *numpy_pair(
                fast_layers.conv_forward_fast, fast_layers.conv_backward_fast, args, dout, "cython"
            ),
            50,
        ),
        "fast, numpy fallback": (
            *numpy_pair(
                fast_layers.conv_forward_fast, fast_layers.conv_backward_fast, args, dout, "numpy"
            ),
            50,
        ),
    }
    if torch is not None:

        def conv(x_, w_, b_):
            return torch.nn.functional.conv2d(x_, w_, b_, stride=s["stride"], padding=s["pad"])

        contenders[f"torch {torch.__version__} conv2d + autograd"] = (
            *torch_pair(conv, (x, w, b), dout),
            50,
        )
    if with_loops:
        contenders["loop per output element (seed style)"] = (
            *numpy_pair(conv_forward_loops, conv_backward_loops, args, dout),
            1,
        )
    return contenders


def pool_contenders(rng):
    s = POOL_SHAPES
    x = rng.standard_normal(s["x"])
    pool_param = {"pool_height": s["pool"], "pool_width": s["pool"], "stride": s["stride"]}
    out, _ = layers.max_pool_forward_naive(x, pool_param)
    dout = rng.standard_normal(out.shape)
    args = (x, pool_param)
    contenders = {
        "naive (solutions/layers.py)": (
            *numpy_pair(layers.max_pool_forward_naive, layers.max_pool_backward_naive, args, dout),
            20,
        ),
        "fast (reshape path)": (
            *numpy_pair(
                fast_layers.max_pool_forward_fast, fast_layers.max_pool_backward_fast, args, dout
            ),
            50,
        ),
    }
    if torch is not None:

        def pool(x_):
            return torch.nn.functional.max_pool2d(x_, s["pool"], stride=s["stride"])

        contenders[f"torch {torch.__version__} max_pool2d + autograd"] = (
            *torch_pair(pool, (x,), dout),
            50,
        )
    return contenders


def run(setting, rounds, loop_rounds, threads):
    rng = np.random.default_rng(231)
    load = os.getloadavg()[0]
    print(f"\n===== {setting} ===== (load average {load:.2f})")
    if load > 0.5:
        print("  NOTE: the machine is busy; other processes skew these times, threaded ones most")
    if torch is not None:
        print(f"torch threads: {torch.get_num_threads()}")
    print(f"numpy BLAS threads: {[info['num_threads'] for info in threadpool_info()]}")

    contenders = conv_contenders(rng, with_loops=False)
    conv = measure(contenders, rounds)
    if loop_rounds:
        loops = conv_contenders(rng, with_loops=True)
        name = "loop per output element (seed style)"
        conv[name] = measure({name: loops[name]}, loop_rounds)[name]
    s = CONV_SHAPES
    print_table(
        f"conv: x {s['x']}, w {s['w']}, stride {s['stride']}, pad {s['pad']}, float64, "
        f"median of {rounds} rounds",
        conv,
    )
    print("  speed-up (time of the slower / time of fast, cython):")
    speedup = ratio_line(
        "naive / fast", "naive (solutions/layers.py)", "fast, cython backend", conv
    )
    if loop_rounds:
        ratio_line(
            "loop per output element / fast",
            "loop per output element (seed style)",
            "fast, cython backend",
            conv,
        )
    ratio_line("numpy fallback / fast", "fast, numpy fallback", "fast, cython backend", conv)
    torch_ratio = None
    if torch is not None:
        print("  time ratio to torch (fast time / torch time; below 1 means fast wins):")
        torch_name = next(name for name in conv if name.startswith("torch"))
        torch_ratio = ratio_line("fast, cython / torch", "fast, cython backend", torch_name, conv)
        ratio_line("fast, numpy fallback / torch", "fast, numpy fallback", torch_name, conv)

    p = POOL_SHAPES
    pool = measure(pool_contenders(rng), rounds)
    print_table(
        f"max pool: x {p['x']}, {p['pool']}x{p['pool']} windows, stride {p['stride']}, float64",
        pool,
    )
    ratio_line("naive / fast", "naive (solutions/layers.py)", "fast (reshape path)", pool)
    if torch is not None:
        torch_name = next(name for name in pool if name.startswith("torch"))
        ratio_line("fast / torch (time ratio)", "fast (reshape path)", torch_name, pool)

    print(
        f"\n  target: fast conv forward+backward >= {TARGET_SPEEDUP}x faster than naive: "
        f"{'MET' if speedup >= TARGET_SPEEDUP else 'NOT MET'} ({speedup:.1f}x)"
    )
    if torch_ratio is not None:
        verdict = "MET" if torch_ratio <= TARGET_TORCH_RATIO else "NOT MET"
        print(
            f"  target: fast conv forward+backward within {TARGET_TORCH_RATIO}x of torch "
            f"({threads}): {verdict} ({torch_ratio:.2f}x torch's time)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds of turns (default 15)")
    parser.add_argument(
        "--loop-rounds",
        type=int,
        default=2,
        help="rounds for the slow loop-per-element conv, single-threaded only; 0 skips it",
    )
    args = parser.parse_args()

    fast_layers.use_backend("cython")  # raises, saying how to build it, when it is not built
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    if torch is None:
        print("torch is not importable: the torch rows are left out (pip install torch)")
    run("default threads", args.rounds, 0, "both with default threads")
    with threadpool_limits(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        run("single-threaded", args.rounds, args.loop_rounds, "both single-threaded")


if __name__ == "__main__":
    main()
