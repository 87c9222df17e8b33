package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.env.Conversation;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Multi-turn tool use from Java: an environment from the registry ({@code calculator}), a {@link ToolRunner} around
 * it (call parsing, timeout, bounded output), a {@link LocalSampler} that runs episodes with it, and the
 * {@link GrpoTrainer}, which trains on the model's tokens only and logs {@code tools/*} metrics.
 *
 * <p>First it answers a hand-written model turn, to show the exact text a call gets back; then it runs GRPO steps on
 * a random tiny model over multiplication prompts with the {@code math} verifier. A random model hardly ever writes a
 * whole call, so the tool-use rate here stays near 0: {@code r1-tool.yaml} starts from a model pretrained to call the
 * tool sometimes, and GRPO makes it the habit. Swap in {@code Checkpoint.load} of such a model for the real thing.
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.ToolUseFromJava [steps]}
 */
public final class ToolUseFromJava {
    private ToolUseFromJava() {}

    /** Every printable ASCII character and the newline: any tool output encodes. */
    static final String ALPHABET;

    static {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) sb.append(c);
        ALPHABET = sb.toString();
    }

    /** The text appended to a hand-written turn that calls the calculator, and the GRPO steps' metrics. */
    public record Result(String turn, String observation, List<GrpoStepMetrics> steps) {}

    public static Result run(int steps, long seed, Consumer<GrpoStepMetrics> onStep) {
        EnvironmentConfig env = EnvironmentConfig.of("calculator").withMaxTurns(3).withMaxTotalTokens(48);
        try (ToolRunner tools = ToolRunner.create(env)) {
            // 1. One call as the model would write it, answered as the sampler answers it
            String turn = "I use the tool.\n```calculator\n347*85\n```";
            ToolRunner.Outcome answer = tools.submit(Conversation.start("347*85=")
                    .with(Conversation.Message.assistant(turn)), turn).join();
            String observation = env.format().observation(turn, answer.output());

            // 2. GRPO whose rollouts are episodes: a paused row's call runs while the others decode
            SplittableRandom r = new SplittableRandom(seed);
            List<Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int a = 100 + r.nextInt(900), b = 10 + r.nextInt(90);
                prompts.add(new Prompt(a + "*" + b + "=", Map.of("answer", Integer.toString(a * b))));
            }
            CharTokenizer tokenizer = new CharTokenizer(ALPHABET, null);
            Verifier reward = VerifierRegistry.defaultRegistry().create("math", Map.of());
            GrpoConfig config = GrpoConfig.builder().groupSize(4).promptsPerStep(4).maxNewTokens(16)
                    .learningRate(1e-3).steps(steps).seed(seed).build();
            try (NDManager manager = Djl.newManager();
                    Transformer policy = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, seed);
                    GrpoTrainer trainer = new GrpoTrainer(policy, null,
                            new LocalSampler(policy, tokenizer).withTools(tools), reward, config)) {
                return new Result(turn, observation, trainer.train(new PromptSource(prompts, seed), onStep));
            }
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Result r = run(steps, 42L, m -> System.out.printf(Locale.ROOT,
                "step %2d  reward %.3f  turns %.2f  tool calls %.2f  tool use %.2f  %.2f s%n", m.step(), m.rewardMean(),
                m.extra().get("tools/turns_mean"), m.extra().get("tools/tool_calls_mean"), m.extra().get("tools/tool_use_frac"),
                m.stepS()));
        System.out.println("a call and its answer:\n" + r.turn() + r.observation());
    }
}
