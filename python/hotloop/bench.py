"""The benchmark suite behind ``python -m hotloop bench``.

It runs the seed documents' workloads side by side -- numpy, numexpr and Numba where they are
installed, and hotloop -- checks that every implementation agrees with the reference (numpy's
result, ``rtol=1e-9``; Numba's for ``pv_locations``), and prints a table of best times and time
ratios. ``--json PATH`` writes every figure (and the machine it was measured on), ``--plot PATH``
a PNG bar chart.

Workloads: ``poly`` (the seed's explicit loops), ``poly-array`` (its array-expression forms, the
same function objects through numba.njit and hotloop.njit), ``norm`` (sum(v*v), dot(v, v)),
``laplacian`` (2D stencil with slices), ``pv_locations`` (float32 signature and ``locals=``),
the seeds' other programs -- ``fractal`` (Mandelbrot: the numpy version and the loop version
through both JITs), ``mcmc`` (the sampler and its ``norm_pdf`` helper, seeded: hotloop must give
numpy's chain, Numba the same posterior mean), ``diffusion`` (``evolve`` with the ``np.roll``
laplacian; also as a ``@hl.stencil(mode="wrap")``) and ``second-derivative`` (finite
differences, a loop and slices) --, ``stencil`` (a 5-point Laplacian through hotloop's and
Numba's ``@stencil``, serial and parallel),
``compile``, ``dispatch``, and ``evaluate``: ``hl.evaluate`` against ``numexpr.evaluate`` and
numpy over a grid of expressions x sizes, plus the first call of a new expression and the
cached call on 10 elements; it prints a table of its own after the main one.

The parallel group (:class:`ParallelWorkload`, one table of its own with the thread counts of
hotloop, Numba and numexpr and a "vs copy" column: time / the time of the same bytes copied by
a hotloop prange loop on all threads): ``poly-parallel-1M`` and ``poly-parallel-10M`` (the
polynomial through numexpr and ``hl.evaluate``, ``njit(parallel=True)`` of ``f_numpy`` and of a
prange loop, ``vectorize(target="parallel")``, and the copies), ``laplacian-parallel``
(``laplacian_numpy`` under ``parallel=True`` on 2000x2000), ``contest-sum`` (the "Writing
Faster Python" contest, ``s += i`` over ``prange(2e9)`` and ``range(2e9)``: the exact
``n*(n-1)//2`` is required) and ``parallel-overhead`` (the fork-join of a region with one
iteration per thread; hotloop runs such a loop serially unless told otherwise, so one row sets
``hl._core._set_min_chunk_work(1)`` around each call). The prange loops call a module-level
``prange``, bound to ``numba.prange`` or ``hl.prange`` for each JIT.

How the numbers are taken
-------------------------
* ``time.perf_counter``; the garbage collector is off while timing.
* Compilation and warm-up happen before, outside the timed region.
* Implementations are timed *interleaved*: each round times every implementation in turn,
  starting from a different one each round, for several rounds; the best (minimum) sample is
  reported. On a noisy machine this keeps a burst of noise from penalising only one
  implementation. Within a round each implementation takes up to 10 samples in a ~20 ms slot
  (at least one), so peers of similar speed get the same number of chances at their minimum.
* Ratios are ``time / baseline time`` -- below 1 is faster than the baseline.
* A workload's ``untimed`` (and, under ``--quick``, ``untimed_quick``) implementations are
  called once for their result -- the reference -- and not timed: the exact formula of the
  contest sum, numpy's polynomial on 10M elements (seconds a call).

Adding a workload
-----------------
Append a :class:`Workload` to :data:`WORKLOADS` (or call :func:`register`): a name, a
``setup(size)`` that returns the argument tuple, and a list of :class:`Impl` objects, each with a
``build()`` that returns the callable to time (or raises :class:`Unavailable`). The first impl
whose name equals ``reference`` gives the expected result and the "vs numpy" baseline. Workloads
that measure something other than one call on arrays subclass :class:`Workload` and override
:meth:`Workload.run` (see :class:`CompileWorkload` and :class:`DispatchWorkload`).

This file also runs on its own (``python python/hotloop/bench.py --quick``), which works before
the hotloop extension is built: the hotloop rows are then skipped.
"""

import os
import sys

if __name__ == "__main__" and not __package__:
    # Run as a script: the package folder must not shadow the standard library (a ``types.py``
    # next to this file would), and ``import hotloop`` should find this package.
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
    sys.path.insert(0, os.path.dirname(_here))

import argparse
import gc
import importlib
import itertools
import json
import math
import platform
import statistics
import time
import traceback
import types
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

RTOL = 1e-9
DESCRIPTION = ("Run the seed workloads side by side (numpy, numexpr and Numba where installed, "
               "hotloop), check that they agree with numpy, and print best times and ratios.")

# --------------------------------------------------------------------------------------------
# Optional peers and hotloop itself
# --------------------------------------------------------------------------------------------


class Unavailable(Exception):
    """An implementation cannot run here (a peer is not installed, hotloop is not built)."""


_modules: dict = {}


def _optional(name: str):
    """Import ``name`` once; None when it is not installed or fails to import."""
    if name not in _modules:
        try:
            _modules[name] = importlib.import_module(name)
        except Exception as exc:  # ImportError, or a broken install
            _modules[name] = None
            _modules[name + ":why"] = f"{type(exc).__name__}: {exc}"
    return _modules[name]


def _why(name: str) -> str:
    return _modules.get(name + ":why", f"{name} is not installed")


def _hotloop():
    """The hotloop package when its compiled core imports; None otherwise."""
    if "hotloop" not in _modules:
        try:
            hl = importlib.import_module("hotloop")
            importlib.import_module("hotloop._core")
            if not callable(getattr(hl, "njit", None)):
                raise ImportError("hotloop has no njit yet")
            _modules["hotloop"] = hl
        except Exception as exc:
            _modules["hotloop"] = None
            _modules["hotloop:why"] = f"{type(exc).__name__}: {exc}"
    return _modules["hotloop"]


def _hotloop_jit():
    """``hotloop.njit`` when hotloop is usable, else None."""
    hl = _hotloop()
    return hl.njit if hl is not None else None


def _numba_jit():
    nb = _optional("numba")
    return nb.njit if nb is not None else None


def _require(getter, name):
    jit = getter()
    if jit is None:
        raise Unavailable(_why(name))
    return jit


def fresh_function(f):
    """A new function object with f's code: a JIT sees it for the first time."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    g.__kwdefaults__ = f.__kwdefaults__
    g.__doc__ = f.__doc__
    return g


def _jit_no_cache(jit, f):
    """``jit(cache=False)(f)``; plain ``jit(f)`` if the decorator takes no ``cache`` option."""
    try:
        deco = jit(cache=False)
    except TypeError:
        return jit(f)
    return deco(f)


# --------------------------------------------------------------------------------------------
# The seed functions (000_*: "Performance Computing" course notes). Module-level on purpose:
# the very same function objects go to numba.njit and hotloop.njit.
# --------------------------------------------------------------------------------------------

POLY_EXPR = "x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8"


def f_numpy(x):
    return x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8


def f_nest_numpy(x):
    return x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))


def f_mem_numpy(x):
    y = x.copy()
    for _ in range(7):
        y += 1
        y *= x
    return y


def f_numexpr(x):
    return _optional("numexpr").evaluate("x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8")


def f_simple(xarr):
    yarr = np.empty_like(xarr)
    for i in range(len(xarr)):
        x = xarr[i]
        yarr[i] = x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8
    return yarr


def f_horner_loop(xarr):
    yarr = np.empty_like(xarr)
    for i in range(len(xarr)):
        x = xarr[i]
        yarr[i] = x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))
    return yarr


def ident(x):
    return x


# 001_*: "Matrix and Vector Computation" -- norm squared.

def norm_square_numpy(vector):
    return np.sum(vector * vector)


def norm_square_numpy_dot(vector):
    return np.dot(vector, vector)


# 002_*: "Speeding up Python" -- the 2D Laplacian with slices.

def laplacian_numpy(f, dx, dy):
    return (
        (f[:-2, 1:-1] + f[2:, 1:-1]) * (1.0 / dx**2)
        + (f[1:-1, :-2] + f[1:-1, 2:]) * (1.0 / dy**2)
        - f[1:-1, 1:-1] * (2.0 / dx**2 + 2.0 / dy**2)
    )


# 000_*: the peak finder, compiled with the seed's float32 signature and locals= (see
# _pv_numba / _pv_hotloop).

def pv_locations(targets, threshold, integral_threshold, min_width):
    state = 0
    integral = 0.0
    sum_weights_locs = 0.0

    # Make an empty array and manually track the size (faster than python array)
    items = np.empty(150, np.float32)
    nitems = 0

    for i in range(len(targets)):
        if targets[i] >= threshold:
            state += 1
            integral += targets[i]
            sum_weights_locs += i * targets[i]  # weight times location

        if (targets[i] < threshold or i == len(targets)-1) and state > 0:

            # Record only if
            if state >= min_width and integral >= integral_threshold:
                items[nitems] = sum_weights_locs / integral
                nitems += 1

            # reset state
            state = 0
            integral = 0.0
            sum_weights_locs = 0.0

    return items[:nitems]


# 000_*: the Mandelbrot fractal from "week 3", the NumPy version and the loop version the notes
# hand to Numba. (The seed's ``it_matrix = np.zeros(size,`` is cut off mid-line; it is read as
# the loop version's ``dtype=np.int64``.) The two are different algorithms: the array version
# keeps iterating escaped points (to inf/nan, hence its warnings) and records the iteration
# *after* the update, so its counts are one lower -- see _fractal_check.

def make_fractal(size, iterations):
    x = np.linspace(-2,2,size[0]).reshape(1,-1)
    y = np.linspace(-2,2,size[1]).reshape(-1,1)
    c = x + y*1j
    z = np.zeros_like(c)
    it_matrix = np.zeros(size, dtype=np.int64)
    for n in range(iterations):
        z = z**2 + c
        it_matrix[np.abs(z) < 2] = n
    return it_matrix


def make_fractal_quiet(size, iterations):
    """The seed's make_fractal without its overflow warnings (escaped points reach inf)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return make_fractal(size, iterations)


def make_fractal_nb(size, iterations):
    x = np.linspace(-2,2,size[0]).reshape(1,-1)
    y = np.linspace(-2,2,size[1]).reshape(-1,1)
    c = x + y*1j
    z = np.zeros_like(c)
    it_matrix = np.zeros(size, dtype=np.int64)
    for n in range(iterations):
        for i in range(size[0]):
            for j in range(size[1]):
                if np.abs(z[i,j]) < 2:
                    z[i,j] = z[i,j]**2 + c[i,j]
                    it_matrix[i, j] = n
    return it_matrix


# 000_*: the MCMC sampler after "replace the scipy calls" (norm_pdf, np.random.normal, a
# preallocated posterior). The seed's ``likelihood_current =, 1, data))`` lost its middle in
# extraction; it is ``np.prod(norm_pdf(mu_current, 1, data))``. mcmc_chain seeds NumPy's
# generator and runs the seed's call, sampler(data, samples=1500, mu_init=1.).

def norm_pdf(loc, scale, x):
    y = (x - loc) / scale
    return np.exp(-y**2/2)/np.sqrt(2*np.pi) / scale


def sampler(data, samples=4, mu_init=.5, proposal_width=.5, plot=False, mu_prior_mu=0, mu_prior_sd=1.):
    mu_current = mu_init
    posterior = np.empty(samples+1)
    posterior[0] = mu_current
    for i in range(samples):
        # suggest new position
        mu_proposal = np.random.normal(mu_current, proposal_width)

        # Compute likelihood by multiplying probabilities of each data point
        likelihood_current = np.prod(norm_pdf(mu_current, 1, data))
        likelihood_proposal = np.prod(norm_pdf(mu_proposal, 1, data))
        # Compute prior probability of current and proposed mu
        prior_current = norm_pdf(mu_prior_mu, mu_prior_sd, mu_current)
        prior_proposal = norm_pdf(mu_prior_mu, mu_prior_sd, mu_proposal)
        p_current = likelihood_current * prior_current
        p_proposal = likelihood_proposal * prior_proposal
        # Accept proposal?
        p_accept = p_proposal / p_current
        # Usually would include prior probability, which we neglect here for simplicity
        accept = np.random.rand() < p_accept
        if accept:
            # Update position
            mu_current = mu_proposal
        posterior[i+1] = mu_current
    return posterior


def mcmc_chain(data, samples, seed):
    np.random.seed(seed)
    return sampler(data, samples=samples, mu_init=1.)


# 001_*: Example 6-9, "Initial numpy diffusion": one Euler step of the 2D heat equation with
# periodic boundaries (np.roll). The extraction dropped the minus signs; they are restored.

