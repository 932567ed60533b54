"""``vectorize`` and ``guvectorize``: NumPy ufuncs and generalized ufuncs with compiled
inner loops, with Numba's names and options.

For every signature a small *driver* is generated and compiled with ``hl.jit``::

    def _hl_vectorize_loop(_hl_n, a0, a1, a2):      # a0, a1: inputs; a2: the output
        for i in range(_hl_n):
            a2[i] = _hl_kernel(a0[i], a1[i])

where ``_hl_kernel`` is ``hl.jit(py_func)``: the kernel is compiled into the driver's LLVM
module and inlined. Each operand is an array whose first dimension is NumPy's outer loop
(guvectorize adds the core dimensions after it). Two drivers per signature: one for
C-contiguous operands (vectorized by LLVM) and one for any strides. With
``target="parallel"`` the driver takes one more argument, ``_hl_par``, and runs its loop
with ``prange`` when it is set. ``_core._make_ufunc`` (src/hotloop/python/Ufunc.cpp)
wraps the drivers in a genuine ``numpy.ufunc``. See docs/ufuncs.md.
"""

import functools
import linecache
import re
import threading
import types as _pytypes

import numpy as np

from . import _core
from .decorators import jit, prange
from .errors import CompileError

__all__ = ["vectorize", "guvectorize", "DUFunc"]

# The dtypes compiled code handles, in NumPy's type order (the order of ufunc loops).
_DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
           "float32", "float64", "complex64", "complex128"]
_ORDER = {n: i for i, n in enumerate(_DTYPES)}
_TARGETS = ("cpu", "parallel")
# Numba's ufunc options (nopython, forceobj, locals, cache, fastmath, boundscheck,
# writable_args), and hotloop's error_model (default "numpy", as Numba's ufuncs use).
_OPTIONS = {"nopython", "forceobj", "locals", "cache", "fastmath", "boundscheck", "error_model",
            "nogil", "writable_args"}
_counter = [0]


# ---- options, signatures ----------------------------------------------------------------

def _kernel_function(func):
    if isinstance(func, _core.Dispatcher):  # @vectorize over @jit: compile the Python function
        return func.py_func
    if not isinstance(func, _pytypes.FunctionType):
        raise TypeError(f"expected a Python function, got {type(func).__name__}")
    return func


def _is_function(obj):
    return isinstance(obj, (_pytypes.FunctionType, _core.Dispatcher))


def _target(target):
    if target not in _TARGETS:
        raise ValueError(f"Unsupported target: {target!r} (hotloop compiles for 'cpu' and 'parallel')")
    return target


def _identity(identity):
    try:
        return _core._ufunc_identities[identity]
    except (KeyError, TypeError):
        raise ValueError(f"Invalid identity value {identity!r} "
                         "(use 0, 1, None or 'reorderable', as in Numba)") from None


def _check_options(options, what):
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"{what}: unknown option(s): {', '.join(sorted(unknown))}")
    if options.get("forceobj"):
        raise TypeError("hotloop has no object mode: forceobj=True is not supported")
    if options.get("nopython") is False:
        raise TypeError("hotloop always compiles in nopython mode: nopython=False is not supported")
    if options.get("error_model", "numpy") not in ("python", "numpy"):
        raise ValueError("error_model must be 'python' or 'numpy'")


def _signature_list(sigs):
    if isinstance(sigs, (list, tuple)):
        return list(sigs)
    return [sigs]


def _source_error(func, message, hint=""):
    code = func.__code__
    line = linecache.getline(code.co_filename, code.co_firstlineno)
    return CompileError(message, code.co_filename, code.co_firstlineno, -1, -1, line, hint,
                        func.__name__)


def _parse_signature(func, sig):
    """(return (kind, dtype, ndim), [(kind, dtype, ndim) per argument]) of a signature
    string or type object; a malformed one is a CompileError at the function, as in jit."""
    text = str(sig)
    try:
        return _core._parse_signature(text)
    except ValueError as e:
        raise _source_error(func, str(e)) from None


def _type_text(kind, dtype, ndim):
    return dtype if kind == "scalar" else f"{dtype}[{', '.join([':'] * ndim)}]"


