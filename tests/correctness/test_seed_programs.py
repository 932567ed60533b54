"""The seeds' Numba programs, verbatim (after the import swap), against their
undecorated versions: Mandelbrot with a complex grid, the MCMC sampler with its
norm_pdf helper, the diffusion evolve with np.roll, pv_locations's list-free style."""

import numpy as np
import pytest

from .conftest import hl  # the real hotloop, or a stand-in in python-only mode


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


@pytest.mark.parametrize("size,iterations", [((50, 50), 20), ((1, 1), 5), ((33, 33), 50)])
def test_make_fractal_nb(size, iterations):
    compiled = hl.jit(make_fractal_nb)
    np.testing.assert_array_equal(compiled(size, iterations), make_fractal_nb(size, iterations))


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


def seeded_sampler(data, samples, seed):
    np.random.seed(seed)
    return sampler(data, samples, 1.)


def _compiled_sampler():
    """The seed's module layout: norm_pdf and sampler are module-level @jit functions."""
    namespace = {"np": np}
    namespace["norm_pdf"] = hl.jit(norm_pdf)
    sampler_jit = hl.jit(type(sampler)(sampler.__code__, namespace, "sampler", sampler.__defaults__))
    namespace["sampler"] = sampler_jit
    seeded = hl.jit(type(seeded_sampler)(seeded_sampler.__code__, namespace, "seeded_sampler"))
    return sampler_jit, seeded


def test_mcmc_sampler_reproduces_numpy_chain():
    _, seeded = _compiled_sampler()
    data = np.random.default_rng(0).normal(size=20)
    compiled = seeded(data, 1500, 42)
    reference = seeded_sampler(data, 1500, 42)  # NumPy's own generator, seeded the same way
    np.testing.assert_allclose(compiled, reference, rtol=1e-12)
    np.testing.assert_array_equal(seeded(data, 1500, 42), compiled)  # run to run


def test_mcmc_sampler_posterior_mean():
    sampler_jit, seeded = _compiled_sampler()
    data = np.random.default_rng(1).normal(loc=0.7, size=50)
    chain = seeded(data, 20000, 7)[2000:]
    # Normal likelihood with sd 1 and a N(0, 1) prior: the posterior mean is sum(x)/(n+1).
    expected = data.sum() / (len(data) + 1)
    assert abs(chain.mean() - expected) < 0.05
    assert sampler_jit(data, 10).shape == (11,)  # unseeded calls work too


def laplacian(grid):
    return np.roll(grid, +1, 0) + np.roll(grid, -1, 0) + np.roll(grid, +1, 1) + np.roll(grid, -1, 1) - 4 * grid


def evolve(grid, dt, D=1):
    return grid + dt * D * laplacian(grid)


def test_diffusion_evolve_with_roll():
    namespace = {"np": np}
    namespace["laplacian"] = hl.jit(laplacian)
    evolve_jit = hl.jit(type(evolve)(evolve.__code__, namespace, "evolve", evolve.__defaults__))
    grid = np.random.default_rng(2).random((32, 24))
    expected = grid.copy()
    got = grid.copy()
    for _ in range(10):
        expected = evolve(expected, 0.1)
        got = evolve_jit(got, 0.1)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def array_literal():
    a = np.array([1.0, 2.5, -3.0])
    b = np.array((1, 2, 3))
    return a * b, np.asarray([True, False])


def test_np_array_of_literals():
    got, want = hl.jit(array_literal)(), array_literal()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
        assert g.dtype == w.dtype
