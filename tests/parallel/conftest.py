"""Fixtures shared by the parallel tests: a thread count per test, and tiny chunks."""

import pytest

hl = pytest.importorskip("hotloop")

THREADS = [1, 2, 3]


@pytest.fixture
def small_chunks():
    """Split even tiny loops into (up to 64) chunks; restore the default afterwards."""
    hl._core._set_min_chunk_work(1)
    yield
    hl._core._set_min_chunk_work(0)


@pytest.fixture(params=THREADS, ids=lambda n: f"threads{n}")
def threads(request):
    n = request.param
    if n > hl.max_threads():
        pytest.skip(f"only {hl.max_threads()} threads allowed (set HOTLOOP_NUM_THREADS=3)")
    prev = hl.set_num_threads(n)
    assert hl.get_num_threads() == n
    yield n
    hl.set_num_threads(prev)
