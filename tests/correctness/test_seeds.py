"""The seeds' loop kernels, written as their users write them: the degree-8 polynomial
(power form and Horner form), the periodic 2-D diffusion step, a 5-point Laplacian and a
finite-difference second derivative with explicit loops, the Mandelbrot escape count, an MCMC
sampler with a deterministic generator, and the sum(range(n)) reduction."""

import math

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import FEW, SETTINGS, arrays, check, finite_floats, hl


# ---------------------------------------------------------------- polynomial
@hl.jit
def f_simple(xarr):
    yarr = np.empty_like(xarr)
    for i in range(len(xarr)):
        x = xarr[i]
        yarr[i] = x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8
    return yarr


@SETTINGS
@given(arrays(np.float64, max_side=40))
@example(np.array([-1.0, 0.0, 1.0, np.nan, np.inf, -np.inf, 1e40, -1e-300]))
@example(np.zeros(0))
def test_f_simple_float64_every_layout(x):
    # near x = -1 the eight terms cancel: an absolute tolerance on the terms' scale
    check(f_simple, x, rtol=1e-12, atol=1e-13)


@SETTINGS
@given(arrays(np.float32, max_side=40, lo=-8.0, hi=8.0))
def test_f_simple_float32_stays_float32(x):
    check(f_simple, x, rtol=1e-5, atol=1e-5)


@hl.jit
def f_horner(xarr):
    yarr = np.empty_like(xarr)
    for i in range(xarr.shape[0]):
        x = xarr[i]
        yarr[i] = x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x*(1 + x)))))))
    return yarr


@SETTINGS
@given(arrays(np.float64, max_side=40))
def test_f_horner(x):
    check(f_horner, x, rtol=1e-12, atol=1e-13)


@hl.jit
def f_inplace(x, y):
    for i in range(x.shape[0]):
        v = x[i]
        y[i] = v
        v2 = v * v
        y[i] += v2
        v3 = v2 * v
        y[i] += v3
        y[i] += v3 * v


@SETTINGS
@given(st.integers(0, 30).flatmap(lambda n: st.tuples(
    arrays(np.float64, min_side=n, max_side=n), arrays(np.float64, min_side=n, max_side=n))))
def test_polynomial_into_output_argument(xy):
    check(f_inplace, *xy)


# ---------------------------------------------------------------- diffusion (periodic)
@hl.jit
def evolve(grid, dt, out, D):
    xmax, ymax = grid.shape
    for i in range(xmax):
        for j in range(ymax):
            grid_xx = grid[(i + 1) % xmax, j] + grid[(i - 1) % xmax, j] - 2.0 * grid[i, j]
            grid_yy = grid[i, (j + 1) % ymax] + grid[i, (j - 1) % ymax] - 2.0 * grid[i, j]
            out[i, j] = grid[i, j] + D * (grid_xx + grid_yy) * dt


@st.composite
def grids(draw):
    g = draw(arrays(np.float64, ndim=2, min_side=1, max_side=8, lo=-10.0, hi=10.0))
    out = np.zeros(g.shape)
    if draw(st.booleans()):
        out = np.asfortranarray(out)
    return g, out


@SETTINGS
@given(grids(), finite_floats(0.0, 0.25), finite_floats(0.1, 2.0))
def test_diffusion_step_periodic(go, dt, D):
    grid, out = go
    check(evolve, grid, dt, out, D)


@hl.jit
def run_diffusion(grid, steps, dt):
    nxt = np.empty_like(grid)
    for _ in range(steps):
        evolve(grid, dt, nxt, 1.0)
        grid, nxt = nxt, grid
    return grid


@FEW
@given(arrays(np.float64, ndim=2, min_side=1, max_side=8, lo=0.0, hi=1.0),
       st.integers(0, 6))
def test_diffusion_several_steps_swapping_arrays(grid, steps):
    check(run_diffusion, grid, steps, 0.1, rtol=1e-12, atol=1e-14)


@hl.jit
def laplacian_loops(f, dx, dy):
    n, m = f.shape
    out = np.zeros((n - 2, m - 2))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i - 1, j - 1] = ((f[i - 1, j] + f[i + 1, j]) / dx**2
                                 + (f[i, j - 1] + f[i, j + 1]) / dy**2
                                 - f[i, j] * (2 / dx**2 + 2 / dy**2))
    return out


