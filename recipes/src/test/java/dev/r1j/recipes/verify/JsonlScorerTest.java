package dev.r1j.recipes.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class JsonlScorerTest {
    /** Reward 1 when the completion equals the reference answer; sleeps so later lines often finish first. */
    static final class EqualsVerifier implements Verifier {
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public String name() {
            return "equals";
        }

        @Override
        public Verdict verify(Sample s) {
            threads.add(Thread.currentThread().getName() + Thread.currentThread().getId());
            if (s.completion().equals("boom")) {
                throw new IllegalStateException("boom");
            }
            try {
                Thread.sleep((s.completion().hashCode() & 7));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean ok = s.completion().equals(s.referenceString("answer"));
            return Verdict.of(ok ? 1.0 : 0.0, (ok ? "equal" : "different") + " prompt=" + s.prompt());
        }
    }

    @Test
    void scoresInInputOrderInParallelAndReportsBadLines() throws Exception {
        StringBuilder in = new StringBuilder();
        List<String> expected = new ArrayList<>(); // "reward|reason-prefix" per output line, worked out here
        for (int i = 1; i <= 200; i++) {
            switch (i) {
                case 7 -> {
                    in.append("{not json\n");
                    expected.add("0.0|malformed line: not JSON");
                }
                case 8 -> in.append("   \n"); // blank: skipped, not an output line
                case 50 -> {
                    in.append("[1, 2]\n");
                    expected.add("0.0|malformed line: expected a JSON object, got array");
                }
                case 60 -> {
                    in.append("{\"prompt\": \"p\", \"answer\": \"1\"}\n");
                    expected.add("0.0|malformed line: missing field 'completion'");
                }
                case 70 -> {
                    in.append("{\"completion\": \"boom\", \"answer\": \"1\"}\n");
                    expected.add("0.0|error: verifier 'equals' threw java.lang.IllegalStateException: boom");
                }
                default -> {
                    String answer = Integer.toString(i % 5);
                    String completion = Integer.toString(i % 3);
                    in.append("{\"id\": ").append(i).append(", \"prompt\": \"q").append(i).append("\", \"completion\": \"")
                            .append(completion).append("\", \"answer\": \"").append(answer).append("\"}\n");
                    boolean eq = answer.equals(completion);
                    expected.add((eq ? "1.0|equal" : "0.0|different") + " prompt=q" + i);
                }
            }
        }
        EqualsVerifier v = new EqualsVerifier();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        JsonlScorer.Summary s;
        try (JsonlScorer scorer = new JsonlScorer(v, 4)) {
            s = scorer.score(new BufferedReader(new StringReader(in.toString())), out, new PrintWriter(err), "in.jsonl");
        }
        String[] lines = out.toString().split("\n");
        assertEquals(expected.size(), lines.length);
        ObjectMapper json = new ObjectMapper();
        int next = 1;
        for (int k = 0; k < lines.length; k++) {
            JsonNode n = json.readTree(lines[k]);
            String[] want = expected.get(k).split("\\|", 2);
            assertEquals(Double.parseDouble(want[0]), n.get("reward").asDouble(), "line " + k);
            assertTrue(n.get("reason").asText().startsWith(want[1]), n.get("reason").asText() + " vs " + want[1]);
            if (n.has("id")) { // well-formed lines keep their fields, in order
                assertTrue(n.get("id").asInt() >= next);
                next = n.get("id").asInt();
                assertEquals(List.of("id", "prompt", "completion", "answer", "reward", "reason"), fieldNames(n));
            }
        }
        assertEquals(7, json.readTree(lines[6]).get("line").asInt());
        assertEquals("{not json", json.readTree(lines[6]).get("raw").asText());
        assertEquals(List.of(7, 50, 60), s.malformedLines());
        assertEquals(List.of(70), s.errorLines());
        assertEquals(199, s.scored());
        String e = err.toString();
        assertTrue(e.contains("in.jsonl line 7: malformed line: not JSON"), e);
        assertTrue(e.contains("in.jsonl line 60: malformed line: missing field 'completion'"), e);
        assertTrue(e.contains("in.jsonl line 70: error: verifier 'equals' threw"), e);
        assertEquals(4, e.lines().count());
        assertTrue(v.threads.size() > 1, "ran on " + v.threads.size() + " thread(s)");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
