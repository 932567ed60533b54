"""Arrays made in compiled code are freed: per call, and when the last NumPy view dies."""

import gc
import resource

import numpy as np

import hotloop as hl


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@hl.jit
def make(n):
    a = np.empty(n)
    for i in range(n):
        a[i] = i
    tmp = np.ones(n) * 2.0  # an array that is not returned: freed when the call returns
    return a[1:] + tmp[1:]


@hl.jit
def scalar_from_temporaries(x):
    return np.sum(x * 2.0 + 1.0)


def test_no_leak_after_many_calls():
    x = np.ones(64)
    for _ in range(2000):  # warm up: allocator caches, compilation
        make(64)
        scalar_from_temporaries(x)
    gc.collect()
    before = rss_kib()
    for _ in range(500_000):  # a million calls in all
        make(64)
        scalar_from_temporaries(x)
    gc.collect()
    grown = rss_kib() - before
    # Each call allocates ~1.5 KiB: a leak would be ~750 MiB.
    assert grown < 20_000, f"RSS grew by {grown} KiB"


def test_returned_views_keep_their_buffer_alive():
    views = [make(1000)[::2] for _ in range(5)]
    gc.collect()
    for v in views:
        np.testing.assert_array_equal(v, (np.arange(1, 1000) + 2.0)[::2])
