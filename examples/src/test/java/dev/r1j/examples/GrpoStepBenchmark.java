package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.LossType;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.rollout.DecodeStats;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.sft.LmTrainer;
import dev.r1j.sft.LmTrainerConfig;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the time of a GRPO step goes, in r1-zero-like settings: generation ({@link LocalSampler}), reward
 * (math + format verifiers), reference/old log-probs (a no-grad forward each, when {@code beta > 0} or
 * {@code num_iterations > 1}) and the update (forward + backward + AdamW, {@code num_iterations} times), as
 * fractions of the step, for {@code beta} in {0, 0.04} and {@code num_iterations} in {1, 2}.
 *
 * <p>The model is a llama-shaped {@link Transformer} over {@link ArithmeticVocabulary}, briefly pretrained on
 * rl-core's arithmetic corpus (so that completions have the task's shape and lengths, and rewards are not all zero;
 * {@code -Dbench.pretrainSteps=0} keeps it random, which makes every completion run to {@code max_new_tokens}).
 * Each setting starts from the same base checkpoint, takes one warm-up step, then {@code bench.steps} timed steps.
 *
 * <p>Settings (system properties, defaults in brackets): {@code bench.hidden} [128], {@code bench.layers} [2],
 * {@code bench.heads} [4], {@code bench.kvHeads} [2], {@code bench.intermediate} [344], {@code bench.groupSize} [8],
 * {@code bench.prompts} [8], {@code bench.maxNewTokens} [64], {@code bench.steps} [4], {@code bench.betas}
 * [0,0.04], {@code bench.iterations} [1,2], {@code bench.lr} [1e-5], {@code bench.pretrainSteps} [300],
 * {@code bench.baseDir} [a temporary directory; when given and present, the pretrained base is reused from it].
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=GrpoStepBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.layers=4 -Dbench.prompts=16 -Dbench.maxNewTokens=96]
 * </pre>
 */
class GrpoStepBenchmark {
    private static int intProp(String k, int d) {
        return Integer.getInteger("bench." + k, d);
    }

    private static double doubleProp(String k, double d) {
        String v = System.getProperty("bench." + k);
        return v == null ? d : Double.parseDouble(v);
    }

