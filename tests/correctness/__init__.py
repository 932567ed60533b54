"""Differential correctness suite: every compiled function is checked against CPython.

This folder is a package so that its module names (``correctness.test_arith`` ...) never
clash with test files of the same name in other folders of ``tests/``.
"""
