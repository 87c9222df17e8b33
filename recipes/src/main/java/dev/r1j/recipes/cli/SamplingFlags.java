package dev.r1j.recipes.cli;

import dev.r1j.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The sampling flags of the commands that sample from a model ({@code generate}, {@code eval}), declared once as a
 * picocli mixin: {@code --temperature}, {@code --top-p}, {@code --top-k}, {@code --max-new-tokens}, {@code --stop},
 * {@code --seed} and {@code --batch-size}. A command passes its {@link Defaults} (where the commands differ) and builds
 * the library's {@link SamplingParams} with {@link #params}; the completions per prompt stay the command's own flag
 * ({@code generate -n}, {@code eval -k}).
 *
 * <pre>{@code
 * @Mixin SamplingFlags sampling = new SamplingFlags(SamplingFlags.Defaults.GENERATE);
 * ...
 * sampling.validate();                           // before the model loads: a usage error naming the flag
 * SamplingParams p = sampling.params(n);         // n completions per prompt, --seed
 * }</pre>
 */
final class SamplingFlags {
    /** The temperature when {@code --temperature} is not given, except where {@link Defaults#greedyForOneSample}. */
    static final double TEMPERATURE = 1.0;

    /**
     * Where the sampling commands' defaults differ, in one place. {@code eval} measures a model: greedy decoding
     * when it takes one completion per problem (accuracy of the model's most likely answer, as the {@code eval}
     * stage), room for benchmark-length answers, and larger batches; {@code generate} explores what a model writes.
     *
     * @param maxNewTokens default of {@code --max-new-tokens}
     * @param batchSize default of {@code --batch-size}
     * @param greedyForOneSample whether one completion per prompt without {@code --temperature} decodes greedily
     *     (temperature 0) instead of at {@link #TEMPERATURE}
     */
    record Defaults(int maxNewTokens, int batchSize, boolean greedyForOneSample) {
        static final Defaults EVAL = new Defaults(256, 16, true);
        static final Defaults GENERATE = new Defaults(64, 8, false);
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final Defaults defaults;

    // Null when not given: the default depends on the command and, in eval, on -k (see Defaults).
    @Option(names = "--temperature", paramLabel = "T",
            description = "Sampling temperature; 0 is greedy (default: " + TEMPERATURE + ").")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Nucleus sampling mass in (0, 1]; 1 is off (default: ${DEFAULT-VALUE}).")
    double topP = 1.0;

    @Option(names = "--top-k", paramLabel = "K",
            description = "Keep the K most likely tokens; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK = 0;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens per completion (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "A string that ends a completion (cut from the text); repeatable.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--batch-size", paramLabel = "N", description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** The flags of a command whose defaults are {@code defaults}. */
    SamplingFlags(Defaults defaults) {
        this.defaults = defaults;
        this.maxNewTokens = defaults.maxNewTokens();
        this.batchSize = defaults.batchSize();
    }

    /** The flags' values as checked before anything loads; a bad one is a usage error naming its flag. */
    void validate() {
        if (maxNewTokens < 1) throw usage("--max-new-tokens must be at least 1, got " + maxNewTokens);
        if (temperature != null && !(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw usage("--temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw usage("--top-p must be in (0, 1], got " + topP);
        if (topK < 0) throw usage("--top-k must be >= 0 (0 is off), got " + topK);
        if (batchSize < 1) throw usage("--batch-size must be at least 1, got " + batchSize);
        for (String s : stop) if (s.isEmpty()) throw usage("--stop strings must be non-empty");
    }

    /** The temperature sampling {@code groupSize} completions per prompt uses: the flag, else the command's default. */
    double temperature(int groupSize) {
        if (temperature != null) return temperature;
        return defaults.greedyForOneSample() && groupSize == 1 ? 0.0 : TEMPERATURE;
    }

    /** {@link #params(int, long)} with {@code --seed}. */
    SamplingParams params(int groupSize) {
        return params(groupSize, seed);
    }

    /** The flags as the library's sampling parameters, {@code groupSize} completions per prompt, with {@code seed}. */
    SamplingParams params(int groupSize, long seed) {
        validate();
        return new SamplingParams(groupSize, maxNewTokens, temperature(groupSize), topP, topK, stop, seed);
    }

    /** {@code --seed}: where a command derives its own seeds from. */
    long seed() {
        return seed;
    }

    /** {@code --batch-size}: prompts decoded together. */
    int batchSize() {
        return batchSize;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }
}
