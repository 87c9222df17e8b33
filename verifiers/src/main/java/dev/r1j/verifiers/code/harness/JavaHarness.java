package dev.r1j.verifiers.code.harness;

// R1J Java code-verifier harness (trusted). Started by JavaCodeVerifier inside the sandbox as
//     java [limits] -cp /tmp/input/harness.jar dev.r1j.verifiers.code.harness.JavaHarness
// (its classes are copied from the verifiers jar into harness.jar; it uses nothing but the JDK).
// stdin: one line, a per-run random nonce. /tmp/input/job.txt lists the sources ("source <input file> <path>") and
// the test classes ("test <binary name>"). The harness compiles everything in-process (javax.tools) before any
// untrusted code runs, loads it in its own class loader (parent: the platform loader, so the code cannot name the
// harness), finds the tests (no-argument methods annotated with any @Test; else a static main), and reports on the
// ORIGINAL stdout: every report line starts with the nonce, which the code never sees (not in argv, env, files or
// its stdin), and "END" is written only after the last test returned. System.out is pointed at stderr first, so the
// code's prints never reach the report channel by accident; the JVM trusts only nonce lines.
//
// Against deliberate forgery: the nonce lives only in local variables of main (no field to reflect on); the JVM runs
// with --limit-modules java.base,jdk.compiler (no sun.misc.Unsafe, no attach API, no management beans/heap dumps);
// and, where the JDK still supports it (17-23), a security manager refuses, whenever a frame of the code under test is
// on the stack: starting processes (no ptrace of this JVM by a child), loading native libraries, class-reference
// stack walking, exiting the VM and replacing the security manager. The residual risks are in JavaCodeVerifier's
// Javadoc.
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;


/**
 * The trusted harness of the Java code verifier, run inside the sandbox (see the comment above and
 * {@code JavaCodeVerifier}); not meant to be called in-process.
 *
 * <pre>{@code
 * java -cp harness.jar dev.r1j.verifiers.code.harness.JavaHarness < nonce   # with /tmp/input/job.txt present
 * }</pre>
 */
public final class JavaHarness {
    private JavaHarness() {
    }

