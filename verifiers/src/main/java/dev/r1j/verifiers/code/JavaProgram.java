package dev.r1j.verifiers.code;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java sources to compile and the test classes to run, built from a completion's code and a reference row.
 * The code is the completion's last {@code java} (or untagged) fenced block, else the whole completion. Reference
 * field {@code tests} is either
 * <ul>
 *   <li>Java source of one or more test classes (it declares a {@code class}): each no-argument method annotated with
 *       {@code @Test} is one test, run on a fresh instance like JUnit 5 (the harness ships {@code org.junit.jupiter.api.Test}
 *       and the usual {@code Assertions}: equals, true/false, null, arrays, throws); a test class without
 *       {@code @Test} methods but with a static {@code main} is one test that passes when main returns normally;</li>
 *   <li>or statements (a list, or a string with one statement per line), each one test, e.g.
 *       {@code "assert Solution.add(1, 2) == 3;"} or {@code "assertEquals(3, Solution.add(1, 2));"}; they are
 *       wrapped into a generated class that imports {@code java.util.*}, the Assertions and the code's package.</li>
 * </ul>
 * Source file names follow the public top-level type ({@code public class Solution} → {@code Solution.java}), and the
 * {@code package} line, as javac requires.
 *
 * <pre>{@code
 * JavaProgram p = JavaProgram.build("public class Solution { static int add(int a, int b) { return a + b; } }",
 *         Map.of("tests", List.of("assertEquals(3, Solution.add(1, 2));")));
 * // p.sources() = {Solution.java=…, R1jStatementTests.java=…}, p.testClasses() = [R1jStatementTests]
 * }</pre>
 *
 * @param sources     path relative to the source root → source text, in compilation order
 * @param testClasses binary names of the classes whose tests run, in order
 */
public record JavaProgram(Map<String, String> sources, List<String> testClasses) {
    /** The fence tags taken as Java code. */
    public static final Set<String> FENCE_TAGS = Set.of("", "java");
    static final String STATEMENT_CLASS = "R1jStatementTests";

    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^\\s*public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)");
    private static final Pattern TOP_LEVEL_CLASS = Pattern.compile(
            "(?m)^(?:(?:public|final|abstract|strictfp)\\s+)*class\\s+(\\w+)");
    private static final Pattern DECLARES_CLASS = Pattern.compile("(?m)^\\s*(?:(?:public|final|abstract)\\s+)*class\\s+\\w+");

    public JavaProgram {
        sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        testClasses = List.copyOf(testClasses);
    }

    /** Builds from the extracted code and a reference row; a bad reference is an IllegalArgumentException. */
    public static JavaProgram build(String code, Map<String, Object> reference) {
        Object tests = reference.get("tests");
        if (tests == null || (tests instanceof String s && s.isBlank()) || (tests instanceof List<?> l && l.isEmpty())) {
            throw new IllegalArgumentException("reference has no 'tests': nothing to check");
        }
        Map<String, String> sources = new LinkedHashMap<>();
        String codePackage = packageOf(code);
        String codePath = path(codePackage, publicType(code, "R1jProgram"));
        sources.put(codePath, code);
        List<String> testClasses = new ArrayList<>();
        String testText;
        if (tests instanceof String s && DECLARES_CLASS.matcher(s).find()) {
            testText = s;
            String pkg = packageOf(s);
            Matcher m = TOP_LEVEL_CLASS.matcher(s);
            while (m.find()) {
                testClasses.add(pkg.isEmpty() ? m.group(1) : pkg + "." + m.group(1));
            }
            if (testClasses.isEmpty()) {
                throw new IllegalArgumentException("reference field 'tests' declares no top-level class (write 'class X' at"
                        + " the start of a line)");
            }
            String testPath = path(pkg, publicType(s, "R1jTests"));
            if (sources.containsKey(testPath)) {
                throw new IllegalArgumentException("the code and the tests both define " + testPath);
            }
            sources.put(testPath, testText);
        } else {
            testText = statementClass(statements(tests), codePackage);
            testClasses.add(STATEMENT_CLASS);
            sources.put(STATEMENT_CLASS + ".java", testText);
        }
        return new JavaProgram(sources, testClasses);
    }

    static List<String> statements(Object tests) {
        List<String> out = new ArrayList<>();
        if (tests instanceof String s) {
            s.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(out::add);
        } else if (tests instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String s)) {
                    throw new IllegalArgumentException("reference field 'tests'[" + i + "] must be a string, got "
                            + (list.get(i) == null ? "null" : list.get(i).getClass().getSimpleName()));
                }
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        } else {
            throw new IllegalArgumentException("reference field 'tests' must be Java source, a string or a list of strings, got "
                    + tests.getClass().getSimpleName());
        }
        return out;
    }

    private static String statementClass(List<String> statements, String codePackage) {
        StringBuilder sb = new StringBuilder();
        sb.append("import static org.junit.jupiter.api.Assertions.*;\nimport org.junit.jupiter.api.Test;\nimport java.util.*;\n");
        if (!codePackage.isEmpty()) {
            sb.append("import ").append(codePackage).append(".*;\n");
        }
        sb.append("\npublic class ").append(STATEMENT_CLASS).append(" {\n");
        for (int i = 0; i < statements.size(); i++) {
            String st = statements.get(i);
            sb.append(String.format(Locale.ROOT, "    @Test\n    public void test%03d() throws Throwable {\n        %s%s\n    }\n",
                    i, st, st.endsWith(";") || st.endsWith("}") ? "" : ";"));
        }
        return sb.append("}\n").toString();
    }

    private static String packageOf(String source) {
        Matcher m = PACKAGE.matcher(source);
        return m.find() ? m.group(1) : "";
    }

    private static String publicType(String source, String fallback) {
        Matcher m = PUBLIC_TYPE.matcher(source);
        return m.find() ? m.group(1) : fallback;
    }

    private static String path(String pkg, String type) {
        return (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + type + ".java";
    }
}