def laplacian(grid):
    return np.roll(grid, +1, 0) + np.roll(grid, -1, 0) + \
        np.roll(grid, +1, 1) + np.roll(grid, -1, 1) - 4 * grid


def evolve(grid, dt, D=1):
    return grid + dt * D * laplacian(grid)


def laplacian_stencil(grid):
    """The same laplacian as a kernel for hotloop's @stencil(mode="wrap") (the np.roll
    boundary), its terms in the same order."""
    return grid[-1, 0] + grid[1, 0] + grid[0, -1] + grid[0, 1] - 4 * grid[0, 0]


# 002_*: "Pure Python: reducing instructions" -- the second derivative by finite differences,
# (f[i-1] - 2f[i] + f[i+1]) / dx**2. The seed's loop appends to a list (not compiled code): the
# loop here writes into an array instead. The slices form is its list comprehension
# (zip(f[:-2], f[1:-1], f[2:]) with inv_dx2) written with array slices.

def second_deriv_loop(f, dx):
    second_deriv = np.empty(len(f) - 2)
    for i in range(1, len(f)-1):
        second_deriv[i-1] = (f[i-1] - 2*f[i] + f[i+1]) / dx**2
    return second_deriv


def second_deriv_slices(f, dx):
    # Calculate common factor in advance
    inv_dx2 = 1.0 / dx**2
    return (f[:-2] - 2*f[1:-1] + f[2:]) * inv_dx2


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


@dataclass
class Impl:
    """One implementation of a workload.

    ``build()`` returns the callable (compiling nothing yet is fine: the first call is made
    outside the timed region) or raises :class:`Unavailable`. ``family`` is one of numpy,
    numexpr, numba, hotloop, python. ``variant`` pairs a hotloop row with the numba row of the
    same algorithm for the "vs numba" column. ``check``, when given, replaces the agreement
    check against the reference: ``check(out, expected, args)`` returns ``("ok", "")`` or
    ``("MISMATCH", why)`` (``args`` are the workload's inputs); it serves implementations that
    compute the same thing by another route (the seed's two fractal algorithms, a sampler
    drawing from another random generator).
    """

    name: str
    family: str
    build: Callable[[], Callable]
    variant: Optional[str] = None
    check: Optional[Callable] = None


@dataclass
class Options:
    quick: bool = False
    rounds: Optional[int] = None   # override the number of interleaved rounds
    size: Optional[int] = None     # override the workload's default size
    verbose: bool = False

    def n_rounds(self, quick: int, full: int) -> int:
        return self.rounds if self.rounds else (quick if self.quick else full)


@dataclass
class Row:
    workload: str
    impl: str
    family: str
    variant: Optional[str] = None
    time_s: Optional[float] = None       # best time (the figure in the table)
    samples_s: list = field(default_factory=list)
    status: str = "ok"                   # ok | MISMATCH | ERROR | skipped | unchecked
    detail: str = ""
    extra: dict = field(default_factory=dict)
    vs_numpy: Optional[float] = None
    vs_numba: Optional[float] = None

    @property
    def timed(self) -> bool:
        return self.time_s is not None


@dataclass
class Workload:
    """A workload timed as one call on the inputs ``setup(size)`` returns."""

    name: str
    description: str
    setup: Callable[[int], tuple] = None
    impls: list = field(default_factory=list)
    size: int = 1_000_000
    size_quick: Optional[int] = None        # the size under --quick (None: ``size``)
    reference: Optional[str] = None         # impl name giving the expected result / numpy base
    numba_baseline: Optional[str] = None    # numba impl for rows without a paired variant
    unit: str = "per call"
    rounds_quick: int = 10
    rounds_full: int = 50
    budget_quick_s: float = 20.0            # stop adding rounds past this (after 3 rounds)
    budget_full_s: float = 120.0
    min_sample_s: float = 1e-3              # calls per sample are batched up to this
    samples_per_round: int = 10             # at most this many samples per round, and
    slot_s: float = 0.02                    # no new one once this time is spent (at least 1)
    atol: float = 0.0                       # absolute tolerance of the agreement check
    # Implementations called once for their result (the reference) and not timed: always,
    # or only under --quick (numpy's x**8 on 10M elements takes seconds a call).
    untimed: tuple = ()
    untimed_quick: tuple = ()
    writes_args: tuple = ()                 # positions of the output arguments it fills

    # Workloads with a table of their own (see EvaluateWorkload) override these two.
    def compute_ratios(self, rows: list) -> None:
        _generic_ratios(self, rows)

    def table_lines(self, rows: list) -> Optional[list]:
        """Lines of a table of its own, or None to appear in the main table."""
        return None

    def run(self, opts: Options) -> list:
        pristine = self.setup(opts.size or (self.size_quick if opts.quick and self.size_quick
                                            else self.size))
        rows, ready = [], {}
        expected = None
        untimed = set(self.untimed) | (set(self.untimed_quick) if opts.quick else set())
        for impl in self.impls:
            row = Row(self.name, impl.name, impl.family, impl.variant)
            rows.append(row)
            try:
                fn = impl.build()
            except Unavailable as exc:
                row.status, row.detail = "skipped", str(exc)
                continue
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            args = _copy_args(pristine)       # each implementation gets its own inputs
            try:
                t0 = time.perf_counter()
                out = fn(*args)               # compiles, for the JITs: outside the timing
                row.extra["first_call_s"] = time.perf_counter() - t0
                est = math.inf                # best warm call: batches tiny calls
                for _ in range(0 if impl.name in untimed else
                               5 if row.extra["first_call_s"] < 0.1 else 1):
                    t0 = time.perf_counter()
                    out = fn(*args)
                    est = min(est, time.perf_counter() - t0)
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            if impl.name == self.reference:
                expected = out
            ready[impl.name] = (fn, args, out, est)
            if not _same_args(args, pristine, self.writes_args):
                row.status, row.detail = "MISMATCH", "modified its input arrays"
        # Check every result against the reference.
        checks = {impl.name: impl.check for impl in self.impls}
        for row in rows:
            if row.impl not in ready or row.impl == self.reference or row.status != "ok":
                continue
            out = ready[row.impl][2]
            if expected is not None and checks.get(row.impl) is not None:
                try:
                    row.status, row.detail = checks[row.impl](out, expected, pristine)
                except Exception as exc:
                    row.status, row.detail = "MISMATCH", f"cannot compare: {_exc_text(exc, opts)}"
            elif expected is not None:
                row.status, row.detail = check_close(out, expected, atol=self.atol)
            else:
                row.status, row.detail = "unchecked", "the reference did not run"
        # Time the survivors interleaved.
        runnable = {}
        for n, (fn, args, out, est) in ready.items():
            if n in untimed:
                continue
            number = max(1, int(self.min_sample_s / max(est, 1e-9)))
            runnable[n] = (fn, args, number, self.samples_per_round)
        del ready, expected
        budget = self.budget_quick_s if opts.quick else self.budget_full_s
        samples = interleaved(runnable, opts.n_rounds(self.rounds_quick, self.rounds_full),
                              budget, slot_s=self.slot_s)
        for row in rows:
            if row.impl in untimed and row.status == "ok":
                row.extra["untimed"] = True
                row.detail = "called once for its result, not timed"
            if row.impl in samples:
                s = samples[row.impl]
                row.samples_s = s
                row.time_s = min(s) if s else None
                row.extra["calls_per_sample"] = runnable[row.impl][2]
                row.extra["input_alignment"] = [a.ctypes.data % 64 for a in runnable[row.impl][1]
                                                if isinstance(a, np.ndarray)]
                if not s:
                    row.status, row.detail = "ERROR", "every timed call raised"
        return rows


def _copy_args(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _same_args(args: tuple, pristine: tuple, written: tuple = ()) -> bool:
    return all(k in written or not isinstance(p, np.ndarray) or np.array_equal(a, p, equal_nan=True)
               for k, (a, p) in enumerate(zip(args, pristine)))


WORKLOADS: list = []


def register(workload: Workload) -> Workload:
    WORKLOADS.append(workload)
    return workload


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def interleaved(runnable: dict, rounds: int, budget_s: float, min_rounds: int = 3,
                slot_s: float = math.inf) -> dict:
    """Round-robin timing -> ``{name: [seconds per call]}``.

    ``runnable`` maps a name to ``(fn, args, calls_per_sample, max_samples_per_round)``. Every
    round visits each implementation in turn, starting from a different one each round, and
    takes samples of it until it has ``max_samples_per_round`` or has spent ``slot_s`` (at least
    one sample): implementations of similar speed get the same number of samples, a slow one
    fewer. Stops after ``rounds`` rounds, or earlier once ``budget_s`` is spent and
    ``min_rounds`` are done.
    """
    names = list(runnable)
    samples = {n: [] for n in names}
    if not names:
        return samples
    gc_on = gc.isenabled()
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    try:
        for r in range(rounds):
            k = r % len(names)
            for name in names[k:] + names[:k]:
                fn, args, number, per_round = runnable[name]
                slot_end = time.perf_counter() + slot_s
                for i in range(per_round):
                    if i and time.perf_counter() > slot_end:
                        break
                    try:
                        t0 = time.perf_counter()
                        for _ in itertools.repeat(None, number):
                            fn(*args)
                        dt = time.perf_counter() - t0
                    except Exception:
                        break
                    samples[name].append(dt / number)
            if r + 1 >= min_rounds and time.perf_counter() - start > budget_s:
                break
    finally:
        if gc_on:
            gc.enable()
    return samples


def check_close(actual, expected, atol: float = 0.0) -> tuple:
    """("ok", "") or ("MISMATCH", why) -- never raises."""
    try:
        a = np.asarray(actual)
        e = np.asarray(expected)
        if a.shape != e.shape:
            return "MISMATCH", f"shape {a.shape} != expected {e.shape}"
        if a.dtype != e.dtype:
            return "MISMATCH", f"dtype {a.dtype} != expected {e.dtype}"
        np.testing.assert_allclose(a, e, rtol=RTOL, atol=atol)
        return "ok", ""
    except AssertionError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines()
                 if ln.strip().startswith(("Mismatched", "Max absolute", "Max relative"))]
        return "MISMATCH", "; ".join(lines) or str(exc).strip().splitlines()[0]
    except Exception as exc:
        return "MISMATCH", f"cannot compare: {type(exc).__name__}: {exc}"


def _exc_text(exc, opts: Options) -> str:
    if opts.verbose:
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).strip()
    text = f"{type(exc).__name__}: {exc}".strip()
    return text


# --------------------------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------------------------


def _poly_setup(size):
    x = np.random.default_rng(0).normal(size=size)
    return (x,)


def _peer(fn, module):
    def build():
        if _optional(module) is None:
            raise Unavailable(_why(module))
        return fn
    return build


def _jitted(getter, name, fn):
    def build():
        return _require(getter, name)(fn)
    return build


register(Workload(
    name="poly",
    description="y = x + x**2 + ... + x**8 over 1M float64 (seed 000)",
    setup=_poly_setup,
    size=1_000_000,
    reference="numpy",
    numba_baseline="numba njit loop",
    impls=[
        Impl("numpy", "numpy", lambda: f_numpy),
        Impl("numpy horner", "numpy", lambda: f_nest_numpy),
        Impl("numpy in-place", "numpy", lambda: f_mem_numpy),
        Impl("numexpr", "numexpr", _peer(f_numexpr, "numexpr")),
        Impl("numba njit loop", "numba", _jitted(_numba_jit, "numba", f_simple), "loop"),
        Impl("numba njit horner", "numba", _jitted(_numba_jit, "numba", f_horner_loop),
             "horner"),
        Impl("hotloop njit loop", "hotloop", _jitted(_hotloop_jit, "hotloop", f_simple), "loop"),
        Impl("hotloop njit horner", "hotloop",
             _jitted(_hotloop_jit, "hotloop", f_horner_loop), "horner"),
    ],
))


# --- Array expressions (fused by hotloop), reductions, slices: the same function objects go
# to numpy (called as they are), numba.njit and hotloop.njit.


def _jit_impls(fn, label, variant):
    """The numba and hotloop rows for ``njit(fn)``."""
    return [Impl(f"numba njit({label})", "numba", _jitted(_numba_jit, "numba", fn), variant),
            Impl(f"hotloop njit({label})", "hotloop", _jitted(_hotloop_jit, "hotloop", fn),
                 variant)]


