"""Thread controls, with Numba's names (and numexpr's, which return the previous value).

Parallel regions (prange loops and array expressions in ``parallel=True`` functions,
``evaluate`` on large arrays) use ``get_num_threads()`` threads. The setting belongs to
the calling thread, as in Numba; it starts at ``max_threads()``: ``$HOTLOOP_NUM_THREADS``
if set, else the number of cores.
"""

import os

from ._core import get_num_threads, max_threads, set_num_threads


def detect_number_of_cores():
    """The number of cores of this machine (numexpr's name)."""
    return os.cpu_count() or 1


__all__ = ["get_num_threads", "set_num_threads", "max_threads", "detect_number_of_cores"]
