package dev.r1j.core.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a static {@code NDManager} field of a test class that {@link RootManagerExtension} fills with a DJL root
 * manager (engine started offline through {@code Djl}) before the class's first test and closes after its last, like
 * JUnit's {@code @TempDir}. It replaces the {@code @BeforeAll}/{@code @AfterAll} pair every tensor test used to copy.
 *
 * <pre>{@code
 * class MyTensorTest {
 *     @RootManager static NDManager root;
 *
 *     @Test
 *     void adds() {
 *         try (NDManager m = root.newSubManager()) { ... }
 *     }
 * }
 * }</pre>
 */
@Documented
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RootManagerExtension.class)
public @interface RootManager {}