def _array_text(dtype, ndim, contiguous):
    dims = [":"] * ndim
    if contiguous:
        dims[-1] = "::1"
    return f"{dtype}[{', '.join(dims)}]"


def _hotloop_dtype(dt, what):
    """The hotloop dtype name for a NumPy dtype: itself when compiled code supports it,
    else the first supported one it casts to safely (float16 -> float32), else TypeError."""
    dt = np.dtype(dt)
    if dt.name in _ORDER and dt.byteorder in ("=", "|"):
        return dt.name
    for name in _DTYPES:
        if np.can_cast(dt, name, "safe"):
            return name
    raise TypeError(f"{what}: hotloop compiles loops for bool, integer, float32/64 and "
                    f"complex64/128 values, not {dt}")


# ---- the loops ----------------------------------------------------------------------------

class _Builder:
    """Compiles the loops of one ufunc (one per signature) and makes numpy.ufunc objects
    from them. ``layout`` is None for vectorize, else the parsed gufunc signature."""

    def __init__(self, func, target, identity, options, layout=None):
        _check_options(options, "guvectorize" if layout else "vectorize")
        self.func = _kernel_function(func)
        self.target = _target(target)
        self.identity = identity
        self.identity_code = _identity(identity)
        self.layout = layout  # None, or (layout string, input core dims, output core dims)
        error_model = options.get("error_model", "numpy")
        kernel_options = {"error_model": error_model}
        if "locals" in options:
            kernel_options["locals"] = options["locals"]
        self.driver_options = {"error_model": error_model, "parallel": target == "parallel"}
        for k in ("fastmath", "boundscheck", "cache"):
            if k in options:
                kernel_options[k] = self.driver_options[k] = options[k]
        self.kernel = jit(self.func, **kernel_options)
        code = self.func.__code__
        self.nparams = code.co_argcount
        if layout is None:
            if self.nparams == 0:
                raise TypeError(f"vectorize: {self.func.__name__}() takes no arguments; a ufunc "
                                "kernel takes one scalar per input")
            self.nin, self.nout = self.nparams, 1
        else:
            self.nin, self.nout = len(layout[1]), len(layout[2])
        self.loops = {}        # input dtype names -> loop tuple for _make_ufunc
        self.order = []        # input dtype names in the order loops were added
        self.out_types = {}    # vectorize: input dtype names -> output dtype name
        self.drivers = {}      # driver statement -> jit dispatcher
        self.lock = threading.RLock()

    # -- drivers --

    def _driver(self, stmt):
        """The driver dispatcher running `stmt` for i in range(_hl_n) (one per statement)."""
        disp = self.drivers.get(stmt)
        if disp is not None:
            return disp
        nargs = self.nin + self.nout
        kind = "guvectorize" if self.layout else "vectorize"
        name = f"_hl_{kind}_loop"
        params = ["_hl_n"] + (["_hl_par"] if self.target == "parallel" else []) + \
                 [f"a{k}" for k in range(nargs)]
        if self.target == "parallel":
            body = (f"    if _hl_par:\n        for i in _hl_prange(_hl_n):\n            {stmt}\n"
                    f"    else:\n        for i in range(_hl_n):\n            {stmt}\n")
        else:
            body = f"    for i in range(_hl_n):\n        {stmt}\n"
        source = f"def {name}({', '.join(params)}):\n{body}"
        _counter[0] += 1
        filename = f"<hotloop-{kind}-{self.func.__name__}-{_counter[0]}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = {"_hl_kernel": self.kernel, "_hl_prange": prange}
        exec(compile(source, filename, "exec"), namespace)  # generated from names only
        disp = jit(namespace[name], **self.driver_options)
        self.drivers[stmt] = disp
        return disp

    def _compile_drivers(self, stmt, operands):
        """Compiles the contiguous and the strided driver; operands: (dtype, ndim) of each
        driver array. Returns (contiguous entry, strided entry)."""
        disp = self._driver(stmt)
        head = ["int64"] + (["int64"] if self.target == "parallel" else [])
        entries = []
        for contiguous in (True, False):
            args = head + [_array_text(dt, nd, contiguous) for dt, nd in operands]
            sig = disp.compile(f"none({', '.join(args)})")
            entries.append(disp._entry_address(sig))
        return tuple(entries)

    # -- one signature --

    def add_vectorize(self, in_types, out_type=None):
        """Compiles the loop for scalar input dtypes (names); out_type None: inferred.
        Returns the input key."""
        key = tuple(in_types)
        with self.lock:
            if key in self.loops:
                return key
            name = self.func.__name__
            if len(in_types) != self.nparams:
                raise TypeError(f"vectorize: the signature ({', '.join(in_types)}) has {len(in_types)} "
                                f"argument(s) but {name}() takes {self.nparams}")
            result = self.kernel._infer_return_type(f"({', '.join(in_types)},)")
            if result not in _ORDER:
                raise TypeError(f"vectorize: {name}({', '.join(in_types)}) returns {result}; "
                                "a ufunc kernel must return one scalar (bool, a number)")
            if out_type is None:
                out_type = result
            elif np.dtype(result).kind == "c" and np.dtype(out_type).kind != "c":
                raise TypeError(f"vectorize: {name}({', '.join(in_types)}) returns {result}, "
                                f"which cannot be returned as {out_type}")
            nin = len(in_types)
            call = ", ".join(f"a{k}[i]" for k in range(nin))
            stmt = f"a{nin}[i] = _hl_kernel({call})"
            entries = self._compile_drivers(stmt, [(t, 1) for t in (*in_types, out_type)])
            typenums = [np.dtype(t).num for t in (*in_types, out_type)]
            self.loops[key] = (typenums, *entries)
            self.out_types[key] = out_type
            self.order.append(key)
            return key

    def add_gufunc(self, arg_types):
        """Compiles the loop for a guvectorize signature: arg_types is the parsed
        [(kind, dtype, ndim)] of every argument, inputs then outputs."""
        layout, ins, outs = self.layout
        name = self.func.__name__
        core = ins + outs
        nargs = len(core)
        if len(arg_types) != nargs:
            raise TypeError(f"guvectorize: the signature has {len(arg_types)} argument(s) but the "
                            f"layout {layout!r} has {nargs} ({len(ins)} input(s), {len(outs)} output(s))")
        if self.nparams != nargs:
            raise TypeError(f"guvectorize: {name}() takes {self.nparams} argument(s) but the layout "
                            f"{layout!r} has {nargs}")
        exprs, operands, kernel_types = [], [], []
        for k, ((kind, dtype, ndim), dims) in enumerate(zip(arg_types, core)):
            what = f"argument {k + 1} of {name}() ({'input' if k < len(ins) else 'output'} " \
                   f"'({','.join(dims)})')"
            if kind not in ("scalar", "array"):
                raise TypeError(f"guvectorize: {what} is declared {_type_text(kind, dtype, ndim)}; "
                                "declare arrays (float64[:]) or, for '()' inputs, scalars (float64)")
            if kind == "scalar":
                if dims:
                    raise TypeError(f"guvectorize: type and layout mismatch for {what}: the layout "
                                    f"gives it {len(dims)} core dimension(s) but it is declared "
                                    f"as the scalar {dtype}")
                if k >= len(ins):
                    raise TypeError(f"guvectorize: {what} is declared as the scalar {dtype}; "
                                    f"outputs are arrays: declare it {dtype}[:] and write out[0]")
                exprs.append(f"a{k}[i]")
            elif ndim == len(dims):
                exprs.append(f"a{k}[i]")
            elif not dims and ndim == 1:  # '()' as a 1-element array, as in Numba
                exprs.append(f"a{k}[i:i + 1]")
            else:
                raise TypeError(f"guvectorize: type and layout mismatch for {what}: it is declared "
                                f"{_type_text(kind, dtype, ndim)} ({ndim} dimension(s)) but the "
                                f"layout gives it {len(dims)} core dimension(s)")
            operands.append((dtype, 1 + len(dims)))
            kernel_types.append(_type_text(kind, dtype, ndim))
        key = tuple(_type_text(*t) for t in arg_types)
        with self.lock:
            if key in self.loops:
                return key
            result = self.kernel._infer_return_type(f"({', '.join(kernel_types)},)")
            if result != "none":
                raise TypeError(f"guvectorize: {name}() returns {result}; a gufunc kernel returns "
                                "nothing and writes its results into its output arrays")
            stmt = f"_hl_kernel({', '.join(exprs)})"
            entries = self._compile_drivers(stmt, operands)
            typenums = [np.dtype(t[1]).num for t in arg_types]
            self.loops[key] = (typenums, *entries)
            self.order.append(key)
            return key

    # -- the ufunc --

    def build(self, keys=None):
        keys = self.order if keys is None else keys
        loops = [self.loops[k] for k in keys]
        core_ndims = [len(d) for d in self.layout[1] + self.layout[2]] if self.layout \
            else [0] * (self.nin + self.nout)
        drivers = tuple(self.drivers.values())
        ufunc = _core._make_ufunc(self.func.__name__, self.func.__doc__ or "", self.nin, self.nout,
                                  self.identity_code, self.layout[0] if self.layout else None,
                                  loops, core_ndims, self.target == "parallel", (self.kernel, drivers))
        try:  # NumPy 2's ufuncs take attributes: the kernel, and the drivers for inspect_asm()
            ufunc.py_func = self.func
            ufunc.hotloop_drivers = drivers
        except AttributeError:
            pass
        return ufunc