@SETTINGS
@given(arrays(np.float64, ndim=2, min_side=2, max_side=9, lo=-10.0, hi=10.0),
       finite_floats(0.1, 2.0), finite_floats(0.1, 2.0))
def test_laplacian_5_point(f, dx, dy):
    check(laplacian_loops, f, dx, dy, rtol=1e-10, atol=1e-10)


@hl.jit
def second_derivative(f, dx):
    n = f.shape[0]
    d2 = np.zeros(n)
    for i in range(1, n - 1):
        d2[i] = (f[i + 1] - 2.0 * f[i] + f[i - 1]) / (dx * dx)
    return d2


@SETTINGS
@given(arrays(np.float64, max_side=30), finite_floats(1e-3, 1.0))
def test_second_derivative(f, dx):
    check(second_derivative, f, dx)


# ---------------------------------------------------------------- Mandelbrot
@hl.jit
def mandel_point(cr, ci, maxiter):
    zr = 0.0
    zi = 0.0
    n = 0
    while n < maxiter:
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            break
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
        n += 1
    return n


@hl.jit
def mandelbrot(xs, ys, maxiter):
    out = np.zeros((ys.shape[0], xs.shape[0]), dtype=np.int64)
    for j in range(ys.shape[0]):
        for i in range(xs.shape[0]):
            out[j, i] = mandel_point(xs[i], ys[j], maxiter)
    return out


@SETTINGS
@given(arrays(np.float64, max_side=12, lo=-2.0, hi=1.0),
       arrays(np.float64, max_side=12, lo=-1.5, hi=1.5), st.integers(0, 50))
def test_mandelbrot_escape_counts(xs, ys, maxiter):
    check(mandelbrot, xs, ys, maxiter)


# ---------------------------------------------------------------- MCMC sampler
@hl.jit
def norm_pdf(loc, scale, x):
    y = (x - loc) / scale
    return np.exp(-y**2/2)/np.sqrt(2*np.pi) / scale


@hl.jit
def lcg_uniform(state):
    # 31-bit LCG: products stay below 2**62, so CPython ints and int64 agree exactly
    state = (state * 1103515245 + 12345) & 0x7FFFFFFF
    return state, state / 2147483648.0


@hl.jit
def sampler(data, samples, mu_init, proposal_width, mu_prior_mu, mu_prior_sd, seed):
    mu_current = mu_init
    posterior = np.empty(samples + 1)
    posterior[0] = mu_current
    state = seed
    accepted = 0
    for i in range(samples):
        state, u1 = lcg_uniform(state)
        state, u2 = lcg_uniform(state)
        # Box-Muller: a normal proposal from two uniforms
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        mu_proposal = mu_current + proposal_width * z
        likelihood_current = 1.0
        likelihood_proposal = 1.0
        for k in range(len(data)):
            likelihood_current *= norm_pdf(mu_current, 1.0, data[k])
            likelihood_proposal *= norm_pdf(mu_proposal, 1.0, data[k])
        prior_current = norm_pdf(mu_prior_mu, mu_prior_sd, mu_current)
        prior_proposal = norm_pdf(mu_prior_mu, mu_prior_sd, mu_proposal)
        p_current = likelihood_current * prior_current
        p_proposal = likelihood_proposal * prior_proposal
        state, u = lcg_uniform(state)
        if p_current > 0.0 and u < p_proposal / p_current:
            mu_current = mu_proposal
            accepted += 1
        posterior[i + 1] = mu_current
    return posterior, accepted


@FEW
@given(arrays(np.float64, min_side=1, max_side=12, lo=-2.0, hi=2.0), st.integers(0, 30),
       st.integers(0, 2**31 - 1))
def test_mcmc_sampler_with_lcg(data, samples, seed):
    # an accept decision that flips on a last-bit difference would diverge; rtol is for
    # the rest
    check(sampler, data, samples, 0.5, 0.5, 0.0, 1.0, seed, rtol=1e-9)


# ---------------------------------------------------------------- sum(range(n))
@hl.jit
def range_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s


@SETTINGS
@given(st.integers(-10, 3 * 10**5))
@example(10**6)
def test_sum_of_range(n):
    check(range_sum, n)
