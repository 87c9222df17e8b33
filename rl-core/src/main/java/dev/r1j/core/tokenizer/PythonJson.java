package dev.r1j.core.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Python's {@code json.dumps} output format, for the {@code tojson} filter of chat templates: {@code transformers}
 * renders tool schemas with {@code json.dumps(x, ensure_ascii=False, indent=indent)}, whose {@code ", "} and
 * {@code ": "} separators and float spelling differ from Jackson's compact output.
 */
final class PythonJson {
    private PythonJson() {}

    /** {@code json.dumps(value, ensure_ascii=ensureAscii, indent=indent, sort_keys=sortKeys)}; indent < 0 = none. */
    static String dumps(Object value, int indent, boolean ensureAscii, boolean sortKeys) {
        StringBuilder b = new StringBuilder();
        write(b, value, indent, 0, ensureAscii, sortKeys);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int indent, int level, boolean ascii, boolean sort) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            b.append(floatRepr(((Number) v).doubleValue()));
        } else if (v instanceof Number n) {
            b.append(n);
        } else if (v instanceof Map<?, ?> map) {
            Map<?, ?> m = sort ? new TreeMap<>(map) : map;
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                newline(b, indent, level + 1);
                string(b, String.valueOf(e.getKey()), ascii);
                b.append(": ");
                write(b, e.getValue(), indent, level + 1, ascii, sort);
                if (it.hasNext()) {
                    b.append(indent < 0 ? ", " : ",");
                }
            }
            newline(b, indent, level);
            b.append('}');
        } else if (v instanceof Iterable<?> list) {
            Iterator<?> it = list.iterator();
            if (!it.hasNext()) {
                b.append("[]");
                return;
            }
            b.append('[');
            while (it.hasNext()) {
                newline(b, indent, level + 1);
                write(b, it.next(), indent, level + 1, ascii, sort);
                if (it.hasNext()) {
                    b.append(indent < 0 ? ", " : ",");
                }
            }
            newline(b, indent, level);
            b.append(']');
        } else if (v instanceof Object[] array) {
            write(b, java.util.Arrays.asList(array), indent, level, ascii, sort);
        } else {
            string(b, v.toString(), ascii);
        }
    }

    private static void newline(StringBuilder b, int indent, int level) {
        if (indent >= 0) {
            b.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void string(StringBuilder b, String s, boolean ascii) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (ascii && c > 0x7e)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Python's float repr: fixed notation for exponents -4..15, else d.ddde+XX. */
    static String floatRepr(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Infinity" : "-Infinity";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        String sign = x < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = bd.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** The {@code tojson} filter with {@code indent}, {@code ensure_ascii} and {@code sort_keys} arguments. */
    static final class ToJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1, false, false);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            boolean ascii = Boolean.TRUE.equals(kwargs.get("ensure_ascii"));
            boolean sort = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            int n = indent == null ? -1 : ((Number) (indent instanceof String s ? Integer.valueOf(s) : indent)).intValue();
            return dumps(var, n, ascii, sort);
        }
    }
}
