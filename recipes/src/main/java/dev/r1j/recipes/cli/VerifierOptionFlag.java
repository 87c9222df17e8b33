package dev.r1j.recipes.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The repeatable {@code --option KEY=VALUE} of the commands that build a verifier ({@code verify}, {@code eval}), as a
 * picocli mixin; the values are YAML ({@link KeyValues}).
 *
 * <pre>{@code
 * @Mixin VerifierOptionFlag options;
 * Verifier v = VerifierRegistry.defaultRegistry().create(name, options.values());  // --option tolerance=1e-6
 * }</pre>
 */
final class VerifierOptionFlag {
    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A verifier option; repeatable; the value is YAML "
            + "(math: extraction=strict or lenient; 'recipe explain verifiers' lists every verifier's options).")
    List<String> options = new ArrayList<>();

    /** The options by key; a malformed or repeated one is an error naming {@code --option}. */
    Map<String, Object> values() {
        return KeyValues.parse(options, "--option");
    }
}