    public static void main(String[] args) throws Exception {
        FileOutputStream report = new FileOutputStream(FileDescriptor.out);
        byte[] stdin = System.in.readAllBytes();
        System.in.close();
        String first = new String(stdin, StandardCharsets.US_ASCII).strip();
        if (!first.matches("[0-9a-f]{32}")) {
            Runtime.getRuntime().halt(4);
        }
        byte[] prefix = (first + " ").getBytes(StandardCharsets.US_ASCII);
        first = null;
        java.util.Arrays.fill(stdin, (byte) 0);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(err);

        List<Source> sources = new ArrayList<>();
        List<String> testClasses = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/tmp/input/job.txt"), StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(" ");
            if (f[0].equals("source") && f.length == 3) {
                sources.add(new Source(f[2], Files.readString(Path.of("/tmp/input", f[1]), StandardCharsets.UTF_8)));
            } else if (f[0].equals("test") && f.length == 2) {
                testClasses.add(f[1]);
            } else if (!line.isBlank()) {
                write(report, prefix, "HARNESS bad job line: " + clean(line, 100));
                Runtime.getRuntime().halt(3);
            }
        }

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            write(report, prefix, "HARNESS no Java compiler in this runtime (a JDK with jdk.compiler is needed)");
            Runtime.getRuntime().halt(3);
        }
        Path classes = Files.createDirectories(Path.of("/tmp/work/r1j-classes"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean compiled;
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            fm.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
            fm.setLocation(StandardLocation.CLASS_PATH, List.of());
            compiled = javac.getTask(null, fm, diagnostics, List.of("-proc:none", "-nowarn", "-g", "-implicit:none"),
                    null, sources).call();
        }
        if (!compiled) {
            String why = "compilation failed";
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String file = d.getSource() == null ? "?" : d.getSource().toUri().getPath().substring(1);
                    why = file + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
                    break;
                }
            }
            write(report, prefix, "BEGIN 0");
            write(report, prefix, "PROGRAM compile " + clean(why, 300));
            write(report, prefix, "END 0 0 0");
            Runtime.getRuntime().halt(0);
        }

        UserLoader loader = new UserLoader(new URL[] {classes.toUri().toURL()});
        List<Method> tests = new ArrayList<>();
        List<Constructor<?>> makers = new ArrayList<>();
        for (String name : testClasses) {
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                write(report, prefix, "HARNESS test class " + clean(name, 80) + " not loadable: " + describe(e));
                Runtime.getRuntime().halt(3);
                return;
            }
            List<Method> found = new ArrayList<>();
            for (Method m : c.getDeclaredMethods()) {
                if (m.getParameterCount() == 0 && annotatedTest(m)) {
                    found.add(m);
                }
            }
            if (found.isEmpty()) {
                try {
                    Method main = c.getDeclaredMethod("main", String[].class);
                    if (Modifier.isStatic(main.getModifiers())) {
                        found.add(main);
                    }
                } catch (NoSuchMethodException e) {
                    // a helper class without tests
                }
            }
            found.sort(Comparator.comparing(Method::getName));
            for (Method m : found) {
                m.setAccessible(true);
                Constructor<?> maker = null;
                if (!Modifier.isStatic(m.getModifiers())) {
                    try {
                        maker = c.getDeclaredConstructor();
                        maker.setAccessible(true);
                    } catch (NoSuchMethodException e) {
                        write(report, prefix, "HARNESS test class " + clean(name, 80) + " has no no-argument constructor");
                        Runtime.getRuntime().halt(3);
                    }
                }
                tests.add(m);
                makers.add(maker);
            }
        }
        write(report, prefix, "BEGIN " + tests.size());
        Thread.currentThread().setContextClassLoader(loader);
        write(report, prefix, "NOTE guard " + (Guard.install(loader) ? "on" : "off"));
        write(report, prefix, "PROGRAM ok");

        int passed = 0;
        for (int i = 0; i < tests.size(); i++) {
            Method m = tests.get(i);
            String label = m.getDeclaringClass().getName() + "." + m.getName();
            String why = null;
            try {
                Object target = makers.get(i) == null ? null : makers.get(i).newInstance();
                if (m.getParameterCount() == 0) {
                    m.invoke(target);
                } else {
                    m.invoke(null, (Object) new String[0]);
                }
            } catch (InvocationTargetException e) {
                why = describe(e.getCause());
            } catch (Throwable t) {
                why = describe(t);
            }
            if (why == null) {
                passed++;
                write(report, prefix, "TEST " + i + " pass");
            } else {
                write(report, prefix, "TEST " + i + " fail " + clean(label, 80) + " " + why);
            }
        }
        write(report, prefix, "END " + passed + " " + tests.size() + " 0");
        Runtime.getRuntime().halt(0);
    }

    private static boolean annotatedTest(Method m) {
        for (java.lang.annotation.Annotation a : m.getDeclaredAnnotations()) {
            if (a.annotationType().getSimpleName().equals("Test")) {
                return true;
            }
        }
        return false;
    }

    /** One report line, in a single write so that it cannot interleave with another writer's bytes. */
    private static void write(FileOutputStream report, byte[] prefix, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[prefix.length + b.length + 1];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        System.arraycopy(b, 0, line, prefix.length, b.length);
        line[line.length - 1] = '\n';
        report.write(line);
        report.flush();
    }

    private static String describe(Throwable t) {
        try {
            StringBuilder sb = new StringBuilder(t.getClass().getName()).append(": ").append(t.getMessage());
            Throwable c = t.getCause();
            for (int depth = 0; c != null && c != t && depth < 3; depth++, t = c, c = c.getCause()) {
                sb.append(" caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
            }
            return clean(sb.toString(), 300);
        } catch (Throwable e) {
            return "exception";
        }
    }

    private static String clean(String s, int limit) {
        String t = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
        return t.length() <= limit ? t : t.substring(0, limit);
    }

    /** A source held in memory; its URI path gives javac the file name it checks public class names against. */
    static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(String path, String text) {
            super(URI.create("string:///" + path), JavaFileObject.Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    /**
     * The loader of the code under test. Assertions are on for every class it defines, and the code cannot switch
     * them off for classes not yet initialised (which would make later {@code assert} statements pass silently).
     */
    static final class UserLoader extends URLClassLoader {
        UserLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
            super.setDefaultAssertionStatus(true);
        }

        @Override
        public void setDefaultAssertionStatus(boolean enabled) {
        }

        @Override
        public void setPackageAssertionStatus(String packageName, boolean enabled) {
        }

        @Override
        public void setClassAssertionStatus(String className, boolean enabled) {
        }

        @Override
        public void clearAssertionStatus() {
        }
    }

    /** Refuses a few permissions whenever a class of the code under test is on the calling stack. */
    @SuppressWarnings("removal")
    static final class Guard extends SecurityManager {
        private final ClassLoader user;

        private Guard(ClassLoader user) {
            this.user = user;
        }

        static boolean install(ClassLoader user) {
            try {
                System.setSecurityManager(new Guard(user));
                return true;
            } catch (UnsupportedOperationException | SecurityException e) {
                return false;
            }
        }

        @Override
        public void checkPermission(Permission perm) {
            String name = perm.getName();
            boolean guarded = perm instanceof RuntimePermission
                    ? name.equals("setSecurityManager") || name.startsWith("exitVM") || name.startsWith("loadLibrary.")
                      || name.equals("getStackWalkerWithClassReference") || name.equals("createSecurityManager")
                    : perm instanceof java.io.FilePermission && perm.getActions().contains("execute");
            if (guarded) {
                for (Class<?> c : getClassContext()) {
                    if (c.getClassLoader() == user) {
                        throw new SecurityException("refused by the R1J harness: " + perm);
                    }
                }
            }
        }

        @Override
        public void checkPermission(Permission perm, Object context) {
            checkPermission(perm);
        }
    }
}
