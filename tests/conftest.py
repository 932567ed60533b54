"""Allow three threads even on a two-core machine, so the parallel tests run at 1, 2 and
3 threads everywhere (hotloop reads HOTLOOP_NUM_THREADS once, at its first parallel loop)."""

import os

os.environ.setdefault("HOTLOOP_NUM_THREADS", str(max(3, os.cpu_count() or 1)))