register(Workload(
    name="poly-array",
    description="the seed's array-expression forms of the polynomial, as written, through "
                "numba.njit and hotloop.njit (1M float64, seed 000)",
    setup=_poly_setup,
    size=1_000_000,
    reference="numpy f_numpy",
    numba_baseline="numba njit(f_numpy)",
    impls=[
        Impl("numpy f_numpy", "numpy", lambda: f_numpy),
        Impl("numpy f_nest_numpy", "numpy", lambda: f_nest_numpy),
        Impl("numpy f_mem_numpy", "numpy", lambda: f_mem_numpy),
        Impl("numexpr", "numexpr", _peer(f_numexpr, "numexpr")),
        *_jit_impls(f_numpy, "f_numpy", "powers"),
        *_jit_impls(f_nest_numpy, "f_nest_numpy", "horner"),
        *_jit_impls(f_mem_numpy, "f_mem_numpy", "in-place"),
    ],
))


def _norm_setup(size):
    return (np.random.default_rng(1).normal(size=size),)


def _numba_dot_build():
    """numba.njit(norm_square_numpy_dot), or Unavailable where Numba's np.dot needs SciPy."""
    jit = _require(_numba_jit, "numba")
    d = jit(norm_square_numpy_dot)
    try:
        d(np.ones(4))       # float64 1-d C: the benchmark's own signature, compiled once
    except Exception as exc:
        if "scipy" in str(exc).lower():
            raise Unavailable(f"numba's np.dot needs SciPy ({type(exc).__name__}: {exc})")
        raise
    return d


register(Workload(
    name="norm",
    description="norm squared: np.sum(v * v) and np.dot(v, v) over 1M float64 (seed 001)",
    setup=_norm_setup,
    size=1_000_000,
    reference="numpy sum(v*v)",
    numba_baseline="numba njit(sum(v*v))",
    impls=[
        Impl("numpy sum(v*v)", "numpy", lambda: norm_square_numpy),
        Impl("numpy dot(v, v)", "numpy", lambda: norm_square_numpy_dot),
        Impl("numba njit(sum(v*v))", "numba",
             _jitted(_numba_jit, "numba", norm_square_numpy), "sum"),
        Impl("numba njit(dot(v, v))", "numba", _numba_dot_build, "dot"),
        Impl("hotloop njit(sum(v*v))", "hotloop",
             _jitted(_hotloop_jit, "hotloop", norm_square_numpy), "sum"),
        Impl("hotloop njit(dot(v, v))", "hotloop",
             _jitted(_hotloop_jit, "hotloop", norm_square_numpy_dot), "dot"),
    ],
))


def _laplacian_setup(size):
    """A random field on an n x n grid with n*n ~= size (1000 x 1000 by default)."""
    n = max(3, int(round(math.sqrt(size))))
    f = np.random.default_rng(2).random((n, n))
    return (f, 0.01, 0.02)


register(Workload(
    name="laplacian",
    description="laplacian_numpy(f, dx, dy) with slices on a 1000x1000 float64 grid "
                "(seed 002)",
    setup=_laplacian_setup,
    size=1_000_000,
    reference="numpy",
    numba_baseline="numba njit",
    # Terms are ~3e4 (1/dx**2 ~ 1e4) and the result may cancel to ~0: an absolute
    # tolerance of 1e-6 allows a different rounding (FMA) but not a wrong stencil.
    atol=1e-6,
    impls=[
        Impl("numpy", "numpy", lambda: laplacian_numpy),
        Impl("numba njit", "numba", _jitted(_numba_jit, "numba", laplacian_numpy), "slices"),
        Impl("hotloop njit", "hotloop", _jitted(_hotloop_jit, "hotloop", laplacian_numpy),
             "slices"),
    ],
))


def laplacian_kernel(u):
    """A 5-point Laplacian as a stencil kernel (hotloop's and Numba's @stencil)."""
    return u[-1, 0] + u[1, 0] + u[0, -1] + u[0, 1] - 4 * u[0, 0]


def laplacian_kernel_numpy(u):
    """What @stencil(laplacian_kernel) computes, with slices: cval 0 on the edges."""
    out = np.zeros_like(u)
    out[1:-1, 1:-1] = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * u[1:-1, 1:-1]
    return out


def _stencil_build(family, parallel):
    """The stencil of laplacian_kernel, called from Python (hotloop) or, as Numba requires
    for compiled code, from an njit function."""
    def build():
        if family == "hotloop":
            hl = _hotloop()
            if hl is None:
                raise Unavailable(_why("hotloop"))
            return hl.stencil(parallel=parallel)(laplacian_kernel)
        nb = _optional("numba")
        if nb is None:
            raise Unavailable(_why("numba"))
        kernel = nb.stencil(laplacian_kernel)
        return nb.njit(parallel=parallel)(lambda u: kernel(u))
    return build


register(Workload(
    name="stencil",
    description="@stencil 5-point Laplacian (cval 0 on the edges) on a 1000x1000 float64 grid "
                "(256x256 with --quick), serial and parallel",
    setup=lambda size: (np.random.default_rng(7).random((int(math.sqrt(size)),) * 2),),
    size=1_000_000,
    size_quick=256 * 256,
    reference="numpy slices",
    numba_baseline="numba njit(stencil)",
    impls=[
        Impl("numpy slices", "numpy", lambda: laplacian_kernel_numpy),
        Impl("numba njit(stencil)", "numba", _stencil_build("numba", False), "serial"),
        Impl("hotloop stencil", "hotloop", _stencil_build("hotloop", False), "serial"),
        Impl("numba njit(parallel)(stencil)", "numba", _stencil_build("numba", True), "parallel"),
        Impl("hotloop stencil(parallel)", "hotloop", _stencil_build("hotloop", True), "parallel"),
    ],
))


PV_ARGS = dict(threshold=0.05, integral_threshold=0.5, min_width=3)


