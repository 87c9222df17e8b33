package dev.r1j.core.testing;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The one engine/manager set-up for tests, shared through rl-core's test-jar: gives each {@link RootManager} field of a
 * test class its own root manager from {@link Djl#newManager()} before all tests and closes it (freeing its native
 * memory, sub-managers included) after all tests, then clears the field so a leaked reference fails fast. Register it
 * by annotating the field; a non-static or non-{@code NDManager} field is a configuration error naming the field.
 *
 * <pre>{@code
 * @RootManager static NDManager root;
 * }</pre>
 */
public final class RootManagerExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RootManagerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (context.getStore(NAMESPACE).get(context.getRequiredTestClass()) != null) {
            return; // registered once per annotated field: the first registration fills them all
        }
        List<Field> fields = fields(context.getRequiredTestClass());
        List<NDManager> opened = new ArrayList<>();
        for (Field f : fields) {
            NDManager manager = Djl.newManager();
            opened.add(manager);
            f.set(null, manager);
        }
        context.getStore(NAMESPACE).put(context.getRequiredTestClass(), opened);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        @SuppressWarnings("unchecked")
        List<NDManager> opened = (List<NDManager>) context.getStore(NAMESPACE).remove(context.getRequiredTestClass());
        for (Field f : fields(context.getRequiredTestClass())) {
            f.set(null, null);
        }
        if (opened != null) {
            for (NDManager m : opened) {
                m.close();
            }
        }
    }

    private static List<Field> fields(Class<?> testClass) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, RootManager.class, f -> true,
                HierarchyTraversalMode.TOP_DOWN);
        for (Field f : fields) {
            String name = testClass.getSimpleName() + "." + f.getName();
            if (!Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
                throw new ExtensionConfigurationException("@RootManager field " + name
                        + " must be static and not final: the extension sets it for the whole test class");
            }
            if (f.getType() != NDManager.class) {
                throw new ExtensionConfigurationException("@RootManager field " + name
                        + " must be of type NDManager, not " + f.getType().getSimpleName());
            }
            f.setAccessible(true);
        }
        return fields;
    }
}
