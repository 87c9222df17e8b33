package dev.r1j.verifiers.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each reward on hand-written completions; the expected values are worked out in the comments. */
class RewardsTest {
    private static final VerifierRegistry REG = VerifierRegistry.defaultRegistry();
    private static final double EPS = 1e-12;

    private static double score(Verifier v, String completion) {
        return v.verify(new Sample("", completion, Map.of())).reward();
    }

    private static double score(Verifier v, String completion, Map<String, Object> ref) {
        return v.verify(new Sample("", completion, ref)).reward();
    }

    @Test
    void allRewardsAreFoundByName() {
        assertTrue(REG.names().containsAll(List.of("format", "language_consistency", "cosine_length", "repetition",
                "overlong", "reasoning_steps")), REG.names().toString());
    }

    @Test
    void tagCountGivesAQuarterPerCorrectlyPlacedTag() {
        Verifier f = REG.create("format", Map.of("mode", "tag_count"));
        assertEquals(1.0, score(f, "<think>x</think><answer>4</answer>"));
        // surrounding text is not judged in this mode: still four placed tags
        assertEquals(1.0, score(f, "Sure. <think>x</think> <answer>4</answer> bye"));
        assertEquals(0.5, score(f, "<think>a</think> 4"));
        assertEquals(0.75, score(f, "<think>x</think><answer>4"));
        // </think> twice: it scores nothing, the other three are placed consistently
        assertEquals(0.75, score(f, "<think>x</think></think><answer>4</answer>"));
        // answer block before think block: each tag has a wrong-side partner, except none → 0
        assertEquals(0.0, score(f, "<answer>4</answer><think>x</think>"));
        // <think> after </think>: both misplaced; the answer tags are after both, so they count
        assertEquals(0.5, score(f, "</think>x<think><answer>4</answer>"));
        assertEquals(0.0, score(f, "no tags"));
    }