def _pv_setup(size):
    """float32 zeros with about one Gaussian bump per 800 samples (at most 120: the seed's
    output buffer holds 150), each 1 to 10 samples wide above the threshold."""
    rng = np.random.default_rng(3)
    t = np.zeros(size, np.float32)
    slots = np.arange(50, size - 50, 100)
    count = min(120, len(slots), max(1, size // 800))
    if len(slots):
        idx = np.arange(size, dtype=np.float64)
        for c in rng.choice(slots, size=count, replace=False):
            width, height = rng.uniform(0.7, 4.0), rng.uniform(0.2, 1.5)
            lo, hi = c - 30, c + 30
            bump = height * np.exp(-0.5 * ((idx[lo:hi] - c - rng.uniform(-0.5, 0.5)) / width)**2)
            t[lo:hi] += bump.astype(np.float32)
    t[t < 1e-3] = 0
    return (t, np.float32(PV_ARGS["threshold"]), np.float32(PV_ARGS["integral_threshold"]),
            np.int32(PV_ARGS["min_width"]))


def _pv_numba():
    nb = _optional("numba")
    if nb is None:
        raise Unavailable(_why("numba"))
    return nb.jit(nb.float32[:](nb.float32[:], nb.float32, nb.float32, nb.int32),
                  locals={"integral": nb.float32, "sum_weights_locs": nb.float32},
                  nopython=True)(pv_locations)


def _pv_hotloop():
    hl = _hotloop()
    if hl is None:
        raise Unavailable(_why("hotloop"))
    return hl.jit(hl.float32[:](hl.float32[:], hl.float32, hl.float32, hl.int32),
                  locals={"integral": hl.float32, "sum_weights_locs": hl.float32},
                  nopython=True)(pv_locations)


register(Workload(
    name="pv_locations",
    description="the seed's peak finder, float32 signature and locals=, on 100k float32 "
                "mostly zeros with bumps (seed 000; Numba is the reference, pure Python "
                "is not timed)",
    setup=_pv_setup,
    size=100_000,
    reference="numba jit(sig, locals)",
    numba_baseline="numba jit(sig, locals)",
    impls=[
        Impl("numba jit(sig, locals)", "numba", _pv_numba, "pv"),
        Impl("hotloop jit(sig, locals)", "hotloop", _pv_hotloop, "pv"),
    ],
))


# --- The seeds' other programs: fractal, MCMC sampler, diffusion with np.roll, second
# derivative. Functions that call each other (sampler -> norm_pdf, evolve -> laplacian) are
# jitted as the seeds' modules do it: each JIT gets its own module namespace holding np and its
# compiled versions of the helpers, so the seed's code runs as written.


def _rebind(f, namespace: dict):
    """A new function object with f's code whose globals are ``namespace``."""
    g = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    g.__kwdefaults__ = f.__kwdefaults__
    g.__doc__ = f.__doc__
    return g


def _numba_reason(exc) -> str:
    """Numba's many-line typing error in one line: the call it could not type, and why."""
    text = str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    sig = next((ln.lstrip("> ").strip() for ln in lines if ln.startswith(">>>")), None)
    why = None
    for k, ln in enumerate(lines):
        if "raised a specific error" in ln and k + 1 < len(lines):
            why = lines[k + 1]
            break
    if sig:
        return f"numba cannot compile it: no implementation of {sig}" + (f" ({why})" if why
                                                                         else "")
    return f"numba cannot compile it: {type(exc).__name__}: {lines[0] if lines else ''}"


def _numba_compiled_or_skip(fn, probe_args: tuple):
    """Compile the Numba dispatcher ``fn`` now, with a first call on ``probe_args`` (the types
    of the timed call). When Numba's type inference rejects the seed's code as written, the
    row is shown as skipped with Numba's reason; any other failure stays an error."""
    try:
        errors = importlib.import_module("numba.core.errors")
        refused = (errors.TypingError, errors.UnsupportedError)
    except Exception:
        refused = ()
    try:
        fn(*probe_args)
    except refused as exc:
        raise Unavailable(_numba_reason(exc)) from None
    return fn


def _jitted_program(getter, name, funcs, probe=None):
    """build() for seed functions that call one another: each of ``funcs`` (helpers first) is
    rebound to one new namespace ({"np": np, <name>: <jitted function>, ...}) and jitted;
    returns the last one. ``probe()`` gives arguments for a first call made here (see
    _numba_compiled_or_skip)."""
    def build():
        jit = _require(getter, name)
        namespace = {"np": np}
        for f in funcs:
            namespace[f.__name__] = jit(_rebind(f, namespace))
        fn = namespace[funcs[-1].__name__]
        if probe is not None:
            _numba_compiled_or_skip(fn, probe())
        return fn
    return build


FRACTAL_ITERATIONS = 50


def _fractal_setup(size):
    """((n, n), 50) with n*n ~= size: 500 x 500 by default, as in the seed."""
    n = max(2, int(round(math.sqrt(size))))
    return ((n, n), FRACTAL_ITERATIONS)


def _fractal_check(out, expected, args):
    """make_fractal_nb's counts (out) against the seed's array version's (expected).

    With z_0 = 0 and e the first step with |z_e| >= 2, the loop version records e - 1 (N - 1 if
    e > N) and the array version e - 2 (N - 1 if e > N, 0 if e <= 2): escaped points never come
    back. The counts must then be min(expected + 1, N - 1) where expected > 0; where it is 0, e
    is 1 exactly where |c| >= 2 (z_1 = c), so the count is 0 there and 1 elsewhere.
    """
    size, iterations = args
    x = np.linspace(-2, 2, size[0]).reshape(1, -1)
    y = np.linspace(-2, 2, size[1]).reshape(-1, 1)
    c = x + y*1j
    e = np.asarray(expected)
    want = np.where(e > 0, e + 1, (np.abs(c) < 2).astype(e.dtype))
    want = np.minimum(want, max(iterations - 1, 0)).astype(e.dtype)
    return check_close(out, want)


register(Workload(
    name="fractal",
    description="the seed's Mandelbrot fractal, 500x500 (200x200 with --quick), 50 "
                "iterations: make_fractal (numpy) and make_fractal_nb (loops, complex) "
                "through numba.njit and hotloop.njit (seed 000)",
    setup=_fractal_setup,
    size=500 * 500,
    size_quick=200 * 200,
    reference="numpy make_fractal",
    numba_baseline="numba njit(make_fractal_nb)",
    rounds_quick=8,
    rounds_full=20,
    budget_quick_s=4.0,
    budget_full_s=20.0,
    impls=[
        Impl("numpy make_fractal", "numpy", lambda: make_fractal_quiet),
        Impl("numba njit(make_fractal_nb)", "numba",
             _jitted(_numba_jit, "numba", make_fractal_nb), "loops", check=_fractal_check),
        Impl("hotloop njit(make_fractal_nb)", "hotloop",
             _jitted(_hotloop_jit, "hotloop", make_fractal_nb), "loops",
             check=_fractal_check),
    ],
))


MCMC_SEED = 42
MCMC_BURN_IN = 500
MCMC_MEAN_TOL = 0.1     # the posterior's sd is 1/sqrt(21) ~ 0.22


def _mcmc_setup(size):
    """20 normal data points, ``size`` samples (1500 as in the seed), the generator's seed."""
    data = np.random.default_rng(4).normal(size=20)
    return (data, int(size), MCMC_SEED)


def _posterior_mean_check(out, expected, args):
    """A chain from another random generator: same length, and the same posterior mean
    (after burn-in) within MCMC_MEAN_TOL."""
    a, e = np.asarray(out), np.asarray(expected)
    if a.shape != e.shape or a.dtype != e.dtype:
        return "MISMATCH", f"chain {a.dtype}{a.shape} != expected {e.dtype}{e.shape}"
    burn = min(MCMC_BURN_IN, len(e) // 3)
    ma, me = float(a[burn:].mean()), float(e[burn:].mean())
    if not abs(ma - me) <= MCMC_MEAN_TOL:
        return "MISMATCH", (f"posterior mean {ma:.4f}, numpy's chain {me:.4f} (tolerance "
                            f"{MCMC_MEAN_TOL})")
    return "ok", ""


register(Workload(
    name="mcmc",
    description="the seed's MCMC sampler and its norm_pdf helper, 1500 samples of 20 data "
                "points, seeded (seed 000; hotloop must give numpy's chain, numba the same "
                "posterior mean)",
    setup=_mcmc_setup,
    size=1500,
    reference="numpy",
    numba_baseline="numba njit",
    rounds_quick=10,
    rounds_full=40,
    budget_quick_s=3.0,
    budget_full_s=15.0,
    impls=[
        Impl("numpy", "numpy", lambda: mcmc_chain),
        Impl("numba njit", "numba",
             _jitted_program(_numba_jit, "numba", [norm_pdf, sampler, mcmc_chain]), "sampler",
             check=_posterior_mean_check),
        Impl("hotloop njit", "hotloop",
             _jitted_program(_hotloop_jit, "hotloop", [norm_pdf, sampler, mcmc_chain]),
             "sampler"),
    ],
))


def _hotloop_stencil_evolve():
    """evolve() calling laplacian_stencil through @hl.stencil(mode="wrap") (Numba's stencil
    has no periodic mode)."""
    hl = _hotloop()
    if hl is None:
        raise Unavailable(_why("hotloop"))
    namespace = {"np": np, "laplacian": hl.stencil(mode="wrap")(laplacian_stencil)}
    return hl.njit(_rebind(evolve, namespace))


def _diffusion_setup(size):
    """A random n x n grid with n*n ~= size (1024 x 1024 by default, as in the seed), dt."""
    n = max(3, int(round(math.sqrt(size))))
    return (np.random.default_rng(5).random((n, n)), 0.1)


register(Workload(
    name="diffusion",
    description="one step of the seed's diffusion evolve(grid, dt) with the np.roll "
                "laplacian, 1024x1024 float64 (256x256 with --quick) (seed 001)",
    setup=_diffusion_setup,
    size=1024 * 1024,
    size_quick=256 * 256,
    reference="numpy",
    numba_baseline="numba njit",
    atol=1e-12,     # grid + dt * laplacian may cancel to ~0: room for one rounding
    rounds_quick=10,
    rounds_full=50,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=[
        Impl("numpy", "numpy", lambda: evolve),
        Impl("numba njit", "numba",
             _jitted_program(_numba_jit, "numba", [laplacian, evolve],
                             probe=lambda: (np.zeros((4, 4)), 0.1)), "roll"),
        Impl("hotloop njit", "hotloop",
             _jitted_program(_hotloop_jit, "hotloop", [laplacian, evolve]), "roll"),
        Impl("hotloop stencil(mode='wrap')", "hotloop", _hotloop_stencil_evolve, "stencil"),
    ],
))



def _deriv_setup(size):
    return (np.random.default_rng(6).random(size), 0.01)


register(Workload(
    name="second-derivative",
    description="second derivative by finite differences, (f[i-1] - 2f[i] + f[i+1]) / dx**2, "
                "on 1M float64: a loop and array slices (seed 002)",
    setup=_deriv_setup,
    size=1_000_000,
    reference="numpy slices",
    numba_baseline="numba njit(slices)",
    atol=1e-6,      # terms ~1e4 (1/dx**2) that may cancel: room for a different rounding
    rounds_quick=10,
    rounds_full=50,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=[
        Impl("numpy slices", "numpy", lambda: second_deriv_slices),
        Impl("numba njit(loop)", "numba", _jitted(_numba_jit, "numba", second_deriv_loop),
             "loop"),
        Impl("hotloop njit(loop)", "hotloop",
             _jitted(_hotloop_jit, "hotloop", second_deriv_loop), "loop"),
        Impl("numba njit(slices)", "numba",
             _jitted(_numba_jit, "numba", second_deriv_slices), "slices"),
        Impl("hotloop njit(slices)", "hotloop",
             _jitted(_hotloop_jit, "hotloop", second_deriv_slices), "slices"),
    ],
))


class CompileWorkload(Workload):
    """Compile time of a fresh dispatcher: first call minus a warm call, median of repeats.

    Each JIT compiles one throw-away copy first, so one-time initialisation (Numba's is around
    a second) is not charged to the median; that first figure is kept as ``cold_s``.
    """

    def __init__(self, name, description, func, args_fn, jits, repeats_quick=3,
                 repeats_full=7):
        super().__init__(name=name, description=description, unit="compile")
        self.func, self.args_fn, self.jits = func, args_fn, jits
        self.repeats_quick, self.repeats_full = repeats_quick, repeats_full

    def _once(self, jit, args):
        d = _jit_no_cache(jit, fresh_function(self.func))
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = d(*args)
        first = time.perf_counter() - t0
        self.last_cpu_s = time.process_time() - c0
        warm = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            d(*args)
            warm = min(warm, time.perf_counter() - t0)
        return first - warm, out, d

    def run(self, opts: Options) -> list:
        args = self.args_fn()
        expected = self.func(*args)
        rows, live = [], {}
        for label, family, getter, modname in self.jits:
            row = Row(self.name, label, family, "compile")
            rows.append(row)
            jit = getter()
            if jit is None:
                row.status, row.detail = "skipped", _why(modname)
                continue
            try:
                cold, out, _ = self._once(jit, args)
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            row.extra["cold_s"] = cold
            row.status, row.detail = check_close(out, expected)
            live[label] = (row, jit)
        n = opts.n_rounds(self.repeats_quick, self.repeats_full)
        for _ in range(n):                      # interleaved, like the timings
            for label, (row, jit) in live.items():
                if row.status == "ERROR":
                    continue
                try:
                    gc.collect()
                    t, _, d = self._once(jit, args)
                    row.samples_s.append(t)
                    row.extra.setdefault("first_call_cpu_s", []).append(self.last_cpu_s)
                    stats = getattr(d, "stats", None) if row.family == "hotloop" else None
                    if stats is not None and "stats" not in row.extra:
                        row.extra["stats"] = _jsonable(stats)
                except Exception as exc:
                    row.status, row.detail = "ERROR", _exc_text(exc, opts)
        for row in rows:
            if row.samples_s:
                row.time_s = statistics.median(row.samples_s)
                row.extra["min_s"] = min(row.samples_s)
                if row.time_s < 1e-3 and row.status == "ok":
                    row.extra["note"] = ("under 1 ms: looks like a cache hit, not a compile")
        return rows


register(CompileWorkload(
    name="compile",
    description="compile time of f_simple: fresh dispatcher, first call minus warm call "
                "(median)",
    func=f_simple,
    args_fn=lambda: _poly_setup(1000),
    jits=[("numba njit", "numba", _numba_jit, "numba"),
          ("hotloop njit", "hotloop", _hotloop_jit, "hotloop")],
))


class DispatchWorkload(Workload):
    """Per-call time of ``ident(1.5)``: a loop of many calls (one sample), best sample over
    interleaved rounds. The loop's own cost (``empty_loop_s`` in the JSON) is included."""

    def __init__(self, name, description, calls_quick=10_000, calls_full=20_000,
                 samples_per_round=5, rounds_quick=20, rounds_full=60):
        super().__init__(name=name, description=description, unit="per call",
                         reference=None, numba_baseline="numba njit")
        self.calls_quick, self.calls_full = calls_quick, calls_full
        self.samples_per_round = samples_per_round
        self.rounds_quick, self.rounds_full = rounds_quick, rounds_full
        self.impls = [
            Impl("python", "python", lambda: fresh_function(ident)),
            Impl("numba njit", "numba",
                 lambda: _require(_numba_jit, "numba")(fresh_function(ident)), "ident"),
            Impl("hotloop njit", "hotloop",
                 lambda: _require(_hotloop_jit, "hotloop")(fresh_function(ident)), "ident"),
        ]

    def run(self, opts: Options) -> list:
        calls = self.calls_quick if opts.quick else self.calls_full
        arg = 1.5
        rows, runnable = [], {}
        for impl in self.impls:
            row = Row(self.name, impl.name, impl.family, impl.variant)
            rows.append(row)
            try:
                fn = impl.build()
                out = fn(arg)
                fn(arg)
            except Unavailable as exc:
                row.status, row.detail = "skipped", str(exc)
                continue
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            if not (type(out) is float and out == arg):
                row.status, row.detail = "MISMATCH", f"returned {out!r}, expected {arg!r}"
            runnable[impl.name] = (_call_loop(fn, arg, calls), (), 1, self.samples_per_round)
        runnable["(empty loop)"] = (_call_loop(None, arg, calls), (), 1, self.samples_per_round)
        samples = interleaved(runnable, opts.n_rounds(self.rounds_quick, self.rounds_full),
                              self.budget_quick_s if opts.quick else self.budget_full_s)
        empty = min(samples.pop("(empty loop)")) / calls
        for row in rows:
            s = samples.get(row.impl)
            if s:
                row.samples_s = [t / calls for t in s]
                row.time_s = min(row.samples_s)
                row.extra.update(calls=calls, empty_loop_s=empty,
                                 net_s=row.time_s - empty)
        return rows


def _call_loop(fn, arg, calls):
    if fn is None:
        def loop():
            for _ in itertools.repeat(None, calls):
                pass
    else:
        def loop():
            for _ in itertools.repeat(None, calls):
                fn(arg)
    return loop


register(DispatchWorkload(
    name="dispatch",
    description="call overhead: ident(x) -> x with a float, loop of many calls",
))


# --- hl.evaluate vs numexpr.evaluate vs numpy ------------------------------------------------


def _np_lin(a, b):
    return 2*a + 3*b


def _np_cmp(a, b):
    return a*b - 4.1*a > 2.5*b


def _np_trig(a, b):
    return np.sin(a)**2 + np.cos(b)**2


def _np_where(a, b):
    return np.where(a > 0.5, a, b)


def _np_sumprod(a, b):
    return np.sum(a*b)


# (expression string, label in the table, numpy function, its operand names). The operands are
# a, b (uniform in [0, 1)) and x (= a): the seed's polynomial string is used as written.
EVAL_EXPRESSIONS = [
    ("2*a+3*b", "2*a+3*b", _np_lin, ("a", "b")),
    ("a*b-4.1*a > 2.5*b", "a*b-4.1*a > 2.5*b", _np_cmp, ("a", "b")),
    ("sin(a)**2+cos(b)**2", "sin(a)**2+cos(b)**2", _np_trig, ("a", "b")),
    (POLY_EXPR, "x + x**2 + ... + x**8", f_numpy, ("x",)),
    ("where(a>0.5, a, b)", "where(a>0.5, a, b)", _np_where, ("a", "b")),
    ("sum(a*b)", "sum(a*b)", _np_sumprod, ("a", "b")),
]
EVAL_SIZES_QUICK = (1_000, 100_000, 1_000_000)
EVAL_SIZES_FULL = (1_000, 10_000, 100_000, 1_000_000, 10_000_000)
# The expressions run at n >= 1e7 (all of them: the full run stays around 4 minutes on 2
# cores; numpy's x**3..x**8 there takes ~5 s a call -- drop it here if time gets tight).
EVAL_LARGE = tuple(ex for ex, _, _, _ in EVAL_EXPRESSIONS)
EVAL_FAMILIES = ("hotloop", "numexpr", "numpy")
EVAL_CACHED_EXPR = "2*a+3*b"


def fmt_size(n: int) -> str:
    k = int(round(math.log10(n))) if n > 0 else 0
    return f"1e{k}" if n == 10**k else str(n)


def _hl_evaluate():
    hl = _hotloop()
    if hl is None:
        raise Unavailable(_why("hotloop"))
    return hl.evaluate


def _ne_evaluate():
    ne = _optional("numexpr")
    if ne is None:
        raise Unavailable(_why("numexpr"))
    return ne.evaluate


def _call_loop_args(fn, args, calls):
    def loop():
        for _ in itertools.repeat(None, calls):
            fn(*args)
    return loop


class EvaluateWorkload(Workload):
    """``hl.evaluate`` against ``numexpr.evaluate`` and plain numpy.

    * A grid of expressions x sizes. Each cell is timed on its own, its three implementations
      interleaved (best sample); hotloop and numexpr are checked against numpy. Both
      evaluators get the operands as ``local_dict``, as a caller would pass them.
    * First call of an expression never seen before (compile + run on 10 elements), median
      of repeats, the two evaluators alternating; one throw-away new expression first.
    * Cached call of ``2*a+3*b`` on 10-element arrays: a loop of many calls per sample,
      interleaved, best sample per call.
    """

    def __init__(self, name, description):
        super().__init__(name=name, description=description, unit="per call",
                         reference="numpy", rounds_quick=5, rounds_full=15,
                         budget_quick_s=1.0, budget_full_s=3.0)
        self.sizes = None

    # -- the grid --------------------------------------------------------------------------

    def _cell(self, ex, label, np_fn, argnames, n, env, builders, opts) -> list:
        cell = f"{label} @ n={fmt_size(n)}"
        args = {"hotloop": (ex, env), "numexpr": (ex, env),
                "numpy": tuple(env[k] for k in argnames)}
        rows, ready, expected = [], {}, None
        for fam in EVAL_FAMILIES:
            row = Row(self.name, fam, fam, cell)
            row.extra.update(expr=ex, size=n, kind="grid")
            rows.append(row)
            fn = builders.get(fam)
            if isinstance(fn, Exception):
                row.status, row.detail = ("skipped" if isinstance(fn, Unavailable)
                                          else "ERROR"), str(fn)
                continue
            try:
                t0 = time.perf_counter()
                out = fn(*args[fam])
                row.extra["first_call_s"] = time.perf_counter() - t0
                est = math.inf
                for _ in range(3 if row.extra["first_call_s"] < 0.1 else 1):
                    t0 = time.perf_counter()
                    out = fn(*args[fam])
                    est = min(est, time.perf_counter() - t0)
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            if fam == "numpy":
                expected = out
            ready[fam] = (fn, args[fam], out, est)
        for row in rows:
            if row.impl in ready and row.impl != "numpy" and row.status == "ok":
                if expected is None:
                    row.status, row.detail = "unchecked", "numpy did not run"
                else:
                    row.status, row.detail = check_close(ready[row.impl][2], expected)
        runnable = {f: (fn, a, max(1, int(self.min_sample_s / max(est, 1e-9))),
                        self.samples_per_round)
                    for f, (fn, a, out, est) in ready.items()}
        del ready, expected
        budget = self.budget_quick_s if opts.quick else self.budget_full_s
        samples = interleaved(runnable, opts.n_rounds(self.rounds_quick, self.rounds_full),
                              budget, slot_s=self.slot_s)
        for row in rows:
            s = samples.get(row.impl)
            if s:
                row.samples_s, row.time_s = s, min(s)
                row.extra["calls_per_sample"] = runnable[row.impl][2]
            elif row.impl in samples:
                row.status, row.detail = "ERROR", "every timed call raised"
        return rows

    # -- latencies -------------------------------------------------------------------------

    def _first_calls(self, builders, opts) -> list:
        """Median first-call time of a new expression, hotloop and numexpr alternating."""
        rng = np.random.default_rng()
        a, b = rng.random(10), rng.random(10)
        env = {"a": a, "b": b}
        salt = int(rng.integers(1000, 10000))     # a new process -> new expressions
        counter = itertools.count(1)

        def new_expr():
            k = next(counter)
            c1, c2 = f"{k}.{salt}", f"{k + 1}.5"
            expected = np.sin(a) * float(c1) + b**2 - a*b / float(c2)
            return f"sin(a)*{c1} + b**2 - a*b/{c2}", expected

        rows, live = [], {}
        for fam in ("hotloop", "numexpr"):
            row = Row(self.name, fam, fam, "first call, new expression")
            row.extra["kind"] = "first_call"
            rows.append(row)
            fn = builders.get(fam)
            if isinstance(fn, Exception):
                row.status, row.detail = ("skipped" if isinstance(fn, Unavailable)
                                          else "ERROR"), str(fn)
                continue
            live[fam] = (row, fn)
        repeats = opts.n_rounds(3, 7)
        for rep in range(repeats + 1):      # repeat 0: throw-away, one-time setup
            for fam, (row, fn) in list(live.items()):
                if row.status == "ERROR":
                    continue
                ex, expected = new_expr()
                gc.collect()
                try:
                    t0 = time.perf_counter()
                    out = fn(ex, env)
                    dt = time.perf_counter() - t0
                except Exception as exc:
                    row.status, row.detail = "ERROR", _exc_text(exc, opts)
                    continue
                status, detail = check_close(out, expected)
                if status != "ok" and row.status == "ok":
                    row.status, row.detail = status, f"{ex}: {detail}"
                if rep == 0:
                    row.extra["cold_s"] = dt
                else:
                    row.samples_s.append(dt)
                    row.extra.setdefault("exprs", []).append(ex)
        for row in rows:
            if row.samples_s:
                row.time_s = statistics.median(row.samples_s)
                row.extra["min_s"] = min(row.samples_s)
        return rows

    def _cached_calls(self, builders, opts) -> list:
        a = np.random.default_rng(5).random(10)
        b = np.random.default_rng(6).random(10)
        env = {"a": a, "b": b}
        calls = 2_000 if opts.quick else 5_000
        rows, runnable = [], {}
        expected = _np_lin(a, b)
        for fam in EVAL_FAMILIES:
            row = Row(self.name, fam, fam, f"cached call {EVAL_CACHED_EXPR}, n=10")
            row.extra["kind"] = "cached_call"
            rows.append(row)
            fn = builders.get(fam)
            if isinstance(fn, Exception):
                row.status, row.detail = ("skipped" if isinstance(fn, Unavailable)
                                          else "ERROR"), str(fn)
                continue
            args = (a, b) if fam == "numpy" else (EVAL_CACHED_EXPR, env)
            try:
                out = fn(*args)
                fn(*args)
            except Exception as exc:
                row.status, row.detail = "ERROR", _exc_text(exc, opts)
                continue
            row.status, row.detail = check_close(out, expected)
            runnable[fam] = (_call_loop_args(fn, args, calls), (), 1, 5)
        samples = interleaved(runnable, opts.n_rounds(10, 30),
                              self.budget_quick_s * 3 if opts.quick else self.budget_full_s * 3)
        for row in rows:
            s = samples.get(row.impl)
            if s:
                row.samples_s = [t / calls for t in s]
                row.time_s = min(row.samples_s)
                row.extra["calls"] = calls
        return rows

    def run(self, opts: Options) -> list:
        builders = {}           # family -> evaluate function, or the exception building it
        for fam, get in (("hotloop", _hl_evaluate), ("numexpr", _ne_evaluate)):
            try:
                builders[fam] = get()
            except Exception as exc:
                builders[fam] = exc
        sizes = ((opts.size,) if opts.size else
                 EVAL_SIZES_QUICK if opts.quick else EVAL_SIZES_FULL)
        self.sizes = sizes
        rows = []
        for n in sizes:
            rng = np.random.default_rng(n)
            a, b = rng.random(n), rng.random(n)
            env = {"a": a, "b": b, "x": a}
            for ex, label, np_fn, argnames in EVAL_EXPRESSIONS:
                if n >= 10_000_000 and not opts.size and ex not in EVAL_LARGE:
                    continue
                cell_builders = dict(builders, numpy=np_fn)
                rows += self._cell(ex, label, np_fn, argnames, n, env, cell_builders, opts)
            del a, b, env
        rows += self._first_calls(builders, opts)
        rows += self._cached_calls(dict(builders, numpy=_np_lin), opts)
        return rows

    # -- ratios and table ------------------------------------------------------------------

    def compute_ratios(self, rows: list) -> None:
        groups = {}
        for r in rows:
            groups.setdefault(r.variant, {})[r.impl] = r
        for g in groups.values():
            np_row, ne_row = g.get("numpy"), g.get("numexpr")
            for r in g.values():
                if not r.timed:
                    continue
                if np_row is not None and np_row.timed:
                    r.vs_numpy = r.time_s / np_row.time_s
                if ne_row is not None and ne_row.timed:
                    r.extra["vs_numexpr"] = r.time_s / ne_row.time_s

    def table_lines(self, rows: list) -> list:
        ne = _optional("numexpr")
        threads = ""
        if ne is not None:
            try:
                threads = f", numexpr on {ne.get_num_threads()} threads"
            except Exception:
                pass
        cells, order = {}, []
        for r in rows:
            if r.extra.get("kind") != "grid":
                continue
            key = (r.extra["expr"], r.extra["size"])
            if key not in cells:
                cells[key] = {}
                order.append(key)
            cells[key][r.impl] = r
        labels = {ex: label for ex, label, _, _ in EVAL_EXPRESSIONS}
        header = ("expression", "n", "hotloop", "numexpr", "numpy", "hotloop/numexpr",
                  "hotloop/numpy", "check")
        lines, prev = [], None
        for ex, _, _, _ in EVAL_EXPRESSIONS:
            keys = [k for k in order if k[0] == ex]
            if keys and lines:
                lines.append(None)
            for key in keys:
                g = cells[key]
                hl_row = g.get("hotloop")
                bad = [f"{f} {g[f].status}" for f in EVAL_FAMILIES
                       if f in g and g[f].status not in ("ok", "skipped")]
                check = f"!! {', '.join(bad)} !!" if bad else (
                    "ok" if all(g[f].status == "ok" for f in g) else "partly skipped")
                lines.append((labels.get(ex, ex) if key[0] != prev else "",
                              fmt_size(key[1]),
                              *(fmt_time(g[f].time_s) if f in g else "-"
                                for f in EVAL_FAMILIES),
                              fmt_ratio(hl_row.extra.get("vs_numexpr") if hl_row else None),
                              fmt_ratio(hl_row.vs_numpy if hl_row else None),
                              check))
                prev = key[0]
        out = [f"evaluate: hl.evaluate vs numexpr.evaluate vs numpy, best time per call "
               f"(arrays of n float64{threads})", ""]
        out += _format_table(header, lines, left={0, 7})
        # Latencies.
        lat = {}
        for r in rows:
            if r.extra.get("kind") in ("first_call", "cached_call"):
                lat.setdefault(r.variant, {})[r.impl] = r
        if lat:
            out.append("")
            header = ("latency (10-element arrays)", "hotloop", "numexpr", "numpy",
                      "hotloop/numexpr", "check")
            lines = []
            for what, g in lat.items():
                hl_row = g.get("hotloop")
                n = len(hl_row.samples_s) if hl_row is not None else 0
                if what.startswith("first call"):
                    what += f" (median of {n})" if n else ""
                else:
                    what += " (best)"
                bad = [f"{f} {r.status}" for f, r in g.items()
                       if r.status not in ("ok", "skipped")]
                check = f"!! {', '.join(bad)} !!" if bad else (
                    "ok" if all(r.status == "ok" for r in g.values()) else "partly skipped")
                lines.append((what, *(fmt_time(g[f].time_s) if f in g else "-"
                                      for f in EVAL_FAMILIES),
                              fmt_ratio(hl_row.extra.get("vs_numexpr") if hl_row else None),
                              check))
            out += _format_table(header, lines, left={0, 5})
        return out


def _format_table(header, lines, left) -> list:
    """Rows of cells -> text lines; ``None`` in ``lines`` is a blank line."""
    widths = [max(len(h), *(len(l[i]) for l in lines if l)) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(l) if l else "" for l in lines]
    return out


register(EvaluateWorkload(
    name="evaluate",
    description="hl.evaluate vs numexpr.evaluate vs numpy: expressions x sizes, first call of "
                "a new expression, cached call on 10 elements",
))


# --- The parallel group: parallel=True with prange, parallel array expressions,
# vectorize(target="parallel"), hl.evaluate and numexpr on threads, against Numba's
# parallel=True and the same bytes copied by all threads.
#
# The prange loops below call the module-level name ``prange``: each JIT gets its own copy of
# the function whose globals hold np and its own prange (numba.prange, hl.prange; see
# _parallel_jitted). Called as they are here, prange is range and they run serially.

prange = range


def poly_prange(x):
    y = np.empty_like(x)
    for i in prange(x.shape[0]):
        v = x[i]
        y[i] = v + v**2 + v**3 + v**4 + v**5 + v**6 + v**7 + v**8
    return y


def poly_scalar(v):
    return v + v**2 + v**3 + v**4 + v**5 + v**6 + v**7 + v**8


def f_hl_evaluate(x):
    return _hotloop().evaluate("x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8")


def copy_prange(x):
    y = np.empty_like(x)
    for i in prange(x.shape[0]):
        y[i] = x[i]
    return y


def copy_grid_prange(f, dx, dy):
    """The Laplacian's input grid copied (dx, dy: the Laplacian's arguments, unused)."""
    y = np.empty_like(f)
    for i in prange(f.shape[0]):
        for j in range(f.shape[1]):
            y[i, j] = f[i, j]
    return y


def copy_grid_numpy(f, dx, dy):
    return np.copy(f)


# The "Writing Faster Python" contest: the sum of 0 .. n-1 with n = 2e9.

def contest_sum_prange(n):
    s = 0
    for i in prange(n):
        s += i
    return s


def contest_sum_range(n):
    s = 0
    for i in range(n):
        s += i
    return s


# The fork-join of a parallel region with (almost) nothing to do: one iteration per thread.

def fork_join_prange(n):
    out = np.empty(n, np.int64)
    for i in prange(n):
        out[i] = i
    return out


def fork_join_range(n):
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = i
    return out


def fork_join_numpy(n):
    return np.arange(n, dtype=np.int64)


def _prange_of(name):
    """numba.prange or hl.prange (``name`` is "numba" or "hotloop")."""
    mod = _optional("numba") if name == "numba" else _hotloop()
    if mod is None:
        raise Unavailable(_why(name))
    return mod.prange


def _parallel_jitted(getter, name, fn, parallel=True):
    """build() for ``njit(parallel=parallel)`` of ``fn`` rebound to {"np": np, "prange": the
    JIT's prange} (a new function object: each JIT, and each option, sees it for the first
    time)."""
    def build():
        jit = _require(getter, name)
        return jit(parallel=parallel)(_rebind(fn, {"np": np, "prange": _prange_of(name)}))
    return build


def _vectorize_build(name):
    """build() for ``vectorize(["float64(float64)"], target="parallel")(poly_scalar)``."""
    def build():
        if name == "numba":
            mod = _optional("numba")
            if mod is None:
                raise Unavailable(_why("numba"))
        else:
            mod = _hotloop()
            if mod is None:
                raise Unavailable(_why("hotloop"))
        vectorize = getattr(mod, "vectorize", None)
        if vectorize is None:
            raise Unavailable(f"{name} has no vectorize")
        return vectorize(["float64(float64)"], target="parallel")(fresh_function(poly_scalar))
    return build


def _hl_evaluate_build():
    if _hotloop() is None:
        raise Unavailable(_why("hotloop"))
    return f_hl_evaluate


def _min_chunk_work_1(build):
    """build() for the callable ``build()`` gives, wrapped so that each call runs with
    ``hl._core._set_min_chunk_work(1)`` (the runtime then splits even a 2-iteration loop
    across the threads) and restores the default (0) after it. The two settings are part of
    the time (well under a microsecond)."""
    def wrapped_build():
        fn = build()
        core = _hotloop()._core

        def call(*args):
            core._set_min_chunk_work(1)
            try:
                return fn(*args)
            finally:
                core._set_min_chunk_work(0)
        return call
    return wrapped_build


def _copy_check(out, expected, args):
    """A copy: the result must equal the input, args[0]."""
    return check_close(out, args[0])


def _contest_check(out, expected, args):
    """The exact integer sum n*(n-1)//2 (rtol would let 2e18 be off by 2e9)."""
    n = args[0]
    want = n * (n - 1) // 2
    if not isinstance(out, (int, np.integer)) or isinstance(out, bool):
        return "MISMATCH", f"returned {type(out).__name__} {out!r}, expected the int {want}"
    if int(out) != want:
        return "MISMATCH", f"returned {int(out)}, expected {want}"
    return "ok", ""


def _thread_counts() -> dict:
    """{"hotloop": n, "numba": n, "numexpr": n} for the peers that are there."""
    counts = {}
    hl = _hotloop()
    if hl is not None:
        counts["hotloop"] = hl.get_num_threads()
    for name in ("numba", "numexpr"):
        mod = _optional(name)
        if mod is not None:
            try:
                counts[name] = mod.get_num_threads()
            except Exception:
                pass
    return counts


class ParallelWorkload(Workload):
    """A workload of the parallel group: timed like any other, shown in a table of its own
    (all the group's workloads together) with a "vs copy" column -- time / the time of
    ``copy_baseline``, the same bytes copied by all threads -- and the thread counts."""

    def __init__(self, *args, copy_baseline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.copy_baseline = copy_baseline

    def run(self, opts: Options) -> list:
        rows = super().run(opts)
        threads = _thread_counts()
        for r in rows:
            if r.family in threads:
                r.extra["threads"] = threads[r.family]
        return rows

    def compute_ratios(self, rows: list) -> None:
        _generic_ratios(self, rows)
        base = next((r for r in rows if r.impl == self.copy_baseline and r.timed), None)
        for r in rows:
            if base is not None and r.timed:
                r.extra["vs_copy"] = r.time_s / base.time_s

    def table_lines(self, rows: list) -> Optional[list]:
        return parallel_table_lines([(self, rows)])


def _numba_threading_layer() -> Optional[str]:
    nb = _optional("numba")
    try:
        return nb.threading_layer() if nb is not None else None
    except Exception:       # no parallel function has run yet
        return None


def parallel_table_lines(members: list) -> list:
    """One table for the parallel group's workloads (``[(workload, rows)]``)."""
    threads = _thread_counts()
    layer = _numba_threading_layer()
    said = []
    for name in ("hotloop", "numba", "numexpr"):
        if name in threads:
            said.append(f"{name} on {threads[name]} threads"
                        + (f" ({layer})" if name == "numba" and layer else ""))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    out = [f"parallel: {', '.join(said) or 'no threads'}; {cores} cores usable", ""]
    header = ("workload", "implementation", "best time", "vs numpy", "vs numba", "vs copy",
              "check")
    lines = []
    for wl, rows in members:
        for r in rows:
            if r.extra.get("untimed") and r.status == "ok":
                check = "ok (not timed)"
            elif r.status in ("skipped", "ok", "unchecked"):
                check = r.status
            else:
                check = f"!! {r.status} !!"
            lines.append((wl.name, r.impl, fmt_time(r.time_s), fmt_ratio(r.vs_numpy),
                          fmt_ratio(r.vs_numba), fmt_ratio(r.extra.get("vs_copy")), check))
        lines.append(None)
    out += _format_table(header, lines[:-1], left={0, 1, 6})
    out += ["", "vs copy: time / the time of the same bytes copied by a hotloop prange loop on "
            "all threads (the row 'copy (hotloop prange, all threads)')."]
    return out


def _poly_parallel_impls():
    nb, hl = (_numba_jit, "numba"), (_hotloop_jit, "hotloop")
    return [
        Impl("numpy f_numpy", "numpy", lambda: f_numpy),
        Impl("numexpr evaluate", "numexpr", _peer(f_numexpr, "numexpr")),
        Impl("hotloop evaluate", "hotloop", _hl_evaluate_build),
        Impl("numba njit(parallel) f_numpy", "numba", _parallel_jitted(*nb, f_numpy),
             "array expression"),
        Impl("hotloop njit(parallel) f_numpy", "hotloop", _parallel_jitted(*hl, f_numpy),
             "array expression"),
        Impl("numba njit(parallel) prange loop", "numba", _parallel_jitted(*nb, poly_prange),
             "prange"),
        Impl("hotloop njit(parallel) prange loop", "hotloop",
             _parallel_jitted(*hl, poly_prange), "prange"),
        Impl("numba vectorize(parallel)", "numba", _vectorize_build("numba"), "vectorize"),
        Impl("hotloop vectorize(parallel)", "hotloop", _vectorize_build("hotloop"),
             "vectorize"),
        Impl("copy (hotloop prange, all threads)", "hotloop", _parallel_jitted(*hl, copy_prange),
             "copy", check=_copy_check),
        Impl("copy (numpy, 1 thread)", "numpy", lambda: np.copy, "copy", check=_copy_check),
    ]


POLY_PARALLEL_DESCRIPTION = (
    "x + x**2 + ... + x**8 on {} float64 with all threads: numexpr and hl.evaluate, "
    "njit(parallel=True) of f_numpy and of a prange loop, vectorize(target='parallel'), "
    "against a copy of the same bytes (seed 000{})")

register(ParallelWorkload(
    name="poly-parallel-1M",
    description=POLY_PARALLEL_DESCRIPTION.format("1M", ""),
    setup=_poly_setup,
    size=1_000_000,
    reference="numpy f_numpy",
    numba_baseline="numba njit(parallel) prange loop",
    copy_baseline="copy (hotloop prange, all threads)",
    rounds_quick=6,
    rounds_full=30,
    budget_quick_s=4.0,
    budget_full_s=30.0,
    impls=_poly_parallel_impls(),
))

register(ParallelWorkload(
    name="poly-parallel-10M",
    description=POLY_PARALLEL_DESCRIPTION.format(
        "10M", "; numpy's ~5 s call is not timed with --quick"),
    setup=_poly_setup,
    size=10_000_000,
    reference="numpy f_numpy",
    numba_baseline="numba njit(parallel) prange loop",
    copy_baseline="copy (hotloop prange, all threads)",
    untimed_quick=("numpy f_numpy",),
    rounds_quick=5,
    rounds_full=20,
    budget_quick_s=5.0,
    budget_full_s=40.0,
    impls=_poly_parallel_impls(),
))


def _laplacian_parallel_setup(size):
    """A random field on an n x n grid with n*n ~= size (2000 x 2000 by default)."""
    return _laplacian_setup(size)


register(ParallelWorkload(
    name="laplacian-parallel",
    description="laplacian_numpy(f, dx, dy) with slices under njit(parallel=True) on a "
                "2000x2000 float64 grid, against a copy of the grid (seed 002)",
    setup=_laplacian_parallel_setup,
    size=2000 * 2000,
    reference="numpy",
    numba_baseline="numba njit(parallel)",
    copy_baseline="copy (hotloop prange, all threads)",
    atol=1e-6,      # as in "laplacian": terms ~3e4 that may cancel
    rounds_quick=6,
    rounds_full=30,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=[
        Impl("numpy", "numpy", lambda: laplacian_numpy),
        Impl("numba njit(parallel)", "numba",
             _parallel_jitted(_numba_jit, "numba", laplacian_numpy), "parallel"),
        Impl("hotloop njit(parallel)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", laplacian_numpy), "parallel"),
        Impl("numba njit (serial)", "numba",
             _parallel_jitted(_numba_jit, "numba", laplacian_numpy, parallel=False),
             "serial"),
        Impl("hotloop njit (serial)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", laplacian_numpy, parallel=False),
             "serial"),
        Impl("copy (hotloop prange, all threads)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", copy_grid_prange), "copy",
             check=_copy_check),
        Impl("copy (numpy, 1 thread)", "numpy", lambda: copy_grid_numpy, "copy",
             check=_copy_check),
    ],
))


def fused_chain(f, dx, dy):
    """Three array statements over one shape: fused into one loop by hotloop and Numba."""
    g = f * dx + dy
    h = g * g - f
    return h * 0.5 + g


def laplacian_in_place(grid, out):
    """The seed's in-place Laplacian ("High Performance Python", Example 6-14), returning out."""
    np.copyto(out, grid)
    out *= -4
    out += np.roll(grid, +1, 0)
    out += np.roll(grid, -1, 0)
    out += np.roll(grid, +1, 1)
    out += np.roll(grid, -1, 1)
    return out


def _in_place_setup(size):
    """grid and out on an n x n grid with n*n ~= size."""
    f = _laplacian_setup(size)[0]
    return (f, np.empty_like(f))


def _numba_or_skip(build, probe):
    """build() of a Numba row that is skipped, with Numba's reason, if Numba rejects the code."""
    return lambda: _numba_compiled_or_skip(build(), probe())


def _fusion_impls(fn, probe):
    return [
        Impl("numpy", "numpy", lambda: fn),
        Impl("numba njit(parallel)", "numba",
             _numba_or_skip(_parallel_jitted(_numba_jit, "numba", fn), probe), "parallel"),
        Impl("hotloop njit(parallel)", "hotloop", _parallel_jitted(_hotloop_jit, "hotloop", fn),
             "parallel"),
        Impl("numba njit (serial)", "numba",
             _numba_or_skip(_parallel_jitted(_numba_jit, "numba", fn, parallel=False), probe),
             "serial"),
        Impl("hotloop njit (serial)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", fn, parallel=False), "serial"),
    ]


