package dev.r1j.verifiers.code;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The program to verify, split in the two parts the harness runs separately: the code (HumanEval
 * convention: the row's {@code prompt} first when the code does not itself define {@code entry_point}) and
 * the tests ({@code tests} as a string, or a list of statements such as MBPP's {@code test_list}), with
 * {@code check(entry_point)} appended by the harness when an entry point is given.
 *
 * <pre>{@code
 * PythonProgram p = PythonProgram.build("    return a + b\n",
 *         Map.of("prompt", "def add(a, b):\n", "tests", "def check(f):\n    assert f(1, 2) == 3\n", "entry_point", "add"));
 * // p.code() = "def add(a, b):\n    return a + b\n"
 * }</pre>
 */
public record PythonProgram(String code, String tests, String entryPoint) {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Builds from extracted code and a reference row; bad reference fields are IllegalArgumentException. */
    public static PythonProgram build(String code, Map<String, Object> reference) {
        Object ep = reference.get("entry_point");
        String entry = ep == null || ep.toString().isBlank() ? null : ep.toString().trim();
        if (entry != null && !IDENTIFIER.matcher(entry).matches()) {
            throw new IllegalArgumentException("reference field 'entry_point' must be a Python identifier, got '" + entry + "'");
        }
        String tests = testsText(reference.get("tests"));
        if (tests.isBlank() && entry == null) {
            throw new IllegalArgumentException("reference has no 'tests' and no 'entry_point': nothing to check");
        }
        Object prompt = reference.get("prompt");
        String program = code;
        if (entry != null && prompt != null && !definesName(code, entry)) {
            String p = prompt.toString();
            program = p.endsWith("\n") || code.startsWith("\n") ? p + code : p + "\n" + code;
        }
        return new PythonProgram(program, tests, entry);
    }

    /** True when {@code code} defines {@code name} at any indentation (def, async def, class, assignment). */
    static boolean definesName(String code, String name) {
        String n = Pattern.quote(name);
        return Pattern.compile("(?m)^[ \\t]*(?:(?:async[ \\t]+)?def|class)[ \\t]+" + n + "\\b"
                + "|(?m)^" + n + "[ \\t]*(?::[^=\\n]*)?=(?!=)").matcher(code).find();
    }

    static String testsText(Object tests) {
        if (tests == null) {
            return "";
        }
        if (tests instanceof String s) {
            return s;
        }
        if (tests instanceof List<?> list) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < list.size(); i++) {
                Object o = list.get(i);
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException("reference field 'tests'[" + i + "] must be a string, got "
                            + (o == null ? "null" : o.getClass().getSimpleName()));
                }
                sb.append(s).append('\n');
            }
            return sb.toString();
        }
        throw new IllegalArgumentException("reference field 'tests' must be a string or a list of strings, got "
                + tests.getClass().getSimpleName());
    }

    /** The single-file form (code, tests, check call), e.g. to run outside the harness for comparison. */
    public String asScript() {
        StringBuilder sb = new StringBuilder(code);
        if (!code.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append('\n').append(tests);
        if (entryPoint != null) {
            sb.append("\n\ncheck(").append(entryPoint).append(")\n");
        }
        return sb.toString();
    }
}
