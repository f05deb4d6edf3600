#!/usr/bin/env python3
"""bench-gradcheck-torch.py: time torch.autograd.gradcheck on one conv2d layer
(float64, the same sizes and uniform [-1, 1) tensors as convgrad gradcheck),
for bench-gradcheck. Not a test.

Usage: bench-gradcheck-torch.py N C_in H W C_out R S STRIDE PAD MODE REPS
MODE is full or fast. Prints one line:
  torch MODE SECONDS CPU_SECONDS PASSED PEAK_RSS_KB TORCH_VERSION THREADS
(SECONDS and CPU_SECONDS medians over the reps; CPU is the process's,
every thread, user + system)
or "torch absent" when PyTorch cannot be imported (exit 0)."""
import resource
import statistics
import sys
import time

try:
    import torch
except Exception:  # ImportError, or a broken install
    print("torch absent")
    sys.exit(0)

N, Ci, H, W, Co, R, S, stride, pad = (int(a) for a in sys.argv[1:10])
mode, reps = sys.argv[10], int(sys.argv[11])
torch.manual_seed(1)


def uniform(*shape):
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).requires_grad_()


x, w, b = uniform(N, Ci, H, W), uniform(Co, Ci, R, S), uniform(Co)


def conv(x, w, b):
    return torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad)


times, cpus, ok = [], [], True
for _ in range(reps):
    t0, c0 = time.perf_counter(), time.process_time()
    ok &= torch.autograd.gradcheck(conv, (x, w, b), fast_mode=(mode == "fast"))
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("torch %s %.6f %.6f %s %d %s %d" % (mode, statistics.median(times),
                                        statistics.median(cpus), ok, rss,
                                        torch.__version__,
                                        torch.get_num_threads()))
