#include "hotloop/sema/SignatureParser.h"

#include <cctype>

#include "hotloop/ir/Error.h"

namespace hotloop {

namespace {

class Parser {
public:
    explicit Parser(const std::string &s) : s(s) {}
    const std::string &s;
    size_t pos = 0;

    [[noreturn]] void fail(const std::string &what) {
        throw CompileError({}, "malformed signature \"" + s + "\": " + what + " at column " +
                                   std::to_string(pos),
                           "write signatures as Numba does, e.g. \"float64(float64[:], int64)\"");
    }
    void ws() { while (pos < s.size() && std::isspace((unsigned char)s[pos])) pos++; }
    bool eat(char c) {
        ws();
        if (pos < s.size() && s[pos] == c) { pos++; return true; }
        return false;
    }
    void expect(char c) { if (!eat(c)) fail(std::string("expected '") + c + "'"); }
    bool eat_str(const char *t) {
        ws();
        size_t n = std::string(t).size();
        if (s.compare(pos, n, t) == 0) { pos += n; return true; }
        return false;
    }
    std::string ident() {
        ws();
        size_t b = pos;
        while (pos < s.size() && (std::isalnum((unsigned char)s[pos]) || s[pos] == '_' || s[pos] == '.')) pos++;
        return s.substr(b, pos - b);
    }
    bool at_end() { ws(); return pos >= s.size(); }

    std::vector<Type> type_list(char close) {
        std::vector<Type> out;
        if (eat(close)) return out;
        do {
            if (eat(close)) return out;  // a trailing comma: "(float64[:],)"
            out.push_back(type());
        } while (eat(','));
        expect(close);
        return out;
    }

    Type type() {
        ws();
        if (eat('(')) return Type::tuple(type_list(')'));
        bool readonly = false;
        size_t save = pos;
        std::string name = ident();
        if (name == "readonly") { readonly = true; name = ident(); }
        if (name.empty()) { pos = save; fail("expected a type"); }
        for (const char *prefix : {"numba.", "nb.", "types.", "hotloop.", "hl.", "np.", "numpy."})
            if (name.rfind(prefix, 0) == 0) name = name.substr(std::string(prefix).size());
        if (name == "Tuple") {
            expect('(');
            expect('(');
            auto elems = type_list(')');
            expect(')');
            return Type::tuple(elems);
        }
        if (name == "UniTuple") {
            expect('(');
            Type t = type();
            expect(',');
            std::string n = ident();
            expect(')');
            int count = 0;
            if (n.empty() || n.size() > 3) fail("UniTuple count must be a number from 0 to 255");
            for (char c : n) {
                if (!std::isdigit((unsigned char)c)) fail("UniTuple count must be a number from 0 to 255");
                count = count * 10 + (c - '0');
            }
            if (count > 255) fail("UniTuple count must be a number from 0 to 255");
            return Type::tuple(std::vector<Type>(count, t));
        }
        if (name == "void" || name == "none") return Type::none();
        Type t = scalar_from_name(name);
        if (t.is_unknown()) fail("unknown type name '" + name + "'");
        if (eat('[')) return array_dims(t, readonly);
        if (readonly) fail("'readonly' applies to arrays");
        return t;
    }

    // After "[": ":", "::1", separated by commas, then "]".
    Type array_dims(const Type &elem, bool readonly) {
        int ndim = 0;
        int contiguous_at = -1;
        do {
            ws();
            if (!eat(':')) fail("expected ':' in array dimensions");
            if (eat(':')) {
                if (!eat('1')) fail("expected '::1'");
                if (contiguous_at >= 0) fail("only one '::1' dimension");
                contiguous_at = ndim;
            }
            ndim++;
        } while (eat(','));
        expect(']');
        Layout l = Layout::A;
        if (contiguous_at == ndim - 1) l = Layout::C;
        else if (contiguous_at == 0) l = Layout::F;
        else if (contiguous_at > 0) fail("'::1' must be on the first or last dimension");
        return Type::array(elem, ndim, l, readonly);
    }
};

}  // namespace

std::string Signature::str() const {
    std::string r = return_type.is_unknown() ? "" : return_type.str();
    r += "(";
    for (size_t i = 0; i < args.size(); i++) {
        if (i) r += ", ";
        r += args[i].str();
    }
    return r + ")";
}

Signature parse_signature(const std::string &text) {
    Parser p(text);
    Signature sig;
    p.ws();
    // "(a, b)" alone is an argument list; "(a, b)(c)" is a tuple return type.
    Type first = p.type();
    if (p.at_end()) {
        if (!first.is_tuple()) p.fail("expected an argument list in parentheses");
        sig.args = first.elems();
        return sig;
    }
    sig.return_type = first;
    p.expect('(');
    sig.args = p.type_list(')');
    if (!p.at_end()) p.fail("unexpected text after the argument list");
    return sig;
}

Type parse_type(const std::string &text) {
    Parser p(text);
    Type t = p.type();
    if (!p.at_end()) p.fail("unexpected text after the type");
    return t;
}

}  // namespace hotloop