register(ParallelWorkload(
    name="fusion-chain",
    description="g = f*dx + dy; h = g*g - f; return h*0.5 + g on a 2000x2000 float64 grid: "
                "adjacent array statements fused into one (parallel) loop",
    setup=_laplacian_parallel_setup,
    size=2000 * 2000,
    reference="numpy",
    numba_baseline="numba njit(parallel)",
    copy_baseline="copy (hotloop prange, all threads)",
    rounds_quick=6,
    rounds_full=30,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=_fusion_impls(fused_chain, lambda: _laplacian_parallel_setup(16)) + [
        Impl("copy (hotloop prange, all threads)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", copy_grid_prange), "copy",
             check=_copy_check),
    ],
))

register(ParallelWorkload(
    name="laplacian-in-place",
    description="the seed's in-place Laplacian (np.copyto, then out *= -4 and four "
                "out += np.roll(grid, +-1, axis)) on a 2000x2000 float64 grid: six "
                "statements fused into one loop (seed 001, Example 6-14)",
    setup=_in_place_setup,
    size=2000 * 2000,
    reference="numpy",
    numba_baseline="numba njit(parallel)",
    atol=1e-12,
    writes_args=(1,),
    rounds_quick=6,
    rounds_full=30,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=_fusion_impls(laplacian_in_place, lambda: _in_place_setup(16)),
))


