package dev.r1j.verifiers.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatVerifierTest {
    private static final VerifierRegistry REG = VerifierRegistry.defaultRegistry();

    private static double score(Verifier v, String completion) {
        return v.verify(new Sample("", completion, Map.of())).reward();
    }

    @Test
    void thinkAnswerShape() {
        Verifier f = REG.create("format", Map.of());
        assertEquals(1.0, score(f, "<think>2+2 is 4</think><answer>4</answer>"));
        assertEquals(1.0, score(f, "  <think>\nmulti\nline\n</think>\n\n<answer> 4 </answer>\n"));
        assertEquals(0.0, score(f, "<think>2+2</think>4"));
        assertEquals(0.0, score(f, "<answer>4</answer><think>x</think>"));
        assertEquals(0.0, score(f, "Sure! <think>x</think><answer>4</answer>"));
        assertEquals(0.0, score(f, "<think>x</think><answer>4</answer> trailing"));
        assertEquals(0.0, score(f, "<think>a<think>b</think><answer>4</answer>"));
        assertEquals(0.0, score(f, "<think>x</think><answer>4</answer><answer>5</answer>"));
        Verdict v = f.verify(new Sample("", "<think>x</think>", Map.of()));
        assertTrue(v.reason().contains("<answer> appears 0x"), v.reason());
    }

    @Test
    void partialCreditCountsTagsPresentExactlyOnce() {
        Verifier f = REG.create("format", Map.of("partial", true));
        assertEquals(1.0, score(f, "<think>x</think><answer>4</answer>"));
        assertEquals(0.5, score(f, "<think>x</think> so 4"));
        assertEquals(0.75, score(f, "<think>x</think><answer>4"));
        // All four tags once but in the wrong order: 4 x 0.25 would reward a wrong shape fully, so the
        // credit of a shape miss is capped at 0.75.
        assertEquals(0.75, score(f, "<answer>4</answer><think>x</think>"));
        assertEquals(0.0, score(f, "no tags at all"));
    }

    @Test
    void boxedAtTheEnd() {
        Verifier f = REG.create("format", Map.of("mode", "boxed"));
        assertEquals(1.0, score(f, "so the answer is $\\boxed{\\frac{1}{2}}$."));
        assertEquals(1.0, score(f, "\\[ x = \\boxed{ {a}{b} } \\]"));
        assertEquals(0.0, score(f, "\\boxed{3} and then more words"));
        assertEquals(0.0, score(f, "\\boxed{\\frac{1}{2}"));
        assertEquals(0.0, score(f, "no box"));
    }

    @Test
    void customRegexAndItsErrors() {
        Verifier f = REG.create("format", Map.of("pattern", ".*Answer: \\d+\\s*"));
        assertEquals(1.0, score(f, "work...\nAnswer: 42\n"));
        assertEquals(0.0, score(f, "work...\nAnswer: forty-two"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> REG.create("format", Map.of("pattern", "(")))
                .getMessage().contains("option 'pattern'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> REG.create("format", Map.of("mode", "xml")))
                .getMessage().contains("expected one of think_answer, tag_count, boxed, regex"));
    }

    @Test
    void catastrophicBacktrackingIsCutOffByTheTimeBudget() {
        Verifier f = REG.create("format", Map.of("pattern", "(.*a){20}", "timeout_ms", 50));
        // Measured: about 16 s for 30 characters without the budget (nested quantifiers backtrack exponentially).
        String hostile = "a".repeat(30) + "d";
        Verdict v = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> f.verify(new Sample("", hostile, Map.of())));
        assertEquals(0.0, v.reward());
        assertTrue(v.reason().contains("exceeded"), v.reason());
    }

    @Test
    void megabyteCompletionIsFast() {
        Verifier f = REG.create("format", Map.of());
        String big = "<think>" + "x".repeat(5_000_000) + "</think><answer>1</answer>";
        assertEquals(1.0, assertTimeoutPreemptively(Duration.ofSeconds(5), () -> score(f, big)));
    }
}
