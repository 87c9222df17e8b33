package dev.r1j.verifiers.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The math verifier on real data: MATH-500 and GSM8K reference solutions against their own answers (should be
 * judged correct) and against other problems' answers (should be judged wrong unless the answers really are
 * equal, which an independent naive check in this class decides).
 */
class BenchmarkAnswersTest {
    /** Measured rate of MATH-500 solutions judged equal to their own answer; the test keeps it as a floor. */
    static final double MATH500_FLOOR = 1.0;
    private static final Verifier MATH = VerifierRegistry.defaultRegistry().create("math", Map.of());

    private static double reward(String completion, String answer) {
        return MATH.verify(new Sample("", completion, Map.of("answer", answer))).reward();
    }

    @Test
    void math500SolutionsMatchTheirOwnAnswers() {
        List<JsonNode> rows = BenchmarkData.jsonl("math500_test.jsonl");
        assertEquals(500, rows.size());
        List<String> misses = new ArrayList<>();
        for (JsonNode r : rows) {
            Verdict v = MATH.verify(new Sample("", r.get("solution").asText(), Map.of("answer", r.get("answer").asText())));
            if (v.reward() != 1.0) {
                misses.add(r.get("unique_id").asText() + ": " + v.reason());
            }
        }
        double rate = 1.0 - misses.size() / (double) rows.size();
        System.out.printf("MATH-500 own answers: %d/%d = %.1f%% judged equivalent%n", rows.size() - misses.size(),
                rows.size(), 100 * rate);
        misses.forEach(m -> System.out.println("  miss " + m));
        assertTrue(rate >= MATH500_FLOOR, "rate " + rate + " below floor " + MATH500_FLOOR + ": " + misses);
    }

    /**
     * The MATH-500 answers are exactly the solutions' last boxes, so the test above mostly checks extraction.
     * Here every answer must also be equal to itself through the parser (no text shortcut), and each answer
     * that parses is compared with an independently re-written form (see {@link #rewrite}).
     */
    @Test
    void math500AnswersSurviveTheParserAndRewriting() {
        MathEquivalence parsedOnly = new MathEquivalence(1e-8, 500, false);
        List<JsonNode> rows = BenchmarkData.jsonl("math500_test.jsonl");
        int viaMath = 0;
        int rewritten = 0;
        List<String> failures = new ArrayList<>();
        List<String> textOnly = new ArrayList<>();
        for (JsonNode r : rows) {
            String a = r.get("answer").asText();
            MathEquivalence.Judgement j = parsedOnly.judge(a, a);
            if (!j.equivalent()) {
                failures.add("self " + a + " -> " + j);
            }
            if (j.how().equals("math")) {
                viaMath++;
            } else {
                textOnly.add(a);
            }
            String w = rewrite(a);
            if (!w.equals(a)) {
                rewritten++;
                if (!parsedOnly.equivalent(a, w)) {
                    failures.add("rewrite " + a + " vs " + w);
                }
            }
        }
        System.out.printf("MATH-500 answers through the parser: %d/500; rewritten and still equal: %d; text-only: %s%n",
                viaMath, rewritten, textOnly);
        assertEquals(List.of(), failures);
        assertTrue(viaMath >= 480, "only " + viaMath + " answers parse");
        assertTrue(rewritten >= 350, "only " + rewritten + " rewritten");
    }

    /** Rewrites LaTeX into plain notation by simple textual rules kept here, independent of the verifier's code. */
    static String rewrite(String a) {
        if (a.matches(".*\\d\\s*\\\\frac.*")) {
            return a; // a mixed number such as 1\frac45 has no plain form these simple rules could produce
        }
        if (a.matches("-?\\d{5,}")) {
            return String.format(java.util.Locale.ROOT, "%,d", new BigInteger(a)); // 12345 -> 12,345
        }
        if (a.matches("-?\\d+")) {
            return a + ".0";
        }
        String w = a;
        Pattern frac = Pattern.compile("\\\\[dt]?frac\\{([^{}]*)\\}\\{([^{}]*)\\}");
        for (int i = 0; i < 5; i++) {
            w = frac.matcher(w).replaceAll(m -> Matcher.quoteReplacement("(" + m.group(1) + ")/(" + m.group(2) + ")"));
        }
        w = w.replaceAll("\\\\sqrt\\{([^{}]*)\\}", " sqrt($1)").replace("\\pi", "pi").replace("\\cdot", "*")
                .replace("\\left", "").replace("\\right", "").replace(",\\!", "").replace("\\!", "");
        return w;
    }