    @Test
    void languageConsistencyIsTheShareOfLettersInTheTargetScript() {
        Verifier latin = REG.create("language_consistency", Map.of());
        // think: "abcd我们" → 6 letters, 4 Latin (digits, "+", "=" and spaces are not letters)
        assertEquals(4.0 / 6, score(latin, "<think>ab cd 1+1=2 我们</think><answer>2</answer>"), EPS);
        // only the chain of thought is judged: the answer's Cyrillic does not count
        assertEquals(1.0, score(latin, "<think>so x is two</think><answer>два</answer>"));
        // no think tag: the whole completion; "é" and "ß" are Latin, "я" is Cyrillic → 3 of 4
        assertEquals(0.75, score(latin, "éßa я"), EPS);
        assertEquals(0.0, score(latin, "<think>12 + 30 = 42</think>"));  // no letters: empty_reward 0
        Verifier cjk = REG.create("language_consistency", Map.of("script", "cjk", "section", "completion"));
        // 我 们 (Han) の (Hiragana) 한 (Hangul) are CJK; "ok" is not → 4 of 6
        assertEquals(4.0 / 6, score(cjk, "我们の한 ok"), EPS);
        Verifier two = REG.create("language_consistency", Map.of("script", List.of("latin", "cyrillic")));
        assertEquals(1.0, score(two, "abc где"));
        Verifier perRow = REG.create("language_consistency", Map.of("script_key", "script"));
        assertEquals(1.0, score(perRow, "<think>где</think>", Map.of("script", "cyrillic")));
        assertEquals(0.0, score(perRow, "<think>где</think>", Map.of()));   // no field: the default, latin
        assertEquals(true, perRow.verify(new Sample("", "x", Map.of("script", "elvish"))).details().get("error"));
        Verdict v = latin.verify(new Sample("", "<think>ab ع</think>", Map.of()));
        assertEquals("arabic", v.details().get("main_other_script"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> REG.create("language_consistency", Map.of("script", "klingon")));
        assertTrue(e.getMessage().contains("'script'") && e.getMessage().contains("klingon"), e.getMessage());
    }

    @Test
    void cosineLengthScalesCorrectnessByLength() {
        Verifier v = REG.create("cosine_length", Map.of("max_length", 1000));
        Map<String, Object> ref = new HashMap<>(Map.of("answer", "4"));
        // correct: 1.0 at length 0, 0.5 at max; at half length cos(π/2)=0 → 0.5 + 0.5·0.5 = 0.75
        ref.put("completion_tokens", 500);
        assertEquals(0.75, score(v, "\\boxed{4}", ref), EPS);
        ref.put("completion_tokens", 0);
        assertEquals(1.0, score(v, "\\boxed{4}", ref), EPS);
        ref.put("completion_tokens", 1000);
        assertEquals(0.5, score(v, "\\boxed{4}", ref), EPS);
        ref.put("completion_tokens", 5000);   // beyond max: clamped to the long end, no wrap-around
        assertEquals(0.5, score(v, "\\boxed{4}", ref), EPS);
        // at a quarter: cos(π/4)=√2/2 → 0.5 + 0.25·(1+√2/2)
        ref.put("completion_tokens", 250);
        assertEquals(0.5 + 0.25 * (1 + Math.sqrt(0.5)), score(v, "\\boxed{4}", ref), EPS);
        // wrong: −1.0 at length 0, −0.5 at max; at a quarter −0.5 − 0.25·(1+√2/2)
        assertEquals(-0.5 - 0.25 * (1 + Math.sqrt(0.5)), score(v, "\\boxed{5}", ref), EPS);
        ref.put("completion_tokens", 1000);
        assertEquals(-0.5, score(v, "\\boxed{5}", ref), EPS);
        // without a token count the length is in characters: "\boxed{4}" has 9 → progress 9/1000
        double p = 9 / 1000.0;
        assertEquals(0.5 + 0.25 * (1 + Math.cos(Math.PI * p)), score(v, "\\boxed{4}", Map.of("answer", "4")), EPS);
        Verdict d = v.verify(new Sample("", "\\boxed{4}", Map.of("answer", "4")));
        assertEquals("chars", d.details().get("length_unit"));
        // no reference answer: the math verifier's error stays an error with reward 0
        Verdict err = v.verify(new Sample("", "\\boxed{4}", Map.of()));
        assertEquals(0.0, err.reward());
        assertEquals(true, err.details().get("error"));
        Verifier custom = REG.create("cosine_length", Map.of("max_length", 10, "min_value_correct", 0.0,
                "max_value_correct", 2.0, "min_value_wrong", -2.0, "max_value_wrong", 0.0));
        assertEquals(1.0, score(custom, "\\boxed{4}", Map.of("answer", "4", "completion_tokens", 5)), EPS);
        assertEquals(-1.0, score(custom, "\\boxed{3}", Map.of("answer", "4", "completion_tokens", 5)), EPS);
        Verdict bad = custom.verify(new Sample("", "x", Map.of("answer", "4", "completion_tokens", -3)));
        assertTrue(bad.reason().contains("completion_tokens"), bad.reason());
    }

    @Test
    void repetitionPenaltyCountsDistinctNgrams() {
        Verifier v = REG.create("repetition", Map.of());   // trigrams, max −1
        assertEquals(0.0, score(v, "the cat sat on the mat"));
        // "a b c a b c": trigrams abc bca cab abc → 3 distinct of 4 → −0.25
        assertEquals(-0.25, score(v, "a b c a b c"), EPS);
        // case and spacing do not matter: same as above
        assertEquals(-0.25, score(v, "A  b\nC a B c"), EPS);
        // ten times "x": 8 trigrams, 1 distinct → −(1 − 1/8)
        assertEquals(-0.875, score(v, "x x x x x x x x x x"), EPS);
        assertEquals(0.0, score(v, "two words"));
        assertEquals(0.0, score(v, ""));
        Verifier bigram = REG.create("repetition", Map.of("ngram_size", 2, "max_penalty", -0.5));
        // "a b a b": bigrams ab ba ab → 2 of 3 distinct → −0.5/3
        assertEquals(-0.5 / 3, score(bigram, "a b a b"), EPS);
        assertThrows(IllegalArgumentException.class, () -> REG.create("repetition", Map.of("max_penalty", 0.5)));
    }

    @Test
    void overlongIsLinearInTheBuffer() {
        Verifier v = REG.create("overlong", Map.of("max_length", 100, "buffer", 20));
        assertEquals(0.0, score(v, "", Map.of("completion_tokens", 50)));
        assertEquals(0.0, score(v, "", Map.of("completion_tokens", 80)));
        assertEquals(-0.05, score(v, "", Map.of("completion_tokens", 81)), EPS);   // (80 − 81)/20
        assertEquals(-0.5, score(v, "", Map.of("completion_tokens", 90)), EPS);
        assertEquals(-1.0, score(v, "", Map.of("completion_tokens", 100)), EPS);
        assertEquals(-1.0, score(v, "", Map.of("completion_tokens", 150)), EPS);
        // characters when there is no token count: 90 characters → −0.5
        assertEquals(-0.5, score(v, "y".repeat(90)), EPS);
        Verifier half = REG.create("overlong", Map.of("max_length", 10, "buffer", 4, "penalty", 0.5));
        assertEquals(-0.5 * 2 / 4, score(half, "", Map.of("completion_tokens", 8)), EPS);
        assertThrows(IllegalArgumentException.class, () -> REG.create("overlong", Map.of("max_length", 10, "buffer", 11)));
    }

    @Test
    void reasoningStepsCountsMarkersUpToTheTarget() {
        Verifier v = REG.create("reasoning_steps", Map.of());
        assertEquals(0.0, score(v, "The answer is 4."));
        assertEquals(1.0 / 3, score(v, "Step 1: add the numbers."), EPS);
        assertEquals(2.0 / 3, score(v, "First, add. Finally, halve."), EPS);
        // numbered lines count on every line: "1." "2." "3." "4." → capped at 1
        assertEquals(1.0, score(v, "1. a\n2. b\n3. c\n4. d"));
        // bullets "\n-" and "\n*" count: two of them
        assertEquals(2.0 / 3, score(v, "Plan:\n- add\n* halve"), EPS);
        Verifier five = REG.create("reasoning_steps", Map.of("target", 5, "pattern", "^Therefore"));
        assertEquals(0.4, score(five, "Therefore a\nTherefore b\nnot Therefore"), EPS);
        assertEquals(2, five.verify(new Sample("", "Therefore a\nTherefore b", Map.of())).details().get("steps"));
    }

    @Test
    void theSamplesTokenCountIsTheLengthAndWinsOverTheReferenceKey() {
        Verifier v = REG.create("overlong", Map.of("max_length", 100, "buffer", 20));
        // the field alone: 90 tokens → (80 − 90)/20, although the text has 1 character
        assertEquals(-0.5, v.verify(new Sample("", "y", Map.of(), 90)).reward(), EPS);
        // the field wins over the old reference key, which is read only when the sample has no count
        assertEquals(0.0, v.verify(new Sample("", "y", Map.of(CompletionLength.TOKENS_KEY, 100), 50)).reward(), EPS);
        assertEquals(-1.0, v.verify(new Sample("", "y", Map.of(CompletionLength.TOKENS_KEY, 100))).reward(), EPS);
        assertEquals(new CompletionLength.Length(7, "tokens"), CompletionLength.of(new Sample("", "abc", null, 7)));
        assertEquals(new CompletionLength.Length(3, "chars"), CompletionLength.of(new Sample("", "abc", null)));
        assertThrows(IllegalArgumentException.class, () -> new Sample("", "abc", null, -2));
    }
}
