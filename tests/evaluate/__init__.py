"""Tests of ``hotloop.evaluate`` (numexpr-compatible string expressions).

This folder is a package (as ``tests/correctness`` is) so that its module names
(``evaluate.test_api`` ...) never clash with test files of the same name elsewhere in ``tests/``.
"""
