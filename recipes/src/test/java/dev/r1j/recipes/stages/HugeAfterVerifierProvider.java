package dev.r1j.recipes.stages;

import dev.r1j.core.train.StopRequest;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test verifier {@code digits_then_huge}: the share of digits in the completion (a dense reward, so that even an
 * untrained model's completions differ and GRPO moves it) for the first {@code from_call} calls of an instance, then absurd finite rewards up to 3e38 (a buggy reward scale: with {@code scale_rewards: none} the
 * advantages are of that size and the float32 loss overflows). {@code from_call: 0} never turns. Used to stop a GRPO
 * run at a chosen step with a real non-finite loss. The size depends on the completion's text, so that the
 * completions of a group (almost always) differ and their advantages are not all zero. {@code stop_at_call: n}
 * requests a {@link StopRequest} at its n-th call (1-based), as a SIGTERM arriving in the middle of a step would.
 */
public final class HugeAfterVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return "digits_then_huge";
    }

    @Override
    public String description() {
        return "share of digits, then rewards near the float32 maximum after from_call calls (tests only)";
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(name(), options, "from_call", "stop_at_call");
        int from = (int) o.integer("from_call", 0, 0, Integer.MAX_VALUE);
        int stopAt = (int) o.integer("stop_at_call", 0, 0, Integer.MAX_VALUE);
        AtomicInteger calls = new AtomicInteger();
        return new Verifier() {
            @Override
            public String name() {
                return "digits_then_huge";
            }

            @Override
            public Verdict verify(dev.r1j.verifiers.Sample sample) {
                int call = calls.getAndIncrement();
                if (stopAt > 0 && call + 1 == stopAt) StopRequest.request("test stop in the middle of a step");
                if (from > 0 && call >= from) {
                    return Verdict.of(3e38 * ((sample.completion().hashCode() & 7) + 1) / 8, "turned huge");
                }
                String c = sample.completion();
                long digits = c.chars().filter(Character::isDigit).count();
                return Verdict.of(c.isEmpty() ? 0 : digits / (double) c.length(), "digit share");
            }
        };
    }
}
