package dev.r1j.verifiers.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierProvider;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@code recipe explain verifiers} lists is what the providers accept. */
class CodeProviderOptionsTest {
    @Test
    void codeVerifiersListTheKeysTheyParse() {
        Set<String> code = keys(new CodeVerifierProvider());
        Set<String> want = new HashSet<>(CodeVerifierOptions.KEYS);
        want.add("java");
        assertEquals(want, code);
        assertEquals(Set.copyOf(JavaCodeOptions.KEYS), keys(new JavaCodeVerifierProvider()));
    }

    @Test
    void everyCoreVerifierDeclaresItsOptions() {
        VerifierRegistry registry = VerifierRegistry.defaultRegistry();
        for (String name : registry.names()) {
            VerifierProvider p = registry.provider(name);
            assertFalse(p.options().isEmpty(), name + " declares no options");
            for (VerifierOption o : p.options()) {
                assertFalse(o.help().isBlank() || o.defaultValue().isBlank(), name + "." + o.key());
            }
        }
    }

    private static Set<String> keys(VerifierProvider p) {
        return p.options().stream().map(VerifierOption::key).collect(Collectors.toSet());
    }
}
