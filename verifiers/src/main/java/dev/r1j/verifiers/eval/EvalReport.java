package dev.r1j.verifiers.eval;

import dev.r1j.verifiers.math.MathEquivalence;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Benchmark metrics over problems, each with a 95% confidence interval over problems ({@link ConfidenceInterval#of}:
 * Wilson for 0/1 per-problem values, else a seeded percentile bootstrap):
 * <ul>
 *   <li>{@code pass@1}: the mean over problems of the share of correct samples ({@code c/n}), i.e. pass@1 averaged
 *       over all n samples rather than judged on one;</li>
 *   <li>{@code pass@k}: the mean over problems of the unbiased estimator {@link PassAtK#estimate}(n, c, k);</li>
 *   <li>{@code maj@k}: per problem, a {@link MajorityVote} over the extracted answers of the first k samples (answers
 *       grouped by the given equivalence, by default {@link MathEquivalence}); the problem counts as solved when the
 *       winning cluster's first sample is correct (no answer at all: unsolved);</li>
 *   <li>the mean completion length and the share of truncated completions, over all samples.</li>
 * </ul>
 * k ranges over the requested values (by default 1, 2, 4, … up to the smallest per-problem sample count n, and n
 * itself); maj@k is reported for k ≥ 2.
 *
 * <pre>{@code
 * EvalReport r = EvalReport.of(results);
 * r.passAtK().get(1).value();  r.majAtK().get(8).ci95().low();
 * Map<String, Object> json = r.toJson();   // {"problems": 500, "pass@1": 0.41, "pass@1_ci95": [0.37, 0.45], …}
 * }</pre>
 */
public record EvalReport(int problems, int samplesPerProblem, Map<Integer, Metric> passAtK, Map<Integer, Metric> majAtK,
                         double meanCompletionLength, double truncatedShare) {

    /** A metric's value and its 95% interval. */
    public record Metric(double value, ConfidenceInterval ci95) {}

    public EvalReport {
        passAtK = Collections.unmodifiableMap(new TreeMap<>(passAtK));
        majAtK = Collections.unmodifiableMap(new TreeMap<>(majAtK));
    }

    /** The report with the default k values and math equivalence for voting. */
    public static EvalReport of(List<ProblemResult> results) {
        return of(results, defaultKs(minSamples(results)), MathEquivalence.defaults()::equivalent);
    }

    /**
     * @param ks the k values, each in [1, smallest per-problem sample count]
     * @param equivalent whether two extracted answers vote together
     */
    public static EvalReport of(List<ProblemResult> results, List<Integer> ks, BiPredicate<String, String> equivalent) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("an evaluation report needs at least one problem");
        }
        int nMin = minSamples(results);
        for (int k : ks) {
            if (k < 1 || k > nMin) {
                throw new IllegalArgumentException("k=" + k + " is outside [1, " + nMin + "] (the fewest samples of a problem)");
            }
        }
        Map<Integer, Metric> pass = new LinkedHashMap<>();
        Map<Integer, Metric> maj = new LinkedHashMap<>();
        for (int k : new TreeSet<>(ks)) {
            double[] per = new double[results.size()];
            for (int i = 0; i < per.length; i++) {
                ProblemResult p = results.get(i);
                per[i] = PassAtK.estimate(p.n(), p.correct(), k);
            }
            pass.put(k, metric(per));
            if (k >= 2) {
                double[] solved = new double[results.size()];
                for (int i = 0; i < solved.length; i++) {
                    solved[i] = majorityCorrect(results.get(i).samples().subList(0, k), equivalent) ? 1.0 : 0.0;
                }
                maj.put(k, metric(solved));
            }
        }
        long samples = 0;
        double length = 0;
        long truncated = 0;
        for (ProblemResult p : results) {
            for (SampleResult s : p.samples()) {
                samples++;
                length += s.length();
                truncated += s.truncated() ? 1 : 0;
            }
        }
        return new EvalReport(results.size(), nMin, pass, maj, length / samples, (double) truncated / samples);
    }

    static boolean majorityCorrect(List<SampleResult> samples, BiPredicate<String, String> equivalent) {
        List<String> answers = new ArrayList<>(samples.size());
        for (SampleResult s : samples) {
            answers.add(s.answer());
        }
        MajorityVote.Result r = MajorityVote.vote(answers, equivalent);
        return r.hasWinner() && samples.get(r.index()).correct();
    }

    private static Metric metric(double[] perProblem) {
        double sum = 0;
        for (double v : perProblem) {
            sum += v;
        }
        return new Metric(sum / perProblem.length, ConfidenceInterval.of(perProblem));
    }

    static int minSamples(List<ProblemResult> results) {
        return results.stream().mapToInt(ProblemResult::n).min().orElse(0);
    }

    /** 1, 2, 4, … ≤ n, and n. */
    static List<Integer> defaultKs(int n) {
        TreeSet<Integer> ks = new TreeSet<>();
        for (int k = 1; k <= n; k *= 2) {
            ks.add(k);
        }
        if (n >= 1) {
            ks.add(n);
        }
        return List.copyOf(ks);
    }

    /** pass@1 (the mean share of correct samples). */
    public Metric pass1() {
        return passAtK.get(1);
    }

    /** A flat JSON-ready map: {@code problems}, {@code samples_per_problem}, {@code pass@k}, {@code pass@k_ci95}, … */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("problems", problems);
        m.put("samples_per_problem", samplesPerProblem);
        passAtK.forEach((k, v) -> put(m, "pass@" + k, v));
        majAtK.forEach((k, v) -> put(m, "maj@" + k, v));
        m.put("completion_len_mean", meanCompletionLength);
        m.put("truncated_frac", truncatedShare);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Metric v) {
        m.put(key, v.value());
        m.put(key + "_ci95", List.of(v.ci95().low(), v.ci95().high()));
    }
}