# ---- vectorize ----------------------------------------------------------------------------

def vectorize(ftylist_or_function=(), target="cpu", identity=None, **options):
    """Compile a scalar function into a NumPy ufunc, as ``numba.vectorize``.

    With signatures (``"float64(float64, float64)"``, a list of them, or type objects such
    as ``hl.float64(hl.float64)``) the result is a ``numpy.ufunc`` with one compiled loop
    per signature, tried in the order given. Without (``@vectorize`` or ``@vectorize()``)
    the result is a :class:`DUFunc`, which compiles a loop for each new input dtype on
    first use. ``target`` is "cpu" or "parallel"; ``identity`` (0, 1, None or
    "reorderable") is the identity of ``reduce``. Options: ``fastmath``, ``boundscheck``,
    ``cache``, ``locals``, ``error_model`` (default "numpy": IEEE results, integer
    division by zero gives 0, as Numba's ufuncs)."""
    if _is_function(ftylist_or_function):
        return DUFunc(ftylist_or_function, target=target, identity=identity, **options)
    sigs = _signature_list(ftylist_or_function)
    _target(target)
    _identity(identity)
    _check_options(options, "vectorize")

    def wrap(func):
        if not sigs:
            return DUFunc(func, target=target, identity=identity, **options)
        builder = _Builder(func, target, identity, options)
        for sig in sigs:
            ret, args = _parse_signature(builder.func, sig)
            for kind, dtype, ndim in args:
                if kind != "scalar":
                    raise TypeError(f"vectorize: signature {str(sig)!r}: the arguments of a ufunc "
                                    f"kernel are scalars, not {_type_text(kind, dtype, ndim)} "
                                    "(use guvectorize for array arguments)")
            if ret[0] not in ("scalar", "unknown"):
                raise TypeError(f"vectorize: signature {str(sig)!r}: a ufunc kernel returns one "
                                f"scalar, not {_type_text(*ret) if ret[0] == 'array' else ret[1] or ret[0]}")
            builder.add_vectorize([a[1] for a in args], ret[1] if ret[0] == "scalar" else None)
        return builder.build()

    return wrap