CONTEST_N = 2_000_000_000

register(ParallelWorkload(
    name="contest-sum",
    description="the 'Writing Faster Python' contest: s += i for i in prange(n) / range(n), "
                "n = 2e9, must return exactly n*(n-1)//2 (plain Python is not run)",
    setup=lambda size: (int(size),),
    size=CONTEST_N,
    reference="exact n*(n-1)//2",
    numba_baseline="numba njit(parallel) prange",
    untimed=("exact n*(n-1)//2",),
    rounds_quick=4,
    rounds_full=20,
    budget_quick_s=3.0,
    budget_full_s=20.0,
    impls=[
        Impl("exact n*(n-1)//2", "python", lambda: lambda n: n * (n - 1) // 2),
        Impl("numba njit(parallel) prange", "numba",
             _parallel_jitted(_numba_jit, "numba", contest_sum_prange), "prange",
             check=_contest_check),
        Impl("hotloop njit(parallel) prange", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", contest_sum_prange), "prange",
             check=_contest_check),
        Impl("numba njit range", "numba",
             _parallel_jitted(_numba_jit, "numba", contest_sum_range, parallel=False),
             "range", check=_contest_check),
        Impl("hotloop njit range", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", contest_sum_range, parallel=False),
             "range", check=_contest_check),
    ],
))


def _overhead_setup(size):
    """n: one iteration per thread (the most threads any JIT here uses), unless --size."""
    return (int(size) if size else max([2, *_thread_counts().values()]),)


register(ParallelWorkload(
    name="parallel-overhead",
    description="fork-join of a parallel region: out[i] = i for i in prange(n), n = the "
                "number of threads, against the same loop with range (hotloop splits a loop "
                "only past ~16384 units of work: one row forces the split)",
    setup=_overhead_setup,
    size=0,         # 0: the number of threads (see _overhead_setup)
    reference="numpy arange",
    numba_baseline="numba njit(parallel) prange",
    rounds_quick=10,
    rounds_full=40,
    budget_quick_s=2.0,
    budget_full_s=10.0,
    impls=[
        Impl("numpy arange", "numpy", lambda: fork_join_numpy),
        Impl("numba njit(parallel) prange", "numba",
             _parallel_jitted(_numba_jit, "numba", fork_join_prange), "prange"),
        Impl("hotloop njit(parallel) prange, split (min chunk work 1)", "hotloop",
             _min_chunk_work_1(_parallel_jitted(_hotloop_jit, "hotloop", fork_join_prange)),
             "prange"),
        Impl("hotloop njit(parallel) prange (runs serially: too little work)", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", fork_join_prange), "prange serial"),
        Impl("numba njit range", "numba",
             _parallel_jitted(_numba_jit, "numba", fork_join_range, parallel=False), "range"),
        Impl("hotloop njit range", "hotloop",
             _parallel_jitted(_hotloop_jit, "hotloop", fork_join_range, parallel=False),
             "range"),
    ],
))


# --------------------------------------------------------------------------------------------
# Ratios, table, expectations
# --------------------------------------------------------------------------------------------


def compute_ratios(workload: Workload, rows: list) -> None:
    hook = getattr(workload, "compute_ratios", None)
    if hook is not None:
        hook(rows)
    else:
        _generic_ratios(workload, rows)


def _generic_ratios(workload: Workload, rows: list) -> None:
    by_name = {r.impl: r for r in rows if r.timed}
    ref = by_name.get(workload.reference) if workload.reference else None
    numba_rows = {r.variant: r for r in rows if r.family == "numba" and r.timed}
    default_nb = by_name.get(workload.numba_baseline) if workload.numba_baseline else None
    if default_nb is None and numba_rows:
        default_nb = min(numba_rows.values(), key=lambda r: r.time_s)
    for r in rows:
        if not r.timed:
            continue
        if ref is not None and ref.family == "numpy":
            r.vs_numpy = r.time_s / ref.time_s
        nb = numba_rows.get(r.variant) if r.variant is not None else None
        nb = nb or default_nb
        if nb is not None:
            r.vs_numba = r.time_s / nb.time_s


def fmt_time(t: Optional[float]) -> str:
    if t is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(t) >= scale or unit == "ns":
            v = t / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return "-"


def fmt_ratio(r: Optional[float]) -> str:
    if r is None:
        return "-"
    if r >= 100:
        return f"{r:.0f}"
    if r >= 1:
        return f"{r:.2f}"
    return f"{r:.3f}" if r >= 0.1 else f"{r:.3g}"


def print_table(results: list, out=sys.stdout) -> None:
    """The main table (one group of rows per workload), then the parallel group's table and
    the workloads' own tables (evaluate), then what was skipped and what went wrong."""
    header = ("workload", "implementation", "best time", "vs numpy", "vs numba", "check")
    lines, own, parallel = [], [], []
    for wl, rows in results:
        if isinstance(wl, ParallelWorkload):     # one table for the whole group, below
            parallel.append((wl, rows))
            continue
        table = wl.table_lines(rows) if hasattr(wl, "table_lines") else None
        if table is not None:
            own.append(table)
            continue
        for r in rows:
            if r.status in ("skipped", "ok", "unchecked"):
                check = r.status
            else:
                check = f"!! {r.status} !!"
            lines.append((wl.name, r.impl, fmt_time(r.time_s), fmt_ratio(r.vs_numpy),
                          fmt_ratio(r.vs_numba), check))
        lines.append(None)
    if lines:
        for l in _format_table(header, lines[:-1], left={0, 1, 5}):
            print(l, file=out)
        print("\nratios are time / baseline time (below 1 is faster); 'vs numba' compares with "
              "the numba row of the same algorithm.", file=out)
    if parallel:
        own.insert(0, parallel_table_lines(parallel))
    for table in own:
        print("", file=out)
        for l in table:
            print(l, file=out)
    skipped, problems = {}, []
    for wl, rows in results:
        for r in rows:
            if r.status == "skipped":
                where = skipped.setdefault(r.detail, [])
                if f"{wl.name}/{r.impl}" not in where:
                    where.append(f"{wl.name}/{r.impl}")
            elif r.status not in ("ok",):
                detail = r.detail.replace("\n", "\n     ")
                cell = f" [{r.variant}]" if r.extra.get("kind") else ""
                problems.append(f"!! {r.status} in {wl.name} / {r.impl}{cell}: {detail}")
    if skipped or problems:
        print("", file=out)
    for why, where in skipped.items():
        print(f"   skipped {', '.join(where)}: {why}", file=out)
    for p in problems:
        print(p, file=out)
    for wl, rows in results:
        for r in rows:
            if r.extra.get("note"):
                print(f"   note on {wl.name} / {r.impl}: {r.extra['note']}", file=out)


def _find(results, workload, impl):
    for wl, rows in results:
        if wl.name == workload:
            for r in rows:
                if r.impl == impl:
                    return r
    return None


# (workload, hotloop row, numba row, label) for the "<= numba" expectations.
SEED_PROGRAMS_VS_NUMBA = [
    ("fractal", "hotloop njit(make_fractal_nb)", "numba njit(make_fractal_nb)",
     "make_fractal_nb"),
    ("mcmc", "hotloop njit", "numba njit", "sampler"),
    ("diffusion", "hotloop njit", "numba njit", "evolve (np.roll)"),
    ("stencil", "hotloop stencil", "numba njit(stencil)", "@stencil Laplacian"),
    ("stencil", "hotloop stencil(parallel)", "numba njit(parallel)(stencil)",
     "@stencil Laplacian, parallel"),
    ("second-derivative", "hotloop njit(loop)", "numba njit(loop)", "loop"),
    ("second-derivative", "hotloop njit(slices)", "numba njit(slices)", "slices"),
]


# (hotloop row, label) of the parallel polynomial workloads: the rows paired with a numba row,
# and every hotloop form of the polynomial (for "vs copy").
PARALLEL_POLY_VS_NUMBA = [("hotloop njit(parallel) f_numpy", "f_numpy"),
                          ("hotloop njit(parallel) prange loop", "prange"),
                          ("hotloop vectorize(parallel)", "vectorize")]
PARALLEL_POLY_HOTLOOP = [("hotloop evaluate", "evaluate"), *PARALLEL_POLY_VS_NUMBA]


def _worst_row(results, workload, impls, value_of):
    """(row, value, label) of the worst of ``impls`` ([(impl, label)]) in ``workload``: a row
    that failed (ERROR, MISMATCH) first, else the highest ``value_of(row)`` among the rows that
    ran; skipped rows count only when nothing else is there."""
    found = [(r, label) for impl, label in impls
             for r in [_find(results, workload, impl)] if r is not None]
    bad = [(r, label) for r, label in found if r.status not in ("ok", "skipped")]
    if bad:
        return bad[0][0], value_of(bad[0][0]), bad[0][1]
    ran = [(r, label) for r, label in found if r.status == "ok" and value_of(r) is not None]
    if ran:
        r, label = max(ran, key=lambda p: value_of(p[0]))
        return r, value_of(r), label
    if found:
        r, label = found[0]
        if r.status == "ok":        # ran, but nothing to compare with (no numba row, no copy)
            r = Row(workload, r.impl, r.family, status="skipped")
        return r, None, label
    return None, None, ""


def expectations(results: list) -> list:
    """[{"what", "value", "target", "verdict"}] for the project's headline goals."""
    out = []

    def add(what, row, value, target, ok_fn, fmt):
        if row is None:
            verdict, shown = "n/a", "not run"
        elif row.status == "skipped":
            verdict, shown = "n/a", "skipped"
        elif row.status != "ok" or value is None:
            verdict, shown = "MISS", row.status
            if value is not None:
                shown += f" ({fmt(value)})"
        else:
            verdict, shown = ("PASS" if ok_fn(value) else "MISS"), fmt(value)
        out.append({"what": what, "value": value, "shown": shown, "target": target,
                    "verdict": verdict})

    for impl, label in (("hotloop njit loop", "loop"), ("hotloop njit horner", "horner loop")):
        r = _find(results, "poly", impl)
        add(f"poly: hotloop {label} / numba {label}", r, r.vs_numba if r else None,
            "<= 1.0", lambda v: v <= 1.0, fmt_ratio)
    r = _find(results, "compile", "hotloop njit")
    add("compile: hotloop f_simple compile time", r, r.time_s if r else None, "< 50 ms",
        lambda v: v < 0.050, fmt_time)
    r = _find(results, "dispatch", "hotloop njit")
    add("dispatch: hotloop / numba per-call time", r, r.vs_numba if r else None, "<= 1.0",
        lambda v: v <= 1.0, fmt_ratio)

    r = _find(results, "poly-array", "hotloop njit(f_numpy)")
    add("poly-array: hotloop njit(f_numpy) / numpy f_numpy", r, r.vs_numpy if r else None,
        "<= 0.2", lambda v: v <= 0.2, fmt_ratio)
    add("poly-array: hotloop njit(f_numpy) / numba njit(f_numpy)", r,
        r.vs_numba if r else None, "<= 1.0", lambda v: v <= 1.0, fmt_ratio)

    # The seeds' other programs, hotloop against Numba on the same code ("n/a" where Numba
    # cannot compile it: np.roll with an axis).
    for wl_name, hl_impl, nb_impl, label in SEED_PROGRAMS_VS_NUMBA:
        r = _find(results, wl_name, hl_impl)
        nb = _find(results, wl_name, nb_impl)
        what = f"{wl_name}: hotloop / numba {label}"
        if r is not None and r.status == "ok" and nb is not None and not nb.timed:
            out.append({"what": what, "value": None, "shown": f"numba {nb.status}",
                        "target": "<= 1.0", "verdict": "n/a"})
            continue
        add(what, r, r.vs_numba if r else None, "<= 1.0", lambda v: v <= 1.0, fmt_ratio)

    # The parallel group: hotloop at or below Numba's parallel versions of the same code, and
    # the polynomial within 1.3x of the same bytes copied by all threads.
    for wl_name in ("poly-parallel-1M", "poly-parallel-10M"):
        row, value, label = _worst_row(results, wl_name, PARALLEL_POLY_VS_NUMBA,
                                       lambda r: r.vs_numba)
        add(f"{wl_name}: hotloop / numba, worst of f_numpy, prange, vectorize", row, value,
            "<= 1.0", lambda v: v <= 1.0, lambda v, w=label: f"{fmt_ratio(v)} ({w})")
        row, value, label = _worst_row(results, wl_name, PARALLEL_POLY_HOTLOOP,
                                       lambda r: r.extra.get("vs_copy"))
        add(f"{wl_name}: hotloop polynomial / copy (all threads), worst form", row, value,
            "<= 1.3", lambda v: v <= 1.3, lambda v, w=label: f"{fmt_ratio(v)} ({w})")
    for wl_name, impl in (("laplacian-parallel", "hotloop njit(parallel)"),
                          ("contest-sum", "hotloop njit(parallel) prange"),
                          ("parallel-overhead",
                           "hotloop njit(parallel) prange, split (min chunk work 1)")):
        r, value, _ = _worst_row(results, wl_name, [(impl, "")], lambda r: r.vs_numba)
        add(f"{wl_name}: hotloop / numba parallel=True", r, value, "<= 1.0",
            lambda v: v <= 1.0, fmt_ratio)

    ev_rows = next((rows for wl, rows in results if wl.name == "evaluate"), None)
    grid = [r for r in ev_rows or () if r.impl == "hotloop" and r.extra.get("kind") == "grid"]
    labels = {ex: label for ex, label, _, _ in EVAL_EXPRESSIONS}
    sizes = sorted({r.extra["size"] for r in grid})
    for n in sizes:
        at_n = [r for r in grid if r.extra["size"] == n]
        bad = [r for r in at_n if r.status not in ("ok", "skipped")]
        timed = [r for r in at_n if r.status == "ok" and "vs_numexpr" in r.extra]
        worst = bad[0] if bad else (max(timed, key=lambda r: r.extra["vs_numexpr"])
                                    if timed else (at_n[0] if at_n else None))
        value = worst.extra.get("vs_numexpr") if worst is not None else None
        if worst is not None and worst.status == "ok" and value is None:
            worst = Row("evaluate", "hotloop", "hotloop", status="skipped")  # no numexpr
        what = f"evaluate n={fmt_size(n)}: hotloop / numexpr, worst expression"
        add(what, worst, value, "<= 1.0", lambda v: v <= 1.0,
            lambda v, w=worst: f"{fmt_ratio(v)} ({labels.get(w.extra.get('expr'), '?')})")
    if not sizes:
        add("evaluate: hotloop / numexpr, worst expression", None, None, "<= 1.0",
            lambda v: v <= 1.0, fmt_ratio)
    first = next((r for r in ev_rows or () if r.impl == "hotloop"
                  and r.extra.get("kind") == "first_call"), None)
    add("evaluate: first call of a new expression (median)", first,
        first.time_s if first else None, "< 20 ms", lambda v: v < 0.020, fmt_time)
    cached = next((r for r in ev_rows or () if r.impl == "hotloop"
                   and r.extra.get("kind") == "cached_call"), None)
    add(f"evaluate: cached call {EVAL_CACHED_EXPR}, 10 elements", cached,
        cached.time_s if cached else None, "< 5 us", lambda v: v < 5e-6, fmt_time)
    return out


def print_expectations(exps: list, out=sys.stdout) -> None:
    print("\nexpectations", file=out)
    w = max(len(e["what"]) for e in exps)
    v = max(len(e["shown"]) for e in exps)
    for e in exps:
        print(f"  {e['what'].ljust(w)}  {e['shown'].rjust(v)}  target {e['target']:<8} "
              f"{e['verdict']}", file=out)


# --------------------------------------------------------------------------------------------
# Machine information, JSON, plot
# --------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_name() -> str:
    """The CPU's model name, with LLVM's name for it when hotloop is there."""
    name = _cpu_model()
    hl = _hotloop()
    if hl is not None:
        try:
            llvm_name = hl._core.host_info()["cpu"]
            if llvm_name and llvm_name not in name:
                name = f"{name} ({llvm_name})"
        except Exception:
            pass
    return name


def machine_info() -> dict:
    info = {
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["cores_usable"] = len(os.sched_getaffinity(0))
    versions = {"numpy": np.__version__}
    for name in ("numba", "llvmlite", "numexpr", "matplotlib"):
        mod = _optional(name)
        versions[name] = getattr(mod, "__version__", None) if mod is not None else None
    hl = _hotloop()
    versions["hotloop"] = None
    if hl is not None:
        versions["hotloop"] = getattr(hl, "__version__", None)
        try:
            hi = dict(hl._core.host_info())
            info["host_info"] = hi
            versions["hotloop"] = versions["hotloop"] or hi.get("hotloop_version")
            versions["hotloop_llvm"] = hi.get("llvm_version")
        except Exception as exc:
            info["host_info_error"] = f"{type(exc).__name__}: {exc}"
    else:
        info["hotloop_unavailable"] = _why("hotloop")
    ne = _optional("numexpr")
    if ne is not None:
        try:
            info["numexpr_threads"] = ne.get_num_threads()
        except Exception:
            pass
    try:
        info["threads"] = _thread_counts()   # what the parallel group's rows run on
    except Exception as exc:
        info["threads_error"] = f"{type(exc).__name__}: {exc}"
    info["versions"] = versions
    return info


def _jsonable(obj):
    """obj as plain JSON data: unknown objects become repr(), inf/nan become None."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "__dict__"):
        return _jsonable(vars(obj))
    return repr(obj)


def write_json(path: str, results, exps, machine, opts, elapsed) -> None:
    doc = _jsonable({
        "machine": machine,
        "options": {"quick": opts.quick, "rounds": opts.rounds, "size": opts.size},
        "rtol": RTOL,
        "elapsed_s": elapsed,
        "workloads": [
            {"name": wl.name, "description": wl.description, "unit": wl.unit,
             "reference": wl.reference,
             "rows": [{"impl": r.impl, "family": r.family, "variant": r.variant,
                       "time_s": r.time_s, "vs_numpy": r.vs_numpy, "vs_numba": r.vs_numba,
                       "status": r.status, "detail": r.detail, "samples_s": r.samples_s,
                       "extra": _jsonable(r.extra)} for r in rows]}
            for wl, rows in results],
        "expectations": exps,
    })
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)
    print(f"\nwrote {path}")


FAMILY_COLORS = {"numpy": "#4c72b0", "numexpr": "#8172b2", "numba": "#dd8452",
                 "hotloop": "#c44e52", "python": "#937860"}


def _plot_evaluate(ax, wl, rows) -> None:
    """hotloop/numexpr time ratio against n, one line per expression."""
    labels = {ex: label for ex, label, _, _ in EVAL_EXPRESSIONS}
    series = {}
    for r in rows:
        if r.impl == "hotloop" and r.extra.get("kind") == "grid" and "vs_numexpr" in r.extra:
            series.setdefault(r.extra["expr"], []).append((r.extra["size"],
                                                           r.extra["vs_numexpr"]))
    for ex, pts in series.items():
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                label=labels.get(ex, ex))
    ax.axhline(1.0, color="gray", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(f"{wl.name}: hl.evaluate time / numexpr.evaluate time (below 1: hotloop "
                 f"faster)", fontsize=9, loc="left")
    ax.set_xlabel("array length n", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7)


def write_plot(path: str, results, machine) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as exc:
        print(f"\n--plot: matplotlib is not available ({type(exc).__name__}: {exc}); "
              f"no plot written")
        return
    own = [(wl, rows) for wl, rows in results if isinstance(wl, EvaluateWorkload)]
    shown = [(wl, [r for r in rows if r.timed]) for wl, rows in results
             if not isinstance(wl, EvaluateWorkload)]
    shown = [(wl, rows) for wl, rows in shown if rows]
    own = [(wl, rows) for wl, rows in own
           if any(r.extra.get("kind") == "grid" and r.timed for r in rows)]
    if not shown and not own:
        print("\n--plot: nothing was timed; no plot written")
        return
    heights = [0.45 * len(rows) + 1.0 for _, rows in shown] + [3.5] * len(own)
    fig, axes = plt.subplots(len(heights), 1, figsize=(9, sum(heights) + 0.6),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (wl, rows) in zip(axes[len(shown):, 0], own):
        _plot_evaluate(ax, wl, rows)
    for ax, (wl, rows) in zip(axes[:, 0], shown):
        names = [r.impl for r in rows][::-1]
        times = [r.time_s for r in rows][::-1]
        colors = [FAMILY_COLORS.get(r.family, "gray") for r in rows][::-1]
        bars = ax.barh(names, times, color=colors)
        ax.set_xscale("log")
        ax.set_title(f"{wl.name}: {wl.description}", fontsize=9, loc="left")
        ax.set_xlabel(f"seconds ({wl.unit}, lower is better)", fontsize=8)
        ax.tick_params(labelsize=8)
        for bar, r in zip(bars, rows[::-1]):
            label = fmt_time(r.time_s)
            if r.status != "ok":
                label += f"  [{r.status}]"
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + label,
                    va="center", fontsize=7)
        ax.set_xlim(min(times) / 2, max(times) * 8)
    fig.suptitle(f"hotloop bench -- {machine.get('cpu')} ({machine.get('cores')} cores)",
                 fontsize=10)
    fig.tight_layout()
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--quick", action="store_true",
                   help="fewer rounds and repeats (well under 2 minutes on 2 cores)")
    p.add_argument("--json", metavar="PATH", help="write every figure and the machine as JSON")
    p.add_argument("--plot", metavar="PATH", help="write a PNG bar chart (needs matplotlib)")
    p.add_argument("--only", metavar="NAME", nargs="+",
                   help="run only these workloads (see --list)")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--rounds", type=int, metavar="N",
                   help="interleaved rounds (repeats for compile) instead of the default")
    p.add_argument("--size", type=int, metavar="N",
                   help="array size for the array workloads instead of their default")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when an implementation errs or disagrees")
    p.add_argument("-v", "--verbose", action="store_true", help="full tracebacks for errors")
    return p


def main(args=None) -> int:
    if args is None or isinstance(args, (list, tuple)):
        args = add_arguments(argparse.ArgumentParser(
            prog="python -m hotloop bench", description=DESCRIPTION)
        ).parse_args(args)
    if getattr(args, "list", False):
        w = max(len(wl.name) for wl in WORKLOADS)
        for wl in WORKLOADS:
            print(f"{wl.name:{w}} {wl.description}")
        return 0
    selected = WORKLOADS
    if args.only:
        known = {wl.name for wl in WORKLOADS}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            print(f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                  file=sys.stderr)
            return 2
        selected = [wl for wl in WORKLOADS if wl.name in args.only]
    opts = Options(quick=args.quick, rounds=getattr(args, "rounds", None),
                   size=getattr(args, "size", None), verbose=getattr(args, "verbose", False))

    start = time.perf_counter()
    machine = machine_info()
    v = machine["versions"]
    print(f"hotloop bench{' --quick' if opts.quick else ''}: {machine['cpu']}, "
          f"{machine['cores']} cores")
    print("  " + ", ".join(f"{k} {v[k] or '-'}" for k in
                           ("numpy", "numexpr", "numba", "llvmlite", "hotloop")))
    if v["hotloop"] is None:
        print(f"  hotloop rows skipped: {machine.get('hotloop_unavailable')}")
    print()

    results = []
    for wl in selected:
        t0 = time.perf_counter()
        print(f"running {wl.name}: {wl.description} ...", flush=True)
        try:
            rows = wl.run(opts)
        except Exception as exc:
            rows = [Row(wl.name, "(workload)", "-", status="ERROR",
                        detail=_exc_text(exc, opts))]
        compute_ratios(wl, rows)
        results.append((wl, rows))
        if opts.verbose:
            print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    print()
    print_table(results)
    exps = expectations(results)
    print_expectations(exps)
    elapsed = time.perf_counter() - start
    print(f"\ntotal {elapsed:.1f} s")
    if args.json:
        write_json(args.json, results, exps, machine, opts, elapsed)
    if args.plot:
        write_plot(args.plot, results, machine)
    bad = any(r.status in ("ERROR", "MISMATCH") for _, rows in results for r in rows)
    return 1 if (bad and getattr(args, "strict", False)) else 0


if __name__ == "__main__":
    sys.exit(main())
