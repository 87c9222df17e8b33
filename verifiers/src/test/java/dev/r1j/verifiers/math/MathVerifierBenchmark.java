package dev.r1j.verifiers.math;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verifications per second of the math verifier on MATH-500 and GSM8K reference solutions (single thread), with
 * the share of time spent in each stage. The reference is a plain {@code String.equals} of the extracted box
 * against the answer, measured in the same run, so the ratio says what the mathematics costs on top.
 *
 * <p>Run: {@code mvn -B -Pbench -pl verifiers test -Dtest=MathVerifierBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class MathVerifierBenchmark {
    @Test
    void verificationsPerSecond() {
        Verifier math = VerifierRegistry.defaultRegistry().create("math", Map.of());
        List<JsonNode> m500 = BenchmarkData.jsonl("math500_test.jsonl");
        List<Sample> own = m500.stream()
                .map(r -> new Sample("", r.get("solution").asText(), Map.of("answer", r.get("answer").asText()))).toList();
        List<Sample> other = new java.util.ArrayList<>();
        for (int i = 0; i < m500.size(); i++) {
            other.add(new Sample("", m500.get(i).get("solution").asText(),
                    Map.of("answer", m500.get((i + 97) % m500.size()).get("answer").asText())));
        }
        List<Sample> gsm = BenchmarkData.jsonl("gsm8k_test.jsonl").stream().map(r -> {
            String a = r.get("answer").asText();
            return new Sample("", a, Map.of("answer", a.substring(a.lastIndexOf("####") + 4).strip()));
        }).toList();

        for (int warm = 0; warm < 3; warm++) {
            run(math, own, 1);
            run(math, other, 1);
            run(math, gsm, 1);
        }
        report("MATH-500 solution vs own answer", math, own);
        report("MATH-500 solution vs another answer", math, other);
        report("GSM8K solution vs own answer", math, gsm);

        // Reference in the same run: extraction plus String.equals, no mathematics.
        long t0 = System.nanoTime();
        int n = 0;
        int hits = 0;
        for (int rep = 0; rep < 20; rep++) {
            for (Sample s : other) {
                String box = AnswerExtractor.extract(s.completion(), 100_000).map(AnswerExtractor.Extraction::answer).orElse("");
                hits += box.equals(s.referenceString("answer")) ? 1 : 0;
                n++;
            }
        }
        double refRate = n / ((System.nanoTime() - t0) / 1e9);
        double mathRate = rate(math, other, 20);
        System.out.printf("reference (extract + String.equals): %.0f/s; math verifier: %.0f/s; ratio %.1fx slower (hits %d)%n",
                refRate, mathRate, refRate / mathRate, hits);

        // Where the time goes, on the extracted answers of the cross pairs.
        MathEquivalence eq = MathEquivalence.defaults();
        List<String[]> pairs = other.stream().map(s -> new String[] {s.referenceString("answer"),
                AnswerExtractor.extract(s.completion(), 100_000).get().answer()}).toList();
        long tn = System.nanoTime();
        for (int rep = 0; rep < 20; rep++) {
            for (String[] p : pairs) {
                AnswerNormalizer.normalize(p[0]);
                AnswerNormalizer.normalize(p[1]);
            }
        }
        double normUs = (System.nanoTime() - tn) / 1e3 / (20.0 * pairs.size());
        long tj = System.nanoTime();
        for (int rep = 0; rep < 20; rep++) {
            for (String[] p : pairs) {
                eq.judge(p[0], p[1]);
            }
        }
        double judgeUs = (System.nanoTime() - tj) / 1e3 / (20.0 * pairs.size());
        System.out.printf("per pair: normalising both %.1f us, whole judgement %.1f us%n", normUs, judgeUs);
    }

    private static void report(String what, Verifier v, List<Sample> samples) {
        System.out.printf("%-40s %8.0f verifications/s%n", what, rate(v, samples, 10));
    }

    private static double rate(Verifier v, List<Sample> samples, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            run(v, samples, 1);
        }
        return reps * samples.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double run(Verifier v, List<Sample> samples, int reps) {
        double sum = 0;
        for (int r = 0; r < reps; r++) {
            for (Sample s : samples) {
                sum += v.verify(s).reward();
            }
        }
        return sum;
    }
}