class DUFunc:
    """A ufunc that compiles its loops lazily, as Numba's DUFunc: the first call with new
    input dtypes compiles a loop for them (the inputs' NumPy promotion, NEP 50, gives the
    loop's input dtype; hotloop's type inference gives its output dtype) and makes a new
    ``numpy.ufunc`` with all loops so far: the ``ufunc`` attribute. Calls and the ufunc
    methods then go to that ufunc, so ``out=``, broadcasting, ``where=``, casting and
    ``__array_ufunc__`` overrides behave as NumPy's."""

    def __init__(self, py_func, target="cpu", identity=None, **options):
        self._builder = _Builder(py_func, target, identity, options)
        self._frozen = False
        self.ufunc = self._builder.build()
        functools.update_wrapper(self, self._builder.func, updated=())

    # -- NumPy's ufunc attributes --

    nin = property(lambda self: self.ufunc.nin)
    nout = property(lambda self: self.ufunc.nout)
    nargs = property(lambda self: self.ufunc.nargs)
    ntypes = property(lambda self: self.ufunc.ntypes)
    types = property(lambda self: self.ufunc.types)
    identity = property(lambda self: self.ufunc.identity)
    signature = property(lambda self: self.ufunc.signature)
    py_func = property(lambda self: self._builder.func)
    hotloop_drivers = property(lambda self: tuple(self._builder.drivers.values()))
    target = property(lambda self: self._builder.target)

    def __repr__(self):
        return f"<hotloop.DUFunc '{self.__name__}'>"

    def disable_compile(self):
        """No more loops: calls with other dtypes fail as a plain ufunc's do (Numba's API)."""
        self._frozen = True

    def add(self, sig):
        """Compiles the loop of one signature ("float64(float64, float64)", type objects)."""
        ret, args = _parse_signature(self._builder.func, sig)
        if any(a[0] != "scalar" for a in args) or ret[0] not in ("scalar", "unknown"):
            raise TypeError(f"vectorize: {str(sig)!r} is not a signature of scalars")
        self._add([a[1] for a in args], ret[1] if ret[0] == "scalar" else None)

    def _add(self, in_types, out_type=None):
        b = self._builder
        with b.lock:
            if tuple(in_types) in b.loops:
                return
            b.add_vectorize(in_types, out_type)
            keys = sorted(b.loops, key=lambda k: tuple(_ORDER[t] for t in k))
            self.ufunc = b.build(keys)

    def _ensure(self, in_types):
        if not self._frozen and tuple(in_types) not in self._builder.loops:
            self._add(in_types)

    def _loop_dtype(self, inputs, kwargs):
        name = f"{self.__name__}()"
        dtype = kwargs.get("dtype")
        sig = kwargs.get("signature")
        if sig is not None:
            ins = _signature_inputs(sig, self.nin)
            if ins is not None:
                return [_hotloop_dtype(t, name) for t in ins]
        if dtype is not None:
            return [_hotloop_dtype(dtype, name)] * self.nin
        return [_hotloop_dtype(_common_dtype(inputs), name)] * self.nin

    # -- calls --

    def __call__(self, *args, **kwargs):
        if not self._frozen and len(args) >= self.nin:
            self._ensure(self._loop_dtype(args[:self.nin], kwargs))
        return self.ufunc(*args, **kwargs)

    def _ensure_reduction(self, array, dtype):
        if self._frozen or self.nin != 2 or self.nout != 1:
            return  # the ufunc raises NumPy's error
        t = _hotloop_dtype(dtype if dtype is not None else _common_dtype([array]), f"{self.__name__}()")
        self._ensure([t, t])
        out = self._builder.out_types[(t, t)]
        if out != t:  # e.g. int64 / int64 -> float64: reduce in float64
            self._ensure([out, out])

    def reduce(self, array, axis=0, dtype=None, *args, **kwargs):
        self._ensure_reduction(array, dtype)
        return self.ufunc.reduce(array, axis, dtype, *args, **kwargs)

    def accumulate(self, array, axis=0, dtype=None, *args, **kwargs):
        self._ensure_reduction(array, dtype)
        return self.ufunc.accumulate(array, axis, dtype, *args, **kwargs)

    def reduceat(self, array, indices, axis=0, dtype=None, *args, **kwargs):
        self._ensure_reduction(array, dtype)
        return self.ufunc.reduceat(array, indices, axis, dtype, *args, **kwargs)

    def outer(self, A, B, /, **kwargs):
        if not self._frozen and self.nin == 2:
            self._ensure(self._loop_dtype([A, B], kwargs))
        return self.ufunc.outer(A, B, **kwargs)

    def at(self, a, indices, b=None, /):
        if not self._frozen:
            self._ensure(self._loop_dtype([a] if b is None else [a, b], {}))
        return self.ufunc.at(a, indices) if b is None else self.ufunc.at(a, indices, b)


