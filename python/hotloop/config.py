"""Where hotloop keeps things."""

from . import _core


def cache_dir():
    """The folder of the on-disk cache of compiled code (``cache=True`` and ``evaluate``):
    ``$HOTLOOP_CACHE_DIR``, else ``$XDG_CACHE_HOME/hotloop``, else ``~/.cache/hotloop``."""
    return _core.cache_dir()
