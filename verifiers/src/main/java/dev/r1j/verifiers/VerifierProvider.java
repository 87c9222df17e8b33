package dev.r1j.verifiers;

import java.util.List;
import java.util.Map;

/**
 * Makes configured verifiers of one kind. Found by {@link java.util.ServiceLoader}: a plugin jar lists its
 * providers in {@code META-INF/services/dev.r1j.verifiers.VerifierProvider}.
 *
 * <pre>{@code
 * public final class PalindromeProvider implements VerifierProvider {
 *     public String name() { return "palindrome"; }
 *     public Verifier create(Map<String, Object> options) { return new PalindromeVerifier(); }
 * }
 * }</pre>
 */
public interface VerifierProvider {
    /** The name recipes use, unique across the classpath. */
    String name();

    /** One line of help for {@code recipe explain} and error messages. */
    default String description() {
        return "";
    }

    /**
     * The options {@link #create} accepts, for {@code recipe explain verifiers}; a provider that declares them can
     * validate with {@link VerifierOptions#of(VerifierProvider, Map)} so the list and the check cannot differ.
     * Empty by default (the provider documents its options elsewhere).
     */
    default List<VerifierOption> options() {
        return List.of();
    }

    /**
     * Builds a verifier from the recipe's options; an unknown or ill-typed option is an
     * {@link IllegalArgumentException} naming the option.
     */
    Verifier create(Map<String, Object> options);
}
