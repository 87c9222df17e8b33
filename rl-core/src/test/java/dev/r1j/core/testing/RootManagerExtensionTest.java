package dev.r1j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs small test classes through the JUnit launcher and checks what {@link RootManagerExtension} did to them. */
class RootManagerExtensionTest {

    /** What the sample classes saw while their tests ran. */
    static final Map<String, NDManager> seen = new TreeMap<>();

    /**
     * Runs the sample classes only when {@link #run} launches them: selected by a build's test filter (surefire's
     * {@code -Dtest=...} pattern can match nested classes) they are skipped, since two of them fail on purpose.
     */
    static final class OnlyWhenLaunched implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(LAUNCHED).isPresent()
                    ? ConditionEvaluationResult.enabled("launched by RootManagerExtensionTest")
                    : ConditionEvaluationResult.disabled("a sample class of RootManagerExtensionTest");
        }
    }

    private static final String LAUNCHED = "r1j.rootManagerExtensionTest.launched";

    @ExtendWith(OnlyWhenLaunched.class)
    static class Sample {
        @RootManager static NDManager root;
        @RootManager static NDManager other;

        @Test
        void first() {
            seen.put("first.root", root);
            seen.put("first.other", other);
            try (NDManager m = root.newSubManager()) {
                NDArray x = m.create(new float[] {1, 2});
                assertEquals(3f, x.sum().getFloat());
            }
        }

        @Test
        void second() {
            seen.put("second.root", root);
        }
    }

    @ExtendWith(OnlyWhenLaunched.class)
    static class NotStatic {
        @RootManager NDManager root;

        @Test
        void never() {}
    }

    @ExtendWith(OnlyWhenLaunched.class)
    static class WrongType {
        @RootManager static String root;

        @Test
        void never() {}
    }

    private static TestExecutionSummary run(Class<?> c) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(
                LauncherDiscoveryRequestBuilder.request().selectors(DiscoverySelectors.selectClass(c))
                        .configurationParameter(LAUNCHED, "true").build(),
                listener);
        return listener.getSummary();
    }

    private static String failure(TestExecutionSummary s) {
        assertEquals(1, s.getFailures().size(), "one failure expected");
        return s.getFailures().get(0).getException().getMessage();
    }

    @Test
    void oneOpenRootPerFieldSharedByTheClassesTestsAndClosedAfterThem() {
        seen.clear();
        TestExecutionSummary s = run(Sample.class);
        assertEquals(2, s.getTestsSucceededCount(), () -> s.getFailures().toString());
        assertEquals(0, s.getTotalFailureCount());
        assertEquals(3, seen.size());
        NDManager root = seen.get("first.root");
        assertNotNull(root);
        assertNotSame(root, seen.get("first.other"), "each field gets its own manager");
        assertSame(root, seen.get("second.root"), "the tests of one class share the root");
        assertFalse(root.isOpen(), "closed after the class");
        assertFalse(seen.get("first.other").isOpen(), "closed after the class");
        assertNull(Sample.root, "the field is cleared");
        assertNull(Sample.other, "the field is cleared");

        seen.clear();
        run(Sample.class);
        assertNotSame(root, seen.get("first.root"), "a new root for each run of the class");
    }

    @Test
    void aFieldItCannotFillIsAnErrorNamingIt() {
        String notStatic = failure(run(NotStatic.class));
        assertTrue(notStatic.contains("NotStatic.root") && notStatic.contains("static"), notStatic);
        String wrongType = failure(run(WrongType.class));
        assertTrue(wrongType.contains("WrongType.root") && wrongType.contains("NDManager"), wrongType);
    }
}
