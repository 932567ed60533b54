"""Type objects for signatures and locals=, spelled as in Numba: ``hl.float64[:]``,
``hl.float32[:, ::1]``, ``hl.float64(hl.float64[:], hl.int64)``."""


class Type:
    """A hotloop type. ``str()`` gives the signature spelling the compiler parses."""

    def __init__(self, spelling):
        self._spelling = spelling

    def __str__(self):
        return self._spelling

    def __repr__(self):
        return f"hotloop.{self._spelling}"

    def __eq__(self, other):
        return isinstance(other, Type) and other._spelling == self._spelling

    def __hash__(self):
        return hash(self._spelling)

    def __call__(self, *args):
        """A signature: ``float64(float64[:], int64)``."""
        return Signature(self, args)


class ScalarType(Type):
    def __init__(self, name):
        super().__init__(name)
        self._hotloop_type = name

    def __getitem__(self, dims):
        """An array type: ``float64[:]``, ``float64[:, ::1]`` (C), ``float64[::1, :]`` (F)."""
        if not isinstance(dims, tuple):
            dims = (dims,)
        parts = []
        for d in dims:
            if not isinstance(d, slice) or d.start is not None or d.stop is not None or d.step not in (None, 1):
                raise TypeError("array dimensions are written ':' or '::1'")
            parts.append("::1" if d.step == 1 else ":")
        return Type(f"{self._spelling}[{', '.join(parts)}]")


class Signature:
    def __init__(self, return_type, args):
        self.return_type = return_type
        self.args = tuple(args)

    def __str__(self):
        return f"{self.return_type}({', '.join(str(a) for a in self.args)})"

    __repr__ = __str__


_names = ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]
bool_ = ScalarType("bool")
boolean = bool_
int8, int16, int32, int64 = (ScalarType(n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (ScalarType(n) for n in ("uint8", "uint16", "uint32", "uint64"))
float32, float64 = ScalarType("float32"), ScalarType("float64")
complex64, complex128 = ScalarType("complex64"), ScalarType("complex128")
intp, uintp = int64, uint64
double, single, f4, f8 = float64, float32, float32, float64
void = Type("void")
none = void