    @Test
    void math500SolutionsAgainstOtherProblemsAnswers() {
        List<JsonNode> rows = BenchmarkData.jsonl("math500_test.jsonl");
        int pairs = 0;
        int judgedEqual = 0;
        List<String> problems = new ArrayList<>();
        for (int shift = 1; shift <= 5; shift++) {
            for (int i = 0; i < rows.size(); i++) {
                JsonNode a = rows.get(i);
                JsonNode b = rows.get((i + shift * 97) % rows.size());
                String solution = a.get("solution").asText();
                String own = a.get("answer").asText();
                String other = b.get("answer").asText();
                boolean verdict = reward(solution, other) == 1.0;
                Boolean naive = naiveEqual(own, other);
                pairs++;
                if (verdict) {
                    judgedEqual++;
                }
                if (verdict && !Boolean.TRUE.equals(naive) && !KNOWN_EQUAL.contains(own + " == " + other)) {
                    problems.add("false positive? " + own + " == " + other);
                }
                if (!verdict && Boolean.TRUE.equals(naive)) {
                    problems.add("false negative: " + own + " vs " + other);
                }
            }
        }
        System.out.printf("MATH-500 cross pairs: %d, judged equal: %d%n", pairs, judgedEqual);
        assertEquals(List.of(), problems);
    }

    /**
     * Every pair of distinct MATH-500 answer strings: judged equal only when the naive reader (or the
     * hand-checked list) agrees they are equal, and never different when the naive reader says equal.
     */
    @Test
    void allPairsOfMath500Answers() {
        MathEquivalence eq = MathEquivalence.defaults();
        List<String> answers = BenchmarkData.jsonl("math500_test.jsonl").stream().map(r -> r.get("answer").asText())
                .distinct().toList();
        List<BigInteger[]> naiveValues = answers.stream().map(BenchmarkAnswersTest::naiveRational).toList();
        long t0 = System.nanoTime();
        List<String> problems = new ArrayList<>();
        List<String> equalPairs = new ArrayList<>();
        int pairs = 0;
        for (int i = 0; i < answers.size(); i++) {
            for (int j = i + 1; j < answers.size(); j++) {
                String x = answers.get(i);
                String y = answers.get(j);
                boolean judged = eq.equivalent(x, y);
                Boolean naive = naiveEqual(x, y, naiveValues.get(i), naiveValues.get(j));
                pairs++;
                if (judged) {
                    equalPairs.add(x + " == " + y);
                    if (!Boolean.TRUE.equals(naive) && !KNOWN_EQUAL.contains(x + " == " + y)) {
                        problems.add("false positive? " + x + " == " + y);
                    }
                } else if (Boolean.TRUE.equals(naive)) {
                    problems.add("false negative: " + x + " vs " + y);
                }
            }
        }
        System.out.printf("MATH-500 all answer pairs: %d in %.1f s, judged equal: %d (distinct spellings: %s)%n", pairs,
                (System.nanoTime() - t0) / 1e9, equalPairs.size(),
                equalPairs.stream().filter(p -> !p.split(" == ")[0].replace(" ", "").equals(p.split(" == ")[1].replace(" ", ""))).toList());
        assertEquals(List.of(), problems);
    }

    /** Pairs of different problems whose answers are written differently but are equal, checked by hand. */
    private static final Set<String> KNOWN_EQUAL = withBothOrders(
            "5 == x=5",                     // a binding against a bare value compares the value
            "1,-2 == -2,1",                 // bare lists are unordered (all solutions)
            "(-2,1) == -2,1",               // a bare list against a tuple compares in order
            "15 == 15\\mbox{ cm}^2",         // units are dropped
            "36^\\circ == \\$36");           // both lose their unit: 36 = 36 (a documented over-acceptance)

