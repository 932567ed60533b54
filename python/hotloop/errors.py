"""Errors raised by hotloop."""


class CompileError(Exception):
    """A construct or a type that hotloop cannot compile.

    Raised at the first call of a lazily compiled function (or at decoration time when
    signatures are given). Carries where in the user's source the problem is.
    """

    def __init__(self, message, filename="<unknown>", lineno=0, col=-1, end_col=-1,
                 source_line="", hint="", function=""):
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.end_col = end_col
        self.source_line = source_line.strip()
        self.hint = hint
        self.function = function
        super().__init__(self._format(source_line))

    def _format(self, raw_line):
        out = [self.message]
        where = f'  File "{self.filename}", line {self.lineno}'
        if self.function:
            where += f", in {self.function}"
        out.append(where)
        if raw_line.strip():
            stripped = raw_line.rstrip()
            indent = len(stripped) - len(stripped.lstrip())
            out.append("    " + stripped.lstrip())
            if self.col >= indent:
                end = self.end_col if self.end_col > self.col else len(stripped)
                out.append("    " + " " * (self.col - indent) + "^" * max(1, end - self.col))
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def __reduce__(self):
        return (type(self), (self.message, self.filename, self.lineno, self.col, self.end_col,
                             self.source_line, self.hint, self.function))
