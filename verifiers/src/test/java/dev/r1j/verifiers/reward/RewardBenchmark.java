package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rewards per second of each reward on 10,000 generated completions (single thread, after a warm-up pass), and of
 * the composite of all of them. The completions mix well- and badly-formatted ones, correct and wrong answers,
 * repetitive loops, mixed scripts and numbered steps, 40 to ~6000 characters long; half carry a token count.
 * The Java code verifier is timed separately on a few samples (one sandboxed JVM each).
 *
 * <p>Run: {@code mvn -B -Pbench -pl verifiers test -Dtest=RewardBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class RewardBenchmark {
    private static final String[] WORDS = {"the", "sum", "of", "two", "numbers", "is", "therefore", "we", "add", "carry",
        "divide", "both", "sides", "by", "so", "x", "equals", "check", "again", "wait"};
    private static final String[] FOREIGN = {"我们", "因此", "что", "значит", "لذلك", "だから"};

    static List<Sample> completions(int n, long seed) {
        Random rnd = new Random(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int answer = rnd.nextInt(1000);
            StringBuilder think = new StringBuilder();
            int words = 8 + rnd.nextInt(rnd.nextInt(10) == 0 ? 1200 : 300);
            boolean loop = rnd.nextInt(8) == 0;
            for (int w = 0; w < words; w++) {
                if (rnd.nextInt(40) == 0) {
                    think.append("\nStep ").append(w / 40 + 1).append(": ");
                }
                if (loop && w > 20) {
                    think.append(WORDS[w % 4]).append(' ');
                } else if (rnd.nextInt(25) == 0) {
                    think.append(FOREIGN[rnd.nextInt(FOREIGN.length)]).append(' ');
                } else {
                    think.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
                }
            }
            int given = rnd.nextBoolean() ? answer : answer + 1 + rnd.nextInt(5);
            String completion = switch (rnd.nextInt(4)) {
                case 0 -> "<think>" + think + "</think><answer>" + given + "</answer>";
                case 1 -> "<think>" + think + "</think>\nSo the answer is \\boxed{" + given + "}.";
                case 2 -> think + " " + given;
                default -> "<think>" + think + "<answer>" + given;
            };
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("answer", Integer.toString(answer));
            if (rnd.nextBoolean()) {
                ref.put(CompletionLength.TOKENS_KEY, completion.length() / 4);
            }
            out.add(new Sample("What is it?", completion, ref));
        }
        return out;
    }

    private static double rate(Verifier v, List<Sample> samples) {
        double sink = 0;
        for (Sample s : samples) {
            sink += v.verify(s).reward();      // warm-up
        }
        long t0 = System.nanoTime();
        for (Sample s : samples) {
            sink += v.verify(s).reward();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (Double.isNaN(sink)) {
            throw new AssertionError("NaN reward");
        }
        return samples.size() / seconds;
    }

    @Test
    void rewardsPerSecond() {
        VerifierRegistry reg = VerifierRegistry.defaultRegistry();
        List<Sample> samples = completions(10_000, 42);
        double chars = samples.stream().mapToInt(s -> s.completion().length()).average().orElseThrow();
        System.out.printf("10000 completions, mean %.0f characters%n", chars);
        Map<String, Verifier> rewards = new LinkedHashMap<>();
        rewards.put("format (think_answer)", reg.create("format", Map.of()));
        rewards.put("format (tag_count)", reg.create("format", Map.of("mode", "tag_count")));
        rewards.put("language_consistency", reg.create("language_consistency", Map.of()));
        rewards.put("cosine_length (math inside)", reg.create("cosine_length", Map.of()));
        rewards.put("repetition", reg.create("repetition", Map.of()));
        rewards.put("overlong", reg.create("overlong", Map.of()));
        rewards.put("reasoning_steps", reg.create("reasoning_steps", Map.of()));
        rewards.put("math", reg.create("math", Map.of()));
        rewards.put("composite of all 7 (math gated by format)", CompositeVerifier.fromSpecs(reg, List.of(
                Map.of("name", "math", "gate", "format"), Map.of("name", "format", "weight", 0.1),
                "language_consistency", "cosine_length", "repetition", "overlong", "reasoning_steps")));
        System.out.printf("%-45s %12s %10s%n", "reward", "rewards/s", "us each");
        for (Map.Entry<String, Verifier> e : rewards.entrySet()) {
            double r = rate(e.getValue(), samples);
            System.out.printf("%-45s %12.0f %10.1f%n", e.getKey(), r, 1e6 / r);
        }
        Verifier java = reg.create("code_java", Map.of());
        List<Sample> javaSamples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            javaSamples.add(new Sample("", "```java\npublic class Solution { static int sq(int x) { return x * x" + (i % 2 == 0 ? "" : " + 1")
                    + "; } }\n```", Map.of("tests", List.of("assertEquals(" + (i * i) + ", Solution.sq(" + i + "));"))));
        }
        long t0 = System.nanoTime();
        double passed = 0;
        for (Sample s : javaSamples) {
            Verdict v = java.verify(s);
            passed += v.reward();
        }
        double each = (System.nanoTime() - t0) / 1e9 / javaSamples.size();
        System.out.printf("%-45s %12.2f %10.0f   (%.0f of %d passed, as expected 3)%n", "code_java (sandboxed JVM each)",
                1 / each, each * 1e6, passed, javaSamples.size());
    }
}
