package dev.r1j.verifiers.math;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * A small recursive-descent parser for answers in LaTeX or plain notation, working on the output of
 * {@link AnswerNormalizer}. It reads character by character so that LaTeX's one-character macro arguments work
 * ({@code \frac34}, {@code \sqrt2}, {@code \frac{270}7}).
 *
 * <p>Conventions: implicit multiplication ({@code 2x}, {@code 2\sqrt3}, {@code (a+5)(b+2)}); {@code ^} followed
 * by bare digits takes all of them ({@code 10^10} is 10¹⁰, the plain-text reading, not LaTeX's 10¹0); a run of
 * two letters is a product ({@code xy}), a longer unknown run is a word and fails the parse (the caller then
 * compares text); {@code e} is Euler's number, {@code i} is an ordinary symbol (so {@code -2+7i} and
 * {@code 7i-2} agree as polynomials). Nesting deeper than {@link #MAX_DEPTH} fails the parse.
 *
 * <pre>{@code
 * Node n = MathParser.parse("\\frac{\\sqrt3}{2}", budget);
 * }</pre>
 */
final class MathParser {
    static final int MAX_DEPTH = 60;
    static final int MAX_NUMBER_DIGITS = 400;

    /** The input is not an expression this parser understands; callers fall back to comparing text. */
    static final class ParseException extends Exception {
        ParseException(String msg) {
            super(msg, null, false, false);
        }
    }

    private static final Set<String> FUNCTIONS = Set.of("sin", "cos", "tan", "cot", "sec", "csc", "arcsin",
            "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "log", "exp");
    private static final Set<String> GREEK = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon",
            "zeta", "eta", "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau",
            "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma",
            "Phi", "Psi", "Omega");
    /** Commands that start a value, so they may follow a factor with implicit multiplication. */
    private static final Set<String> VALUE_COMMANDS = Set.of("frac", "dfrac", "tfrac", "cfrac", "sqrt", "pi",
            "infty", "binom", "lfloor", "lceil", "left", "begin", "mathrm", "text", "mathbf", "operatorname");
    private static final String[][] RELATIONS = {
        {"\\leqslant", "≤"}, {"\\geqslant", "≥"}, {"\\leq", "≤"}, {"\\geq", "≥"}, {"\\le", "≤"}, {"\\ge", "≥"},
        {"\\neq", "≠"}, {"\\ne", "≠"}, {"\\lt", "<"}, {"\\gt", ">"}, {"\\in", "∈"},
        {"<=", "≤"}, {">=", "≥"}, {"!=", "≠"}, {"=", "="}, {"<", "<"}, {">", ">"},
    };

    private final String s;
    private final Budget budget;
    private int pos;
    private int depth;

    private MathParser(String s, Budget budget) {
        this.s = s;
        this.budget = budget;
    }

    static Node parse(String text, Budget budget) throws ParseException {
        MathParser p = new MathParser(text, budget);
        Node n = p.top();
        p.ws();
        if (p.pos < p.s.length()) {
            throw new ParseException("unexpected '" + p.s.charAt(p.pos) + "' at " + p.pos);
        }
        return n;
    }

    // ---- structure -------------------------------------------------------------------------------------------

    private Node top() throws ParseException {
        ws();
        if (pos >= s.length()) {
            throw new ParseException("empty");
        }
        List<Node> items = new ArrayList<>();
        items.add(unionItem());
        while (peekAny(",;")) {
            pos++;
            items.add(unionItem());
        }
        return items.size() == 1 ? items.get(0) : new Node.Seq("", "", List.copyOf(items));
    }

    private Node unionItem() throws ParseException {
        Node a = relation();
        if (!lookingAtCommand("cup")) {
            return a;
        }
        List<Node> parts = new ArrayList<>(List.of(a));
        while (lookingAtCommand("cup")) {
            pos += 4;
            parts.add(relation());
        }
        return new Node.Union(List.copyOf(parts));
    }

    /**
     * A relation, or a chain of them: {@code x = 5+5+1 = 11} is {@code x = 11} (a chain of equalities keeps its first
     * and last member, or only the last when the first is a number: {@code 1 = x = 0} is {@code 0}), and
     * {@code -2 \le x < 7} is {@code x \in [-2, 7)}. Other chains do not parse.
     */
    private Node relation() throws ParseException {
        Node a = expr();
        String op = relop();
        if (op == null) {
            return a;
        }
        Node b = expr();
        String op2 = relop();
        if (op2 == null) {
            return new Node.Rel(op, a, b);
        }
        List<Node> members = new ArrayList<>(List.of(a, b));
        List<String> ops = new ArrayList<>(List.of(op, op2));
        members.add(expr());
        for (String more = relop(); more != null; more = relop()) {
            ops.add(more);
            members.add(expr());
        }
        if (ops.stream().allMatch("="::equals)) {
            Node first = members.get(0);
            Node last = members.get(members.size() - 1);
            return first instanceof Node.Num ? last : new Node.Rel("=", first, last);
        }
        if (ops.size() == 2) {
            boolean up = ops.stream().allMatch(o -> o.equals("<") || o.equals("≤"));
            boolean down = ops.stream().allMatch(o -> o.equals(">") || o.equals("≥"));
            if (up || down) {
                Node lo = up ? members.get(0) : members.get(2);
                Node hi = up ? members.get(2) : members.get(0);
                String loOp = up ? ops.get(0) : ops.get(1);
                String hiOp = up ? ops.get(1) : ops.get(0);
                return new Node.Rel(Node.BETWEEN, members.get(1), new Node.Seq(loOp.equals("<") || loOp.equals(">") ? "(" : "[",
                        hiOp.equals("<") || hiOp.equals(">") ? ")" : "]", List.of(lo, hi)));
            }
        }
        throw new ParseException("chained relation");
    }

    private String relop() {
        ws();
        for (String[] r : RELATIONS) {
            if (s.startsWith(r[0], pos) && (!r[0].startsWith("\\") || !letterAt(pos + r[0].length()))) {
                pos += r[0].length();
                return r[1];
            }
        }
        return null;
    }

    // ---- arithmetic ------------------------------------------------------------------------------------------

    private Node expr() throws ParseException {
        enter();
        try {
            Node a = term();
            while (true) {
                ws();
                if (peek('+')) {
                    pos++;
                    a = new Node.Bin('+', a, term());
                } else if (peek('-')) {
                    pos++;
                    a = new Node.Bin('-', a, term());
                } else if (lookingAtCommand("pm") || lookingAtCommand("mp")) {
                    pos += 3;
                    a = new Node.Bin(Node.PM, a, term());
                } else {
                    return a;
                }
            }
        } finally {
            depth--;
        }
    }

    private Node term() throws ParseException {
        Node a = unary();
        while (true) {
            ws();
            if (peek('*')) {
                pos++;
                a = new Node.Bin('*', a, unary());
            } else if (lookingAtCommand("cdot") || lookingAtCommand("times") || lookingAtCommand("ast")) {
                skipCommand();
                a = new Node.Bin('*', a, unary());
            } else if (peek('/')) {
                pos++;
                a = new Node.Bin('/', a, unary());
            } else if (lookingAtCommand("div")) {
                skipCommand();
                a = new Node.Bin('/', a, unary());
            } else if (startsImplicitFactor()) {
                a = new Node.Bin('*', a, power());
            } else {
                return a;
            }
        }
    }

    private Node unary() throws ParseException {
        enter();
        try {
            ws();
            if (peek('-')) {
                pos++;
                return new Node.Neg(unary());
            }
            if (peek('+')) {
                pos++;
                return unary();
            }
            if (lookingAtCommand("pm") || lookingAtCommand("mp")) {
                pos += 3;
                return new Node.Bin(Node.PM, new Node.Num(BigFraction.ZERO), unary());
            }
            return power();
        } finally {
            depth--;
        }
    }

    private Node power() throws ParseException {
        Node base = postfix();
        ws();
        if (peek('^')) {
            pos++;
            return new Node.Bin('^', base, exponent());
        }
        return base;
    }

    /** The exponent after {@code ^}; right-associative, so {@code 9^9^9} is 9^(9^9). */
    private Node exponent() throws ParseException {
        enter();
        try {
            ws();
            Node e;
            if (peek('{')) {
                pos++;
                e = groupUntil('}');
            } else if (peek('-')) {
                pos++;
                e = new Node.Neg(exponent());
                return e;
            } else if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                e = number();
            } else {
                e = primary();
            }
            ws();
            if (peek('^')) {
                pos++;
                return new Node.Bin('^', e, exponent());
            }
            return e;
        } finally {
            depth--;
        }
    }

    private Node postfix() throws ParseException {
        Node p = primary();
        while (true) {
            ws();
            if (peek('!') && !s.startsWith("!=", pos)) {
                pos++;
                p = new Node.Fn("fact", p, null);
            } else if (peek('%')) {
                pos++;
                p = new Node.Percent(p);
            } else {
                return p;
            }
        }
    }

    private Node primary() throws ParseException {
        enter();
        budget.step();
        try {
            ws();
            if (pos >= s.length()) {
                throw new ParseException("unexpected end");
            }
            char c = s.charAt(pos);
            if (Character.isDigit(c) || (c == '.' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)))) {
                return number();
            }
            if (isLetter(c)) {
                return word();
            }
            switch (c) {
                case '(', '[' -> {
                    return bracket();
                }
                case '{' -> {
                    pos++;
                    return groupOrSet();
                }
                case '|' -> {
                    pos++;
                    Node inner = expr();
                    expect("|");
                    return new Node.Fn("abs", inner, null);
                }
                case '\\' -> {
                    return command();
                }
                default -> throw new ParseException("unexpected '" + c + "'");
            }
        } finally {
            depth--;
        }
    }

    /** {@code (a)} and {@code [a]} are groups; two or more items make a tuple or interval; brackets may mix. */
    private Node bracket() throws ParseException {
        String open = String.valueOf(s.charAt(pos++));
        ws();
        List<Node> items = new ArrayList<>();
        if (!peekAny(")]")) {
            items.add(relation());
            while (peek(',')) {
                pos++;
                items.add(relation());
            }
        }
        ws();
        if (!peekAny(")]")) {
            throw new ParseException("expected ) or ] at " + pos);
        }
        String close = String.valueOf(s.charAt(pos++));
        if (items.size() == 1 && (open + close).matches("\\(\\)|\\[\\]")) {
            return items.get(0);
        }
        return new Node.Seq(open, close, List.copyOf(items));
    }

    /** After a plain {@code {}: a group, or (with commas) a set as in plain text {@code {1,2}}. */
    private Node groupOrSet() throws ParseException {
        List<Node> items = new ArrayList<>();
        ws();
        if (peek('}')) {
            pos++;
            return new Node.Seq("{", "}", List.of());
        }
        items.add(relation());
        while (peek(',')) {
            pos++;
            items.add(relation());
        }
        expect("}");
        return items.size() == 1 ? items.get(0) : new Node.Seq("{", "}", List.copyOf(items));
    }

    private Node groupUntil(char close) throws ParseException {
        Node n = expr();
        expect(String.valueOf(close));
        return n;
    }

    private Node number() throws ParseException {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        String intPart = s.substring(start, pos);
        String frac = "";
        if (peek('.') && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1))) {
            int fs = ++pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            frac = s.substring(fs, pos);
        } else if (peek('.') && !intPart.isEmpty() && (pos + 1 >= s.length() || !Character.isDigit(s.charAt(pos + 1)))) {
            pos++; // "5." is 5
        }
        if (intPart.length() + frac.length() > MAX_NUMBER_DIGITS) {
            throw new ParseException("number with more than " + MAX_NUMBER_DIGITS + " digits");
        }
        if (peek('_')) {
            pos++;
            return new Node.Lit(intPart + frac + "_" + subscript());
        }
        BigInteger digits = new BigInteger(intPart.isEmpty() ? "0" + frac : intPart + frac);
        Node n = new Node.Num(new BigFraction(digits, BigInteger.TEN.pow(frac.length())));
        // Scientific notation 1e5 / 2.5E-3: only with a digit after the e, so that 2e stays 2·e.
        if (peekAny("eE")) {
            int p = pos + 1;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                p++;
            }
            if (p < s.length() && Character.isDigit(s.charAt(p))) {
                int es = pos + 1;
                pos = p;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                String exp = s.substring(es, pos).replace("+", "");
                if (exp.replace("-", "").length() > 9) {
                    throw new ParseException("exponent too long");
                }
                Node e = new Node.Num(new BigFraction(Long.parseLong(exp)));
                n = new Node.Bin('*', n, new Node.Bin('^', new Node.Num(BigFraction.TWO.multiply(5)), e));
            }
        }
        return n;
    }

    private String subscript() throws ParseException {
        if (peek('{')) {
            int close = matchBrace(pos);
            String sub = s.substring(pos + 1, close).trim();
            pos = close + 1;
            return sub;
        }
        if (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
            return String.valueOf(s.charAt(pos++));
        }
        throw new ParseException("bad subscript");
    }

    private Node word() throws ParseException {
        int start = pos;
        while (pos < s.length() && isLetter(s.charAt(pos))) {
            pos++;
        }
        String w = s.substring(start, pos);
        switch (w) {
            case "pi" -> {
                return new Node.Sym("pi");
            }
            case "inf", "infty", "infinity" -> {
                return new Node.Sym("infty");
            }
            case "sqrt" -> {
                return new Node.Fn("sqrt", functionArgument(), null);
            }
            default -> { }
        }
        if (FUNCTIONS.contains(w)) {
            return function(w);
        }
        if (w.length() == 1) {
            if (peek('_')) {
                pos++;
                return new Node.Sym(w + "_" + subscript());
            }
            return new Node.Sym(w);
        }
        if (w.length() == 2) {
            return new Node.Bin('*', new Node.Sym(w.substring(0, 1)), new Node.Sym(w.substring(1)));
        }
        throw new ParseException("word '" + w + "'");
    }

    private Node function(String name) throws ParseException {
        Node base = null;
        if (name.equals("log") && peek('_')) {
            pos++;
            base = macroArgument();
        }
        ws();
        if (peek('^')) { // \sin^2 x is (\sin x)^2
            pos++;
            Node p = exponent();
            return new Node.Bin('^', new Node.Fn(name, functionArgument(), base), p);
        }
        return new Node.Fn(name, functionArgument(), base);
    }

    private Node functionArgument() throws ParseException {
        ws();
        if (peek('(') || peek('{')) {
            return primary();
        }
        return power();
    }

    private Node command() throws ParseException {
        int start = pos++;
        if (pos >= s.length()) {
            throw new ParseException("trailing backslash");
        }
        if (!isLetter(s.charAt(pos))) {
            char c = s.charAt(pos++);
            if (c == '{') {
                return setUntilBrace();
            }
            throw new ParseException("unexpected \\" + c);
        }
        while (pos < s.length() && isLetter(s.charAt(pos))) {
            pos++;
        }
        String name = s.substring(start + 1, pos);
        switch (name) {
            case "frac", "dfrac", "tfrac", "cfrac" -> {
                Node a = macroArgument();
                Node b = macroArgument();
                return new Node.Bin('/', a, b);
            }
            case "sqrt" -> {
                Node index = null;
                ws();
                if (peek('[')) {
                    pos++;
                    index = groupUntil(']');
                }
                return new Node.Fn("sqrt", macroArgument(), index);
            }
            case "binom", "dbinom", "tbinom" -> {
                Node n = macroArgument();
                Node k = macroArgument();
                return new Node.Fn("binom", n, k);
            }
            case "pi" -> {
                return new Node.Sym("pi");
            }
            case "infty", "infin" -> {
                return new Node.Sym("infty");
            }
            case "emptyset", "varnothing" -> {
                return new Node.Seq("{", "}", List.of());
            }
            case "lfloor", "lceil" -> {
                Node inner = expr();
                ws();
                String close = name.equals("lfloor") ? "\\rfloor" : "\\rceil";
                expect(close);
                return new Node.Fn(name.substring(1), inner, null);
            }
            case "left", "right", "bigl", "bigr" -> {
                return primary();
            }
            case "begin" -> {
                return matrix();
            }
            case "mathrm", "text", "mathbf", "operatorname", "textbf", "mbox" -> {
                ws();
                if (!peek('{')) {
                    throw new ParseException("\\" + name + " without braces");
                }
                int close = matchBrace(pos);
                String inner = s.substring(pos + 1, close).trim();
                pos = close + 1;
                if (inner.length() == 1 && isLetter(inner.charAt(0))) {
                    return new Node.Sym(inner);
                }
                if (FUNCTIONS.contains(inner)) {
                    return function(inner);
                }
                throw new ParseException("text '" + inner + "'");
            }
            default -> { }
        }
        if (FUNCTIONS.contains(name)) {
            return function(name);
        }
        if (GREEK.contains(name)) {
            return new Node.Sym(name);
        }
        throw new ParseException("unknown command \\" + name);
    }

    private Node setUntilBrace() throws ParseException {
        ws();
        List<Node> items = new ArrayList<>();
        if (!s.startsWith("\\}", pos)) {
            items.add(relation());
            while (peek(',')) {
                pos++;
                items.add(relation());
            }
        }
        expect("\\}");
        return new Node.Seq("{", "}", List.copyOf(items));
    }

    /** {@code \begin{pmatrix} a & b \\ c & d \end{pmatrix}} (also bmatrix, matrix, array). */
    private Node matrix() throws ParseException {
        ws();
        if (!peek('{')) {
            throw new ParseException("\\begin without environment");
        }
        int close = matchBrace(pos);
        String env = s.substring(pos + 1, close).trim();
        pos = close + 1;
        if (!Set.of("pmatrix", "bmatrix", "matrix", "array", "smallmatrix", "Bmatrix").contains(env)) {
            throw new ParseException("environment " + env);
        }
        ws();
        if (env.equals("array") && peek('{')) {
            pos = matchBrace(pos) + 1; // column spec
        }
        List<List<Node>> rows = new ArrayList<>();
        List<Node> row = new ArrayList<>();
        while (true) {
            budget.step();
            ws();
            if (s.startsWith("\\end", pos)) {
                pos += 4;
                ws();
                if (peek('{')) {
                    pos = matchBrace(pos) + 1;
                }
                if (!row.isEmpty()) {
                    rows.add(List.copyOf(row));
                }
                break;
            }
            row.add(relation());
            ws();
            if (peek('&')) {
                pos++;
            } else if (s.startsWith("\\\\", pos)) {
                pos += 2;
                rows.add(List.copyOf(row));
                row = new ArrayList<>();
            } else if (!s.startsWith("\\end", pos)) {
                throw new ParseException("bad matrix at " + pos);
            }
        }
        if (rows.isEmpty()) {
            throw new ParseException("empty matrix");
        }
        int w = rows.get(0).size();
        for (List<Node> r : rows) {
            if (r.size() != w) {
                throw new ParseException("ragged matrix");
            }
        }
        return new Node.Matrix(List.copyOf(rows));
    }

    /** One LaTeX macro argument: a braced group, a command, or a single character ({@code \frac34}). */
    private Node macroArgument() throws ParseException {
        ws();
        if (pos >= s.length()) {
            throw new ParseException("missing argument");
        }
        char c = s.charAt(pos);
        if (c == '{') {
            pos++;
            return groupUntil('}');
        }
        if (c == '\\') {
            return command();
        }
        if (Character.isDigit(c)) {
            pos++;
            return new Node.Num(new BigFraction(c - '0'));
        }
        if (isLetter(c)) {
            pos++;
            return new Node.Sym(String.valueOf(c));
        }
        throw new ParseException("bad argument '" + c + "'");
    }

    private boolean startsImplicitFactor() {
        if (pos >= s.length()) {
            return false;
        }
        char c = s.charAt(pos);
        // A digit does not start an implicit factor: "2 3" is not 6 (it is more likely a separator error).
        if (isLetter(c) || c == '(' || c == '{') {
            return true;
        }
        if (c == '\\' && pos + 1 < s.length() && isLetter(s.charAt(pos + 1))) {
            int e = pos + 1;
            while (e < s.length() && isLetter(s.charAt(e))) {
                e++;
            }
            String name = s.substring(pos + 1, e);
            return VALUE_COMMANDS.contains(name) || FUNCTIONS.contains(name) || GREEK.contains(name);
        }
        return false;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private int matchBrace(int open) throws ParseException {
        int d = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                d++;
            } else if (c == '}' && --d == 0) {
                return i;
            }
        }
        throw new ParseException("unbalanced {");
    }

    private void enter() throws ParseException {
        if (++depth > MAX_DEPTH) {
            depth--;
            throw new ParseException("nested deeper than " + MAX_DEPTH);
        }
    }

    private void expect(String t) throws ParseException {
        ws();
        if (!s.startsWith(t, pos)) {
            throw new ParseException("expected " + t + " at " + pos);
        }
        pos += t.length();
    }

    private boolean lookingAtCommand(String name) {
        ws();
        return s.startsWith("\\" + name, pos) && !letterAt(pos + 1 + name.length());
    }

    private void skipCommand() {
        pos++;
        while (pos < s.length() && isLetter(s.charAt(pos))) {
            pos++;
        }
    }

    private boolean letterAt(int i) {
        return i < s.length() && isLetter(s.charAt(i));
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private boolean peekAny(String cs) {
        return pos < s.length() && cs.indexOf(s.charAt(pos)) >= 0;
    }

    private void ws() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }
}