def _common_dtype(inputs):
    """NumPy's promotion of the inputs (NEP 50: Python scalars are weak)."""
    values = []
    for x in inputs:
        if isinstance(x, (bool, int, float, complex)):
            values.append(x)
        elif isinstance(getattr(x, "dtype", None), np.dtype):
            values.append(x.dtype)
        else:
            values.append(np.asarray(x).dtype)
    return np.result_type(*values)


def _signature_inputs(sig, nin):
    """The input dtypes a ufunc `signature=` argument fixes, or None if it leaves any open."""
    if isinstance(sig, str):
        if "->" not in sig:
            return None
        ins = sig.split("->")[0].replace(",", "")
        if len(ins) != nin:
            return None
        return [np.dtype(c) for c in ins]
    if isinstance(sig, (tuple, list)) and len(sig) >= nin and all(s is not None for s in sig[:nin]):
        return [np.dtype(s) for s in sig[:nin]]
    return None


# ---- guvectorize --------------------------------------------------------------------------

_ARG = re.compile(r"\s*\(([^()]*)\)\s*")
_DIM = re.compile(r"[A-Za-z_]\w*|\d+")


def _parse_layout(layout):
    """'(m,n),(n)->(m)' -> ([['m', 'n'], ['n']], [['m']]); ValueError if malformed."""
    def bad(why):
        return ValueError(f"guvectorize: malformed layout {layout!r}: {why}; write it as NumPy "
                          "does, e.g. '(m,n),(n)->(m)' or '(n),()->()'")

    if not isinstance(layout, str):
        raise TypeError(f"guvectorize: the layout must be a string such as '(n),()->(n)', "
                        f"got {type(layout).__name__}")
    if layout.count("->") != 1:
        raise bad("expected exactly one '->'")

    def side(text, what):
        args, pos = [], 0
        while True:
            m = _ARG.match(text, pos)
            if not m:
                raise bad(f"expected a parenthesized list of dimension names in the {what}")
            inner = m.group(1).strip()
            dims = [d.strip() for d in inner.split(",")] if inner else []
            for d in dims:
                if not _DIM.fullmatch(d):
                    raise bad(f"{d!r} is not a dimension name")
            args.append(dims)
            pos = m.end()
            if pos == len(text):
                return args
            if text[pos] != ",":
                raise bad(f"unexpected {text[pos]!r} in the {what}")
            pos += 1

    ins_text, outs_text = layout.split("->")
    ins = side(ins_text, "inputs") if ins_text.strip() else []
    outs = side(outs_text, "outputs")
    return ins, outs


