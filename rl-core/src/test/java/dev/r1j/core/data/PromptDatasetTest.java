package dev.r1j.core.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    private static String messageOf(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void aDirectoryIsReportedAsADirectoryNotAsAMissingFile() throws Exception {
        Path d = Files.createDirectories(dir.resolve("data"));
        String m = messageOf(() -> PromptDataset.load(d));
        assertEquals(d.toAbsolutePath() + " is a directory; expected a dataset file (JSONL: one JSON object per line)", m);
        assertTrue(messageOf(() -> PromptDataset.load(dir.resolve("absent.jsonl"))).contains("not found"));
    }

    @Test
    void readsPromptsAndKeepsOtherFieldsAsReference() throws Exception {
        Path f = write("a.jsonl", "{\"prompt\":\"12+7=\",\"answer\":\"19\",\"op\":\"+\"}", "",
                "{\"prompt\":\"3*4=\",\"answer\":12,\"completion\":\"<answer>12</answer>\"}");
        PromptDataset ds = PromptDataset.load(f);
        assertEquals(2, ds.size());
        assertEquals("12+7=", ds.get(0).prompt());
        assertEquals(Map.of("answer", "19", "op", "+"), ds.get(0).reference());
        assertEquals("12", ds.get(1).answer()); // a JSON number becomes its text
        assertEquals("<answer>12</answer>", ds.get(1).completion());
        assertNull(ds.get(0).completion());
        assertEquals(f + ":3", ds.get(1).source()); // the blank line still counts
    }

    @Test
    void mapsGsm8kFieldsAndAppliesTheTemplate() throws Exception {
        Path f = write("gsm.jsonl",
                "{\"question\":\"Tom has 3 apples and buys 1,200 more. How many?\",\"answer\":\"3+1200=1203\\n#### 1,203\"}");
        PromptDataset ds = PromptDataset.load(f, PromptDataset.Options.gsm8k().withTemplate("Q: {prompt}\nA:"));
        assertEquals("Q: Tom has 3 apples and buys 1,200 more. How many?\nA:", ds.get(0).prompt());
        assertEquals("1203", ds.get(0).answer());
        assertFalse(ds.get(0).reference().containsKey("question"));
    }

    @Test
    void readsTheBundledGsm8kFile() {
        // bundled with the repository; Maven runs the tests in the module directory
        Path gsm = Path.of("..", "data", "benchmarks", "gsm8k_test.jsonl");
        assertTrue(Files.isRegularFile(gsm), gsm.toAbsolutePath() + " is missing");
        PromptDataset ds = PromptDataset.load(gsm, PromptDataset.Options.gsm8k());
        assertTrue(ds.size() > 1000);
        for (PromptExample e : ds.examples()) assertTrue(e.answer().matches("-?[0-9.]+"), e.source() + ": " + e.answer());
    }

    @Test
    void readsChatMessages() throws Exception {
        Path f = write("chat.jsonl",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}],\"answer\":\"4\"}");
        PromptExample e = PromptDataset.load(f).get(0);
        assertNull(e.prompt());
        assertEquals(List.of(Map.of("role", "user", "content", "2+2?")), e.messages());
        assertEquals("4", e.answer());
    }

    @Test
    void errorsNameFileLineAndWhatWasExpected() throws Exception {
        Path bad = write("bad.jsonl", "{\"prompt\":\"1+1=\",\"answer\":\"2\"}", "{\"prompt\": \"2+2=\", ");
        String m = messageOf(() -> PromptDataset.load(bad));
        assertTrue(m.startsWith(bad + ":2: not valid JSON"), m);

        Path arr = write("arr.jsonl", "[1,2]");
        m = messageOf(() -> PromptDataset.load(arr));
        assertTrue(m.startsWith(arr + ":1: expected a JSON object per line, got array"), m);

        Path missing = write("missing.jsonl", "{\"prompt\":\"1+1=\"}", "{\"question\":\"x\",\"answer\":\"2\"}");
        m = messageOf(() -> PromptDataset.load(missing));
        assertTrue(m.startsWith(missing + ":2: missing field 'prompt' (or 'messages')"), m);
        assertTrue(m.contains("[question, answer]"), m);

        Path noAnswer = write("noanswer.jsonl", "{\"prompt\":\"1+1=\"}");
        m = messageOf(() -> PromptDataset.load(noAnswer, PromptDataset.Options.defaults().withRequired(List.of("answer"))));
        assertTrue(m.startsWith(noAnswer + ":1: missing required field 'answer'"), m);

        Path gsm = write("gsm.jsonl", "{\"question\":\"q\",\"answer\":\"42\"}");
        m = messageOf(() -> PromptDataset.load(gsm, PromptDataset.Options.gsm8k()));
        assertTrue(m.startsWith(gsm + ":1: field 'answer' has no '#### <answer>' line"), m);

        Path typed = write("typed.jsonl", "{\"prompt\":42}");
        m = messageOf(() -> PromptDataset.load(typed));
        assertTrue(m.startsWith(typed + ":1: field 'prompt' must be a string, got integer 42"), m);

        Path chat = write("chat.jsonl", "{\"messages\":[{\"role\":\"user\"}]}");
        m = messageOf(() -> PromptDataset.load(chat));
        assertTrue(m.startsWith(chat + ":1: messages[0] must be an object with string 'role' and 'content'"), m);

        Path tmpl = write("tmpl.jsonl", "{\"prompt\":\"p\"}");
        m = messageOf(() -> PromptDataset.load(tmpl, PromptDataset.Options.defaults().withTemplate("{prompt} {hint}")));
        assertTrue(m.startsWith(tmpl + ":1: template uses {hint}"), m);

        m = messageOf(() -> PromptDataset.load(dir.resolve("nope.jsonl")));
        assertTrue(m.startsWith("dataset file not found: "), m);
        Path empty = write("empty.jsonl", "", "  ");
        assertTrue(messageOf(() -> PromptDataset.load(empty)).contains("no rows"));
    }

    @Test
    void cursorShufflesEachEpochDeterministicallyAndResumes() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add("{\"prompt\":\"p" + i + "\"}");
        PromptDataset ds = PromptDataset.load(write("ten.jsonl", lines.toArray(String[]::new)));

        EpochCursor c = ds.cursor(7);
        List<String> seen = new ArrayList<>();
        for (int k = 0; k < 7; k++) for (PromptExample e : ds.next(c, 3)) seen.add(e.prompt()); // 21 = 2 epochs + 1
        // every epoch is a permutation; consecutive epochs differ
        Set<String> e0 = new HashSet<>(seen.subList(0, 10)), e1 = new HashSet<>(seen.subList(10, 20));
        assertEquals(10, e0.size());
        assertEquals(10, e1.size());
        assertNotEquals(seen.subList(0, 10), seen.subList(10, 20));
        assertEquals(new EpochCursor.Position(2, 1), c.position());
        // same seed, same order; another seed, another order
        EpochCursor again = ds.cursor(7);
        List<String> seenAgain = new ArrayList<>();
        for (PromptExample e : ds.next(again, 21)) seenAgain.add(e.prompt());
        assertEquals(seen, seenAgain);
        assertNotEquals(seen.subList(0, 10), ds.next(ds.cursor(8), 10).stream().map(PromptExample::prompt).toList());

        // save mid-epoch, restore into a fresh cursor, continue identically
        EpochCursor a = ds.cursor(3);
        ds.next(a, 13);
        EpochCursor.Position saved = a.position();
        List<PromptExample> expected = ds.next(a, 12);
        EpochCursor b = ds.cursor(3);
        b.seek(saved);
        assertEquals(expected, ds.next(b, 12));
        // the end of an epoch and the start of the next are the same position
        EpochCursor d = ds.cursor(3);
        ds.next(d, 10);
        assertEquals(new EpochCursor.Position(1, 0), d.position());
        assertThrows(IllegalArgumentException.class, () -> d.seek(new EpochCursor.Position(0, 11)));
    }
}
