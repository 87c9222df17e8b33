package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Provider {@code "language_consistency"} (see {@link LanguageConsistencyVerifier}). Options: {@code script}
 * (a name or a list of names, default {@code latin}); {@code section} ({@code think}, the default: only the chain of
 * thought; or {@code completion}); {@code empty_reward} (reward when there are no letters, default 0);
 * {@code script_key} (a reference field naming a row's own target script, overriding {@code script}; default none).
 *
 * <pre>{@code
 * Verifier v = registry.create("language_consistency", Map.of("script", "cjk"));
 * }</pre>
 */
public final class LanguageConsistencyProvider implements VerifierProvider {
    @Override
    public String name() {
        return "language_consistency";
    }

    @Override
    public String description() {
        return "share of the chain of thought's letters in the target script (DeepSeek-R1's language consistency reward)";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("script", "[latin]", "the target Unicode script(s)"),
                new VerifierOption("section", "think", "think (the chain of thought) or completion (all of it)"),
                new VerifierOption("empty_reward", "0.0", "the reward when the section has no letters"),
                new VerifierOption("script_key", "none", "a dataset field naming the script per row (overrides script)"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        List<String> names = o.strings("script", List.of("latin"));
        boolean thinkOnly = o.choice("section", "think", "think", "completion").equals("think");
        double empty = o.number("empty_reward", 0.0);
        Set<Character.UnicodeScript> scripts;
        try {
            scripts = LanguageConsistencyVerifier.scripts(names);
        } catch (IllegalArgumentException e) {
            throw o.bad("script", o.raw("script"), "script names (" + e.getMessage() + ")");
        }
        return new LanguageConsistencyVerifier(scripts, thinkOnly, empty, o.string("script_key", null));
    }
}