def guvectorize(*args, target="cpu", identity=None, **options):
    """Compile a kernel into a generalized ufunc, as ``numba.guvectorize``::

        @hl.guvectorize(["void(float64[:], float64, float64[:])"], "(n),()->(n)")
        def scale(x, s, out):
            for i in range(x.shape[0]):
                out[i] = x[i] * s

    The kernel gets arrays for arguments with core dimensions and for outputs (a "()"
    output is a 1-element array: ``out[0] = ...``); "()" inputs declared as scalars are
    passed as scalars. NumPy checks the core dimensions of the operands at each call.
    A malformed layout raises ValueError; a signature that does not fit the layout
    TypeError. ``target``, ``identity`` and the options are as for :func:`vectorize`."""
    if "signature" in options:
        args = args + (options.pop("signature"),)
    if len(args) == 1 and isinstance(args[0], str) and "->" in args[0]:
        raise TypeError("guvectorize: hotloop needs the signatures as well as the layout, "
                        "e.g. guvectorize(['void(float64[:], float64[:])'], '(n)->()')")
    if len(args) != 2:
        raise TypeError("guvectorize(signatures, layout, target='cpu', identity=None, **options)")
    ftylist, layout = args
    ins, outs = _parse_layout(layout)
    if not outs:
        raise ValueError(f"guvectorize: layout {layout!r} has no outputs")
    sigs = _signature_list(ftylist)
    if not sigs:
        raise TypeError("guvectorize: give at least one signature")
    _target(target)
    _identity(identity)
    _check_options(options, "guvectorize")
    options.pop("writable_args", None)  # inputs are always writable here

    def wrap(func):
        builder = _Builder(func, target, identity, options, layout=(layout, ins, outs))
        for sig in sigs:
            ret, arg_types = _parse_signature(builder.func, sig)
            if ret[0] not in ("none", "unknown"):
                raise TypeError(f"guvectorize: signature {str(sig)!r}: a gufunc kernel returns "
                                "nothing (void); it writes its results into its output arrays")
            builder.add_gufunc(arg_types)
        return builder.build()

    return wrap
