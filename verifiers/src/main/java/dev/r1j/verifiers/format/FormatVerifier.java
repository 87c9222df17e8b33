package dev.r1j.verifiers.format;

import dev.r1j.verifiers.DeadlineCharSequence;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rewards a completion for having the required shape (not for being right):
 * <ul>
 *   <li>{@code think_answer} (default): exactly {@code <think>…</think><answer>…</answer>}, nothing but
 *       whitespace around, each tag exactly once;</li>
 *   <li>{@code boxed}: the completion ends with a balanced {@code \boxed{…}} (trailing whitespace,
 *       {@code $}, {@code .}, {@code \]} or {@code \)} allowed);</li>
 *   <li>{@code regex}: a custom {@code pattern} (Java syntax, DOTALL) must match the whole completion;</li>
 *   <li>{@code tag_count}: partial credit, 0.25 for each of the four tags that is correctly placed: it appears
 *       exactly once and on the right side of every other tag that appears exactly once (open-r1's
 *       {@code tag_count_reward}, which counts tags only, plus the order). Text around the tags is not judged, so
 *       the full shape earns 1 and {@code "<think>a</think> 4"} earns 0.5.</li>
 * </ul>
 * Reward 1 or 0 with a reason. With {@code partial=true} and {@code think_answer}, a shape miss still earns
 * 0.25 for each of the four tags present exactly once, at most 0.75 (the "tag count" reward of open-r1), so early training
 * sees a gradient toward the format.
 *
 * <pre>{@code
 * Verifier f = new FormatVerifier(FormatVerifier.Mode.THINK_ANSWER, null, false, 200);
 * f.verify(new Sample("", "<think>1+1=2</think><answer>2</answer>", Map.of())).reward();  // 1.0
 * }</pre>
 */
public final class FormatVerifier implements Verifier {
    public enum Mode { THINK_ANSWER, TAG_COUNT, BOXED, REGEX }

    private static final String[] TAGS = {"<think>", "</think>", "<answer>", "</answer>"};
    private static final Pattern BOXED_TAIL = Pattern.compile("[\\s$.]*(?:\\\\[\\])][\\s$.]*)?");

    private final Mode mode;
    private final Pattern pattern;
    private final boolean partial;
    private final long timeoutMillis;

    /**
     * @param pattern required for {@link Mode#REGEX}, ignored otherwise
     * @param timeoutMillis bound on the regex match (a hostile pattern or input cannot hang a rollout)
     */
    public FormatVerifier(Mode mode, Pattern pattern, boolean partial, long timeoutMillis) {
        this.mode = mode;
        if (mode == Mode.REGEX && pattern == null) {
            throw new IllegalArgumentException("verifier 'format': mode regex needs a 'pattern'");
        }
        this.pattern = pattern;
        this.partial = partial;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return "format";
    }

    @Override
    public Verdict verify(Sample sample) {
        String c = sample.completion();
        try {
            return switch (mode) {
                case THINK_ANSWER -> thinkAnswer(c);
                case TAG_COUNT -> tagCount(c);
                case BOXED -> boxed(c);
                case REGEX -> pattern.matcher(DeadlineCharSequence.withBudget(c, timeoutMillis)).matches()
                        ? Verdict.of(1.0, "matches the format pattern")
                        : Verdict.of(0.0, "does not match the format pattern");
            };
        } catch (DeadlineCharSequence.DeadlineExceededException e) {
            return Verdict.of(0.0, "format check exceeded " + timeoutMillis + " ms");
        }
    }

    private Verdict thinkAnswer(String c) {
        int[] counts = new int[TAGS.length];
        for (int i = 0; i < TAGS.length; i++) {
            counts[i] = count(c, TAGS[i]);
        }
        boolean once = true;
        for (int n : counts) {
            once &= n == 1;
        }
        if (once && inOrder(c)) {
            return Verdict.of(1.0, "<think>…</think><answer>…</answer> format");
        }
        StringBuilder why = new StringBuilder();
        double credit = 0;
        for (int i = 0; i < TAGS.length; i++) {
            if (counts[i] == 1) {
                credit += 0.25;
            } else {
                why.append(why.length() == 0 ? "" : ", ").append(TAGS[i]).append(" appears ").append(counts[i]).append("x");
            }
        }
        String reason = why.length() > 0 ? "format violated: " + why
                : "format violated: tags out of order or text outside <think>…</think><answer>…</answer>";
        // Only the full shape earns 1: four well-counted tags in the wrong order stay below it.
        return Verdict.of(partial ? Math.min(credit, 0.75) : 0.0, reason);
    }

    private static Verdict tagCount(String c) {
        int[] pos = new int[TAGS.length];
        for (int i = 0; i < TAGS.length; i++) {
            pos[i] = count(c, TAGS[i]) == 1 ? c.indexOf(TAGS[i]) : -1;
        }
        double credit = 0;
        StringBuilder placed = new StringBuilder();
        for (int i = 0; i < TAGS.length; i++) {
            boolean ok = pos[i] >= 0;
            for (int j = 0; j < TAGS.length && ok; j++) {
                // tag j belongs before tag i exactly when j < i
                ok = j == i || pos[j] < 0 || (j < i) == (pos[j] < pos[i]);
            }
            if (ok) {
                credit += 0.25;
                placed.append(placed.length() == 0 ? "" : " ").append(TAGS[i]);
            }
        }
        return new Verdict(credit, credit == 0 ? "no tag correctly placed" : "correctly placed: " + placed,
                Map.of("tags_placed", (int) Math.round(credit * 4)));
    }

    /**
     * With each tag present once: {@code <think>} first (after whitespace), {@code </think>}, only whitespace,
     * {@code <answer>}, {@code </answer>}, only whitespace. Index arithmetic rather than a regex keeps it linear
     * and independent of the regex time budget on megabyte completions.
     */
    private static boolean inOrder(String c) {
        int t0 = c.indexOf(TAGS[0]);
        int t1 = c.indexOf(TAGS[1]);
        int a0 = c.indexOf(TAGS[2]);
        int a1 = c.indexOf(TAGS[3]);
        return t0 < t1 && t1 < a0 && a0 < a1
                && blank(c, 0, t0) && blank(c, t1 + TAGS[1].length(), a0) && blank(c, a1 + TAGS[3].length(), c.length());
    }

    private static boolean blank(String c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(c.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static Verdict boxed(String c) {
        int at = c.lastIndexOf("\\boxed");
        if (at < 0) {
            return Verdict.of(0.0, "format violated: no \\boxed{} found");
        }
        int i = at + "\\boxed".length();
        while (i < c.length() && c.charAt(i) == ' ') {
            i++;
        }
        if (i >= c.length() || c.charAt(i) != '{') {
            return Verdict.of(0.0, "format violated: last \\boxed has no {…} argument");
        }
        int depth = 0;
        int end = -1;
        for (int j = i; j < c.length(); j++) {
            char ch = c.charAt(j);
            if (ch == '{') {
                depth++;
            } else if (ch == '}' && --depth == 0) {
                end = j + 1;
                break;
            }
        }
        if (end < 0) {
            return Verdict.of(0.0, "format violated: unbalanced braces in the last \\boxed{}");
        }
        if (!BOXED_TAIL.matcher(c.substring(end)).matches()) {
            return Verdict.of(0.0, "format violated: text after the last \\boxed{}");
        }
        return Verdict.of(1.0, "ends with \\boxed{}");
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public String toString() {
        return "FormatVerifier" + Map.of("mode", mode, "partial", partial);
    }
}
