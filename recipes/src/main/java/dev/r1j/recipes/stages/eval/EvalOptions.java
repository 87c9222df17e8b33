package dev.r1j.recipes.stages.eval;

import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.DatasetSpec;
import java.util.List;

/**
 * Options of the {@code eval} stage: greedy exact-match accuracy by default, or the mean over {@code samples}
 * completions per problem at a temperature (pass@1 averaged over samples).
 *
 * <pre>{@code
 * - eval: {dataset: ${run_dir}/data/arith-test.jsonl, label: base}
 * }</pre>
 */
public record EvalOptions(
        @Help("held-out problems (JSONL with prompt and answer)") DatasetSpec dataset,
        @Help("verifiers whose weighted sum is the reported mean reward") @Default("[math]") List<VerifierSpec> verifiers,
        @Help("the verifier deciding exact-match accuracy (correct when its reward is >= 1); its extracted answers "
                + "vote in maj@k") @Default("math")
                VerifierSpec exactMatch,
        @Help("row label in the results table; null: the stage id") @Default("null") String label,
        @Help("completions per problem, k: accuracy is their mean (pass@1); k > 1 also reports pass@k (unbiased) and "
                + "maj@k (majority vote over equivalent answers)") @Default("1") int samples,
        @Help("sampling temperature; 0 = greedy (then samples must be 1)") @Default("0.0") double temperature,
        @Help("nucleus sampling mass, 1 = off (Holtzman et al. 2020)") @Default("1.0") double topP,
        @Help("maximum completion length in tokens") @Default("64") int maxNewTokens,
        @Help("strings that end a completion") @Default("[]") List<String> stop,
        @Help("multi-turn tool use, as in the grpo stage (the same keys); null: single-turn") @Default("null")
                EnvironmentConfig environment,
        @Help("prompts per generation batch") @Default("100") int batchSize,
        @Help("sampling seed (in a recipe: the recipe's seed)") @Default("0") long seed,
        @Help("how the stage runs the engine (num_threads, device)") @Inline EngineOptions engine,
        @Help("where completions are sampled: on the trainer (the default), or on a fleet of inference servers "
                + "(servers: [URL, ...]) that get this stage's model pushed first") RolloutOptions rollout,
        @Help("start from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model) {

    public EvalOptions {
        if (rollout == null) throw new IllegalArgumentException("rollout must be given");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (temperature == 0 && samples > 1) {
            throw new IllegalArgumentException("samples = " + samples + " with temperature 0 would repeat the greedy "
                    + "completion; set a temperature > 0 or samples: 1");
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (maxNewTokens < 1) throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        VerifierSpec.checkGates("verifiers", verifiers);
        if (exactMatch != null && exactMatch.gate() != null) {
            throw new IllegalArgumentException("exact_match.gate: the exact-match verifier stands alone; gate a reward "
                    + "in verifiers instead");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** The sampling parameters of the evaluation with this seed. */
    public SamplingParams samplingParams(long seed) {
        return new SamplingParams(samples, maxNewTokens, temperature, topP, 0, stop, seed);
    }
}
