package dev.r1j.verifiers.format;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Provider {@code "format"}. Options: {@code mode} ({@code think_answer} default, {@code tag_count}, {@code boxed},
 * {@code regex});
 * {@code pattern} (Java regex, DOTALL, whole completion; setting it alone implies {@code mode: regex});
 * {@code partial} (default false: tag-count partial credit in {@code think_answer} mode);
 * {@code timeout_ms} (default 200: bound on the regex match).
 *
 * <pre>{@code
 * Verifier f = registry.create("format", Map.of("mode", "boxed"));
 * }</pre>
 */
public final class FormatVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return "format";
    }

    @Override
    public String description() {
        return "1 when the completion has the required shape: <think>…</think><answer>…</answer>, a final \\boxed{}, or a regex";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("mode", "think_answer (regex with a pattern)", "think_answer, tag_count, boxed or regex"),
                new VerifierOption("pattern", "none", "a Java regex the whole completion must match (mode regex; DOTALL)"),
                new VerifierOption("partial", "false", "think_answer: a shape miss earns 0.25 a tag present once (at most 0.75)"),
                new VerifierOption("timeout_ms", "200", "time limit of the regex match, 1..60000 ms"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        String mode = o.choice("mode", o.has("pattern") ? "regex" : "think_answer", "think_answer", "tag_count", "boxed", "regex");
        Pattern p = null;
        if (o.has("pattern")) {
            if (!mode.equals("regex")) {
                throw new IllegalArgumentException("verifier 'format': option 'pattern' needs mode regex, not " + mode);
            }
            try {
                p = Pattern.compile(o.string("pattern", null), Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw o.bad("pattern", o.raw("pattern"), "a valid Java regex (" + e.getDescription() + ")");
            }
        }
        return new FormatVerifier(FormatVerifier.Mode.valueOf(mode.toUpperCase(Locale.ROOT)), p,
                o.bool("partial", false), o.integer("timeout_ms", 200, 1, 60_000));
    }
}
