package dev.r1j.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.r1j.core.data.PromptDataset;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encoding of SFT rows (prompt/completion and chat), packing and the held-out split; no model needed. */
class SftDataTest {
    static final String ALPHABET = "0123456789+-*=?:USA abcdefghijklmnopqrstuvwxyz";
    static final String TEMPLATE = "{% for m in messages %}{% if m.role == 'user' %}U:{% elif m.role == 'assistant' %}"
            + "A:{% else %}S:{% endif %}{{ m.content }}<eos>{% endfor %}{% if add_generation_prompt %}A:{% endif %}";
    static final CharTokenizer TOK = new CharTokenizer(ALPHABET, TEMPLATE);

    @TempDir
    Path dir;

    /** The tokens of {@code s} whose target flag is set, decoded with special tokens spelled out. */
    private static String targets(TokenSequence s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) if (s.target()[i]) b.append(spell(s.ids()[i]));
        return b.toString();
    }

    private static String spell(int id) {
        return id == 1 ? "<bos>" : id == 2 ? "<eos>" : TOK.decode(new int[] {id});
    }

    private static String all(TokenSequence s) {
        StringBuilder b = new StringBuilder();
        for (int id : s.ids()) b.append(spell(id));
        return b.toString();
    }

    @Test
    void promptCompletionTrainsOnTheCompletionAndEosOnly() {
        TokenSequence s = new SftEncoder(TOK, SftFormat.defaults()).promptCompletion("12+7=", "19");
        assertEquals("<bos>12+7=19<eos>", all(s));
        assertEquals("19<eos>", targets(s));
        assertEquals(3, s.targetCount());
        // no BOS, no EOS when switched off
        TokenSequence bare = new SftEncoder(TOK, new SftFormat(false, false))
                .promptCompletion("12+7=", "19");
        assertEquals("12+7=19", all(bare));
        assertEquals("19", targets(bare));
    }

    @Test
    void chatTrainsOnEveryAssistantTurnWithItsEndToken() {
        List<Map<String, String>> msgs = List.of(Map.of("role", "system", "content", "be brief"),
                Map.of("role", "user", "content", "2+2?"), Map.of("role", "assistant", "content", "4"),
                Map.of("role", "user", "content", "3+3?"), Map.of("role", "assistant", "content", "6"));
        TokenSequence s = new SftEncoder(TOK, SftFormat.defaults()).chat(msgs);
        assertEquals("<bos>S:be brief<eos>U:2+2?<eos>A:4<eos>U:3+3?<eos>A:6<eos>", all(s));
        assertEquals("4<eos>6<eos>", targets(s));
        // (so the generation prompt "A:" is context, as it is when the model is sampled)
        // chatReply: the conversation is context, only the reply is trained (preference pairs with chat prompts)
        TokenSequence reply = new SftEncoder(TOK, SftFormat.defaults()).chatReply(msgs.subList(0, 4), "7");
        assertEquals("<bos>S:be brief<eos>U:2+2?<eos>A:4<eos>U:3+3?<eos>A:7<eos>", all(reply));
        assertEquals("7<eos>", targets(reply));
        // a trailing user turn is context too
        List<Map<String, String>> trailing = new ArrayList<>(msgs);
        trailing.add(Map.of("role", "user", "content", "ok"));
        TokenSequence t = new SftEncoder(TOK, SftFormat.defaults()).chat(trailing);
        assertTrue(all(t).endsWith("A:6<eos>U:ok<eos>"), all(t));
        assertEquals("4<eos>6<eos>", targets(t));
    }

    @Test
    void rowsFromJsonlAndBadRowsNameFileLineAndField() throws IOException {
        Path f = dir.resolve("sft.jsonl");
        Files.writeString(f, "{\"prompt\": \"1+1=\", \"completion\": \"2\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"2+2?\"}, {\"role\": \"assistant\", \"content\": \"4\"}]}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"3+3?\"}], \"completion\": \"6\"}\n");
        SftEncoder enc = new SftEncoder(TOK, SftFormat.defaults());
        List<TokenSequence> seqs = enc.encodeAll(PromptDataset.load(f));
        assertEquals("2<eos>", targets(seqs.get(0)));
        assertEquals("<bos>U:2+2?<eos>A:4<eos>", all(seqs.get(1)));
        assertEquals("4<eos>", targets(seqs.get(1)));
        // a completion beside messages is their final assistant turn
        assertEquals("<bos>U:3+3?<eos>A:6<eos>", all(seqs.get(2)));
        assertEquals("6<eos>", targets(seqs.get(2)));

        // other field names and a prompt template come from PromptDataset's options
        Path g = dir.resolve("qa.jsonl");
        Files.writeString(g, "{\"q\": \"5+5\", \"a\": \"10\"}\n");
        TokenSequence qa = enc.encodeAll(PromptDataset.load(g, PromptDataset.Options.defaults().withPromptField("q")
                .withCompletionField("a").withTemplate("{prompt}="))).get(0);
        assertEquals("<bos>5+5=10<eos>", all(qa));
        assertEquals("10<eos>", targets(qa));

        assertError("{\"prompt\": \"1+1=\"}", ":1: no completion to train on");
        assertError("\n{\"prompt\": \"1+1=\", \"completion\": 2}", ":2: field 'completion' must be a string");
        assertError("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", ":1: messages have no assistant turn");
        assertError("{\"prompt\": \"1#1=\", \"completion\": \"2\"}", ":1: character '#'");
    }

    private void assertError(String jsonl, String expected) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, jsonl);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SftEncoder(TOK, SftFormat.defaults()).encodeAll(PromptDataset.load(f)));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aTemplateThatRewritesEarlierTurnsIsReported() {
        // prints the number of messages first: a later render does not extend an earlier one
        CharTokenizer tok = new CharTokenizer(ALPHABET, "{{ messages|length }}" + TEMPLATE);
        List<Map<String, String>> msgs = List.of(Map.of("role", "user", "content", "2+2?"),
                Map.of("role", "assistant", "content", "4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SftEncoder(tok, SftFormat.defaults()).chat(msgs));
        assertTrue(e.getMessage().contains("messages[1]") && e.getMessage().contains("prompt/completion"), e.getMessage());
    }

    private static TokenSequence ofLength(int n, int tag) {
        int[] ids = new int[n];
        java.util.Arrays.fill(ids, tag);
        return TokenSequence.allTokens(ids);
    }

    @Test
    void packingIsBestFitDecreasingAndKeepsEveryExampleOnce() {
        List<TokenSequence> ex = List.of(ofLength(3, 3), ofLength(6, 4), ofLength(2, 5), ofLength(5, 6), ofLength(4, 7));
        List<List<TokenSequence>> rows = Packer.pack(ex, 8);
        // 6 then 5 open rows; 4 opens a third; 3 fits best beside 5 (room 3); 2 fits beside 6 (room 2)
        assertEquals(3, rows.size());
        assertEquals(List.of(ex.get(1), ex.get(2)), rows.get(0));
        assertEquals(List.of(ex.get(3), ex.get(0)), rows.get(1));
        assertEquals(List.of(ex.get(4)), rows.get(2));
        Set<TokenSequence> seen = new HashSet<>();
        for (List<TokenSequence> r : rows) {
            assertTrue(r.stream().mapToInt(TokenSequence::length).sum() <= 8);
            for (TokenSequence s : r) assertTrue(seen.add(s));
        }
        assertEquals(ex.size(), seen.size());
        assertThrows(IllegalArgumentException.class, () -> Packer.pack(List.of(ofLength(9, 3)), 8));
    }

    @Test
    void packedBatchMasksExampleBoundaries() {
        TokenSequence a = TokenSequence.completionOnly(new int[] {1, 4, 5}, new int[] {6, 2});
        TokenSequence b = TokenSequence.allTokens(new int[] {1, 7, 8});
        try (var m = dev.r1j.core.Djl.newManager()) {
            PaddedBatch p = PaddedBatch.packed(List.of(List.of(a, b), List.of(b)), 0, m);
            assertArrayEquals(new long[] {1, 4, 5, 6, 2, 1, 7, 8, 1, 7, 8, 0, 0, 0, 0, 0}, p.ids().toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0}, p.segmentIds().toLongArray());
            // predicting 6 and 2 (a's completion), then b's 7, 8 -- never b's BOS from a's last token
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0}, p.targetMask().toFloatArray());
            assertEquals(2 + 2 + 2, p.targetTokens());
            assertEquals(11, p.realTokens());
        }
    }

    @Test
    void heldOutSplitIsSeededDisjointAndComplete() {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) items.add(i);
        TrainEvalSplit<Integer> s = TrainEvalSplit.of(items, 0.1, 7);
        assertEquals(10, s.eval().size());
        assertEquals(90, s.train().size());
        Set<Integer> union = new HashSet<>(s.train());
        union.addAll(s.eval());
        assertEquals(100, union.size());
        assertEquals(s, TrainEvalSplit.of(items, 0.1, 7));
        assertNotEquals(s.eval(), TrainEvalSplit.of(items, 0.1, 8).eval());
        assertEquals(1, TrainEvalSplit.of(items.subList(0, 3), 0.01, 0).eval().size());
        assertEquals(0, TrainEvalSplit.of(items, 0, 0).eval().size());
    }
}