    private static double[] listProp(String k, String d) {
        return Arrays.stream(System.getProperty("bench." + k, d).split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    @Test
    void stepTimeBreakdown(@TempDir Path dir) throws Exception {
        int hidden = intProp("hidden", 128), layers = intProp("layers", 2), heads = intProp("heads", 4);
        int kvHeads = intProp("kvHeads", 2), intermediate = intProp("intermediate", 344);
        int groupSize = intProp("groupSize", 8), prompts = intProp("prompts", 8), maxNew = intProp("maxNewTokens", 64);
        int steps = intProp("steps", 4), pretrainSteps = intProp("pretrainSteps", 300);
        double lr = doubleProp("lr", 1e-5);
        double[] betas = listProp("betas", "0,0.04");
        double[] iterations = listProp("iterations", "1,2");

        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(20_000, 2_000, 0, 0));
        List<Prompt> train = task.trainProblems().stream()
                .map(p -> new Prompt(p.prompt(), Map.of("answer", Long.toString(p.answer())))).toList();
        Verifier reward = CompositeVerifier.fromSpecs(VerifierRegistry.defaultRegistry(), List.of(
                Map.of("name", "math", "weight", 1.0), Map.of("name", "format", "weight", 0.1)));
        ModelConfig mc = ModelConfig.llama(tok.vocabSize(), hidden, intermediate, layers, heads, kvHeads, 256);
        System.out.printf(Locale.ROOT, "GRPO step benchmark: llama hidden %d, %d layers, %d/%d heads, intermediate %d,"
                + " vocab %d; %d prompts x group %d, max_new_tokens %d, lr %.0e; %d timed steps per setting; %d cores,"
                + " load %.2f%n", hidden, layers, heads, kvHeads, intermediate, tok.vocabSize(), prompts, groupSize,
                maxNew, lr, steps, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        String keep = System.getProperty("bench.baseDir");
        Path base = keep != null ? Path.of(keep) : dir.resolve("base");
        if (keep != null && Files.isDirectory(base)) {
            System.out.println("base model: reusing " + base);
        } else {
            pretrainBase(base, mc, tok, task, pretrainSteps);
        }
        System.out.println();
        System.out.println("              wall time per step, split                  | CPU per step      | completions               "
                + "| generation (wall)");
        System.out.println("beta  mu  step_s   gen    reward  logprob update | cpu_s  gen       | tok/s  len   trunc  reward "
                + "| prefill  decode fwd");
        for (double beta : betas) {
            for (double mu : iterations) {
                GrpoConfig cfg = GrpoConfig.builder().groupSize(groupSize).promptsPerStep(prompts).maxNewTokens(maxNew)
                        .temperature(1.0).beta(beta).numIterations((int) mu).clip(0.2, 0.28).lossType(LossType.DAPO)
                        .learningRate(lr).steps(steps + 1).seed(3).build();
                run(base, cfg, train, reward);
            }
        }
    }

    /** A model of shape {@code mc}, pretrained {@code steps} steps on the task's corpus, saved into {@code base}. */
    private static void pretrainBase(Path base, ModelConfig mc, CharTokenizer tok, ArithmeticTask task, int steps) {
        try (NDManager root = Djl.newManager(); Transformer model = Transformer.create(mc, root, 1L)) {
            if (steps > 0) {
                List<TokenSequence> corpus = new ArrayList<>();
                for (ArithmeticTask.CorpusLine l : task.corpus()) corpus.add(TokenSequence.allTokens(ArithmeticVocabulary.withBosEos(tok, l.text())));
                long t0 = System.nanoTime();
                LmTrainer.Result r = new LmTrainer(LmTrainerConfig.builder().steps(steps)
                        .warmupSteps(Math.max(1, steps / 20)).build()).train(model, corpus, tok.padId(), m -> {
                            if (m.step() % 50 == 0) System.out.printf(Locale.ROOT, "  pretrain step %d loss %.3f%n", m.step(), m.loss());
                        });
                System.out.printf(Locale.ROOT, "base model: pretrained %d steps in %.1f s, final loss %.3f%n",
                        steps, (System.nanoTime() - t0) / 1e9, r.finalLoss());
            }
            Checkpoint.save(base, model, tok);
        }
    }

    private static void run(Path base, GrpoConfig cfg, List<Prompt> train, Verifier reward) {
        try (NDManager root = Djl.newManager(); LoadedModel policy = Checkpoint.load(base, root);
                LoadedModel ref = cfg.beta() > 0 ? Checkpoint.load(base, root) : null) {
            LocalSampler sampler = new LocalSampler(policy.model(), policy.tokenizer());
            // Process CPU time of generation: on a shared machine, wall time swings with other processes' load,
            // CPU time much less; the rest of the step's CPU is reward + log-probs + update.
            double[] genCpu = {0};
            Sampler timed = (prompts, params) -> {
                double c0 = cpuSeconds();
                try {
                    return sampler.sample(prompts, params);
                } finally {
                    genCpu[0] += cpuSeconds() - c0;
                }
            };
            try (GrpoTrainer trainer = new GrpoTrainer(policy.model(), ref == null ? null : ref.model(), timed,
                    reward, cfg)) {
                PromptSource source = new PromptSource(train, cfg.seed());
                trainer.step(source); // warm-up: JIT, allocator, first-call costs
                double gen = 0, rew = 0, lp = 0, upd = 0, tokens = 0, len = 0, trunc = 0, rmean = 0;
                double prefill = 0, fwd = 0;
                genCpu[0] = 0;
                double cpu0 = cpuSeconds();
                int n = cfg.steps() - 1;
                for (int i = 0; i < n; i++) {
                    GrpoStepMetrics m = trainer.step(source);
                    DecodeStats d = sampler.lastStats();
                    gen += m.generationS(); rew += m.rewardS(); lp += m.logprobS(); upd += m.updateS();
                    tokens += m.completionTokens(); len += m.completionLenMean(); trunc += m.truncatedFrac();
                    rmean += m.rewardMean();
                    prefill += d.prefillNanos() / 1e9; fwd += d.forwardNanos() / 1e9;
                }
                double cpu = cpuSeconds() - cpu0;
                double wall = gen + rew + lp + upd;
                System.out.printf(Locale.ROOT, "%-5s %-3d %6.2f   %4.0f%%  %5.1f%%  %5.1f%%  %4.0f%%  | %5.2f  %4.0f%%    | %5.0f  %4.1f  %4.2f   %5.3f "
                                + "| %4.0f%%    %4.0f%%%n",
                        cfg.beta(), cfg.numIterations(), wall / n, 100 * gen / wall, 100 * rew / wall, 100 * lp / wall,
                        100 * upd / wall, cpu / n, 100 * genCpu[0] / cpu, tokens / wall, len / n, trunc / n, rmean / n,
                        100 * prefill / gen, 100 * fwd / gen);
            }
        }
    }
}
