package dev.r1j.preference;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.sft.SftEncoder;
import dev.r1j.sft.SftFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairs from JSONL and from verifier-scored groups. */
class PairsTest {
    @TempDir
    Path dir;

    private static ScoredGroup.Scored s(String text, double reward) {
        return new ScoredGroup.Scored(text, reward);
    }

    @Test
    void correctIsChosenOverIncorrectDeduplicatedCappedAndSeeded() {
        List<ScoredGroup> groups = List.of(
                new ScoredGroup("1+1=", List.of(s("2", 1), s("3", 0), s("2", 1), s("4", 0), s("5", 0.5), s("22", 1))),
                new ScoredGroup("2+2=", List.of(s("4", 1), s("4", 1))),          // all correct: no pair
                new ScoredGroup("3+3=", List.of(s("7", 0), s("8", 0.2))),        // all wrong: no pair
                new ScoredGroup("4+4=", List.of(s("8", 1), s("9", 0))));
        PairBuilder.Result r = new PairBuilder(1.0, 3, 42).build(groups);
        assertEquals(4, r.prompts());
        assertEquals(2, r.promptsWithPairs());
        assertEquals(1, r.allAccepted());
        assertEquals(1, r.allRejected());
        List<PreferencePair> first = r.pairs().stream().filter(p -> p.prompt().equals("1+1=")).toList();
        assertEquals(3, first.size(), "capped at 3 of the 2 x 3 combinations");
        Set<String> seen = new HashSet<>();
        for (PreferencePair p : first) {
            assertTrue(Set.of("2", "22").contains(p.chosen()), p.toString());
            assertTrue(Set.of("3", "4", "5").contains(p.rejected()), "0.5 is below the threshold: " + p);
            assertTrue(seen.add(p.chosen() + "|" + p.rejected()), "no duplicate pair");
        }
        assertEquals(List.of(new PreferencePair("4+4=", "8", "9")),
                r.pairs().stream().filter(p -> p.prompt().equals("4+4=")).toList());
        // deterministic for a seed; another seed picks other combinations (for this seed pair)
        assertEquals(r, new PairBuilder(1.0, 3, 42).build(groups));
        Set<List<PreferencePair>> picks = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) picks.add(new PairBuilder(1.0, 3, seed).build(groups).pairs());
        assertTrue(picks.size() > 1, "the seed changes the choice");
        // without a cap every combination appears
        assertEquals(6 + 1, new PairBuilder(1.0, 100, 0).build(groups).pairs().size());
        // a lower threshold moves 0.5 to the accepted side
        assertTrue(new PairBuilder(0.5, 100, 0).build(groups).pairs().stream().anyMatch(p -> p.chosen().equals("5")));
    }

    @Test
    void aTextScoredBothWaysGivesNoPairAgainstItself() {
        List<ScoredGroup> g = List.of(new ScoredGroup("p", List.of(s("x", 1), s("x", 0), s("y", 0))));
        assertEquals(List.of(new PreferencePair("p", "x", "y")), new PairBuilder(1, 5, 0).build(g).pairs());
        assertThrows(IllegalArgumentException.class, () -> new PairBuilder(1, 0, 0));
    }

    @Test
    void jsonlPairsAndClearErrors() throws IOException {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, "{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"3\"}\n\n"
                + "{\"prompt\": \"2+2=\", \"chosen\": \"4\", \"rejected\": \"5\", \"extra\": 1}\n");
        // each pair remembers its line (the blank line 2 is skipped), for error messages
        assertEquals(List.of(new PreferencePair("1+1=", "2", "3").from(f + ":1"),
                new PreferencePair("2+2=", "4", "5").from(f + ":3")), PreferenceDataset.read(f));
        // TRL's conversational format
        Files.writeString(f, "{\"prompt\": [{\"role\": \"user\", \"content\": \"1+1?\"}], "
                + "\"chosen\": [{\"role\": \"assistant\", \"content\": \"2\"}], \"rejected\": \"3\"}\n");
        assertEquals(List.of(PreferencePair.chat(List.of(Map.of("role", "user", "content", "1+1?")), "2", "3")
                .from(f + ":1")), PreferenceDataset.read(f));
        assertBad("{\"prompt\": \"1+1=\", \"chosen\": \"2\"}", ":1: missing field 'rejected'");
        assertBad("{\"prompt\": [], \"chosen\": \"2\", \"rejected\": \"3\"}", ":1: field 'prompt' must be a non-empty array");
        assertBad("{\"prompt\": \"1+1=\", \"chosen\": [{\"role\": \"user\", \"content\": \"2\"}], \"rejected\": \"3\"}",
                ":1: field 'chosen' must be a string or an array with one assistant message");
        assertBad("{\"prompt\": \"1+1=\", \"chosen\": 2, \"rejected\": \"3\"}", ":1: field 'chosen' must be a string");
        assertBad("{\"prompt\": \"1+1=\", \"chosen\": [\"2\"], \"rejected\": \"3\"}", ":1: chosen[0] must be an object");
        assertBad("{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"2\"}", ":1: 'chosen' and 'rejected' are the same");
    }

    private void assertBad(String jsonl, String expected) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, jsonl);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreferenceDataset.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void chatPairsTrainOnTheReplyOnly() {
        CharTokenizer tok = new CharTokenizer("0123456789+=?:UA", "{% for m in messages %}{% if m.role == 'user' %}U:"
                + "{% else %}A:{% endif %}{{ m.content }}<eos>{% endfor %}{% if add_generation_prompt %}A:{% endif %}");
        SftEncoder enc = new SftEncoder(tok, SftFormat.defaults());
        List<Map<String, String>> convo = List.of(Map.of("role", "user", "content", "1+1?"),
                Map.of("role", "assistant", "content", "2"), Map.of("role", "user", "content", "2+2?"));
        EncodedPair e = EncodedPair.of(enc, PreferencePair.chat(convo, "4", "5"), 64);
        // <bos>U:1+1?<eos>A:2<eos>U:2+2?<eos>A:4<eos>: only "4" and its end of turn are targets (not the earlier "2")
        assertEquals(tok.decode(e.chosen().ids()), "U:1+1?A:2U:2+2?A:4");
        assertEquals(2, e.chosen().targetCount());
        int four = e.chosen().length() - 2;
        assertTrue(e.chosen().target()[four] && e.chosen().target()[four + 1]);
        assertEquals(tok.encode("5")[0], e.rejected().ids()[four]);
        assertEquals(2, e.rejected().targetCount());
        // a plain prompt: prompt context, completion + EOS targets
        EncodedPair p = EncodedPair.of(enc, new PreferencePair("1+1=", "2", "3"), 64);
        assertEquals(2, p.chosen().targetCount());
        // truncation that leaves a side without completion tokens drops the pair
        assertNull(EncodedPair.of(enc, new PreferencePair("1+1+1+1=", "4", "5"), 5));
    }
}