    private static Set<String> withBothOrders(String... pairs) {
        Set<String> out = new java.util.HashSet<>();
        for (String p : pairs) {
            String[] xy = p.split(" == ");
            out.add(xy[0] + " == " + xy[1]);
            out.add(xy[1] + " == " + xy[0]);
        }
        return Set.copyOf(out);
    }

    /**
     * True/false when both answers are plain numbers this naive reader understands (integers, decimals, simple
     * {@code \frac{p}{q}}, thousands separators), or are identical apart from spaces; null when it cannot tell.
     */
    static Boolean naiveEqual(String x, String y) {
        return naiveEqual(x, y, naiveRational(x), naiveRational(y));
    }

    static Boolean naiveEqual(String x, String y, BigInteger[] p, BigInteger[] q) {
        if (x.replace(" ", "").equals(y.replace(" ", ""))) {
            return true;
        }
        if (p == null || q == null) {
            return null;
        }
        return p[0].multiply(q[1]).equals(q[0].multiply(p[1]));
    }

    private static final Pattern NAIVE_FRAC = Pattern.compile("(-?)\\\\[dt]?frac(?:\\{(\\d+)\\}|(\\d))(?:\\{(\\d+)\\}|(\\d))");

    static BigInteger[] naiveRational(String s) {
        String t = s.replace(" ", "").replace(",\\!", "").replace("\\$", "").replace("^\\circ", "");
        if (t.matches("-?\\d{1,3}(,\\d{3})+")) {
            t = t.replace(",", "");
        }
        Matcher m = NAIVE_FRAC.matcher(t);
        if (m.matches()) {
            BigInteger n = new BigInteger(m.group(2) != null ? m.group(2) : m.group(3));
            BigInteger d = new BigInteger(m.group(4) != null ? m.group(4) : m.group(5));
            return new BigInteger[] {m.group(1).isEmpty() ? n : n.negate(), d};
        }
        if (t.matches("-?\\d*\\.?\\d+")) {
            BigDecimal d = new BigDecimal(t);
            return new BigInteger[] {d.unscaledValue(), BigInteger.TEN.pow(Math.max(0, d.scale()))};
        }
        return null;
    }

    private static final Pattern GSM_FINAL = Pattern.compile("####\\s*(.+)\\s*$");

    private static String gsmAnswer(JsonNode row) {
        Matcher m = GSM_FINAL.matcher(row.get("answer").asText().strip());
        assertTrue(m.find(), row.toString());
        return m.group(1).strip();
    }

    @Test
    void gsm8kSolutionsMatchTheirOwnAnswersAndOnlyEqualOthers() {
        List<JsonNode> rows = BenchmarkData.jsonl("gsm8k_test.jsonl");
        assertEquals(1319, rows.size());
        List<String> misses = new ArrayList<>();
        for (JsonNode r : rows) {
            if (reward(r.get("answer").asText(), gsmAnswer(r)) != 1.0) {
                misses.add(gsmAnswer(r));
            }
        }
        System.out.printf("GSM8K own answers: %d/%d%n", rows.size() - misses.size(), rows.size());
        assertEquals(List.of(), misses);

        int pairs = 0;
        int equalPairs = 0;
        List<String> wrong = new ArrayList<>();
        for (int shift = 1; shift <= 3; shift++) {
            for (int i = 0; i < rows.size(); i++) {
                JsonNode a = rows.get(i);
                JsonNode b = rows.get((i + shift) % rows.size());
                String other = gsmAnswer(b);
                boolean reallyEqual = new BigDecimal(gsmAnswer(a).replace(",", ""))
                        .compareTo(new BigDecimal(other.replace(",", ""))) == 0;
                boolean judged = reward(a.get("answer").asText(), other) == 1.0;
                pairs++;
                equalPairs += reallyEqual ? 1 : 0;
                if (judged != reallyEqual) {
                    wrong.add(gsmAnswer(a) + " vs " + other + " judged " + judged);
                }
            }
        }
        System.out.printf("GSM8K cross pairs: %d, of which really equal: %d, misjudged: %d%n", pairs, equalPairs, wrong.size());
        assertTrue(equalPairs > 0, "the shifts should produce some genuinely equal pairs");
        assertEquals(List.of(), wrong);
    }
}
