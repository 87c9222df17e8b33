package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.DeadlineCharSequence;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewards explicit step-by-step reasoning (open-r1's {@code reasoning_steps_reward}): counts step markers and gives
 * {@code min(1, count / target)}. The default markers are open-r1's: {@code Step N:}, a line starting with
 * {@code N.}, a line starting with {@code -} or {@code *}, and {@code First,}, {@code Second,}, {@code Next,},
 * {@code Finally,}. Unlike open-r1 (whose {@code ^\d+\.} only matches at the very start of the text) a numbered item
 * counts on every line.
 *
 * <pre>{@code
 * Verifier v = new ReasoningStepsVerifier(ReasoningStepsVerifier.DEFAULT_PATTERN, 3, 200);
 * v.verify(new Sample("", "Step 1: add. Step 2: halve.", Map.of())).reward();   // 2 of 3: 0.667
 * }</pre>
 */
public final class ReasoningStepsVerifier implements Verifier {
    /** open-r1's markers, multi-line. */
    public static final Pattern DEFAULT_PATTERN =
            Pattern.compile("Step \\d+:|^\\d+\\.|\\n-|\\n\\*|First,|Second,|Next,|Finally,", Pattern.MULTILINE);

    private final Pattern pattern;
    private final int target;
    private final long timeoutMillis;

    /** @param target the number of steps that earns the full reward, ≥ 1 */
    public ReasoningStepsVerifier(Pattern pattern, int target, long timeoutMillis) {
        if (target < 1) {
            throw new IllegalArgumentException("verifier 'reasoning_steps': target must be >= 1, got " + target);
        }
        this.pattern = pattern;
        this.target = target;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return "reasoning_steps";
    }

    @Override
    public Verdict verify(Sample sample) {
        int count = 0;
        try {
            Matcher m = pattern.matcher(DeadlineCharSequence.withBudget(sample.completion(), timeoutMillis));
            while (m.find()) {
                count++;
            }
        } catch (DeadlineCharSequence.DeadlineExceededException e) {
            return Verdict.of(0.0, "step count exceeded " + timeoutMillis + " ms");
        }
        return new Verdict(Math.min(1.0, (double) count / target), count + " step markers (target " + target + ")",
                Map.of("steps", count));
    }
}
