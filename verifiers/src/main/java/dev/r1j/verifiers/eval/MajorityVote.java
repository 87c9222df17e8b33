package dev.r1j.verifiers.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Majority voting over extracted answers (the maj@k / self-consistency metric): answers are grouped into clusters
 * of mutually equivalent answers (each answer joins the first cluster whose first answer it is equivalent to, e.g.
 * by {@link dev.r1j.verifiers.math.MathEquivalence}, so "0.5", "1/2" and "\frac{1}{2}" vote together), and the
 * largest cluster wins. Ties go to the cluster whose first answer came earliest, so the result depends only on the
 * order of the samples. Missing answers ({@code null}: nothing extracted) do not vote.
 *
 * <pre>{@code
 * MajorityVote.Result r = MajorityVote.vote(List.of("2", "3", "2.0", "3"), MathEquivalence.defaults()::equivalent);
 * r.answer();   // "2": clusters {2, 2.0} and {3, 3} tie at 2 votes, and "2" came first
 * }</pre>
 */
public final class MajorityVote {
    private MajorityVote() {}

    /**
     * The winning cluster.
     *
     * @param index the sample index of the cluster's first answer, or -1 when no sample had an answer
     * @param answer that answer, or null
     * @param votes the cluster's size
     * @param clusters every cluster as a list of sample indices, in order of first appearance
     */
    public record Result(int index, String answer, int votes, List<List<Integer>> clusters) {
        public boolean hasWinner() {
            return index >= 0;
        }
    }

    public static Result vote(List<String> answers, BiPredicate<String, String> equivalent) {
        List<List<Integer>> clusters = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i);
            if (a == null) {
                continue;
            }
            List<Integer> home = null;
            for (List<Integer> c : clusters) {
                String rep = answers.get(c.get(0));
                if (rep.equals(a) || equivalent.test(rep, a)) {
                    home = c;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                clusters.add(home);
            }
            home.add(i);
        }
        List<Integer> best = null;
        for (List<Integer> c : clusters) {
            if (best == null || c.size() > best.size()) {
                best = c; // strict '>' keeps the earliest cluster on a tie
            }
        }
        List<List<Integer>> frozen = clusters.stream().map(List::copyOf).toList();
        return best == null ? new Result(-1, null, 0, frozen)
                : new Result(best.get(0), answers.get(best.get(0)), best.size(), frozen);
    }
}
