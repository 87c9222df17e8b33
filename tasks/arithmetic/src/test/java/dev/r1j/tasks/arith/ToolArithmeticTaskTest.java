package dev.r1j.tasks.arith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.tasks.arith.ToolArithmeticTask.Config;
import dev.r1j.tasks.arith.ToolArithmeticTask.CorpusLine;
import dev.r1j.tasks.arith.ToolArithmeticTask.Kind;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolArithmeticTaskTest {
    private static final Config SMALL = Config.defaults().withSizes(4_000, 300, 100, 50);

    @Test
    void handWrittenTranscripts() {
        Calculation c = new Calculation(347, '*', 68);
        assertEquals("347*68=", c.prompt());
        assertEquals(23596, c.answer());
        CorpusLine calc = ToolArithmeticTask.toolUse(Tool.CALCULATOR, c);
        assertEquals("347*68=```calculator\n347*68\n```\n```output\n23596\n```\n<answer>23596</answer>", calc.text());
        assertEquals("\n```output\n23596\n```\n", calc.observation());
        CorpusLine py = ToolArithmeticTask.toolUse(Tool.PYTHON, c);
        assertEquals("347*68=```python\nprint(347*68)\n```\n```output\n23596\n```\n<answer>23596</answer>", py.text());
        // the environment ensures one trailing newline on the tool's output, and writes an empty output as nothing
        assertEquals("\n```output\n7\n```\n", ToolTranscript.observation("7\n"));
        assertEquals("\n```output\n```\n", ToolTranscript.observation(""));
        assertEquals(new Calculation(99, '-', 12).answer(), 87);
        assertThrows(IllegalArgumentException.class, () -> new Calculation(1, '-', 2));
        assertThrows(IllegalArgumentException.class, () -> new Calculation(1, '/', 2));
        assertThrows(ArithmeticException.class, () -> new Calculation(Long.MAX_VALUE, '*', 2));
    }

    @Test
    void generationIsDeterministicInTheSeed() {
        ToolArithmeticTask a = new ToolArithmeticTask(SMALL), b = new ToolArithmeticTask(SMALL);
        assertEquals(a.corpus(), b.corpus());
        assertEquals(a.trainProblems(), b.trainProblems());
        assertEquals(a.testProblems(), b.testProblems());
        assertEquals(a.sftExamples(), b.sftExamples());
        Config other = new Config(99, 2, 3, 0, 0, Tool.CALCULATOR, 0.25, 4_000, 300, 100, 50);
        assertNotEquals(a.corpus(), new ToolArithmeticTask(other).corpus());
    }

    /** Test problems are held out, the corpus and training prompts never are, so they cannot overlap. */
    @Test
    void heldOutProblemsNeverReachTraining() {
        ToolArithmeticTask task = new ToolArithmeticTask(SMALL);
        Set<Calculation> test = new HashSet<>(task.testProblems());
        assertEquals(100, test.size());
        for (Calculation c : test) assertTrue(task.isHeldOut(c));
        for (Calculation c : task.trainProblems()) assertFalse(test.contains(c) || task.isHeldOut(c), c.toString());
        for (CorpusLine l : task.corpus()) assertFalse(task.isHeldOut(l.problem()), l.toString());
        for (CorpusLine l : task.sftExamples()) assertFalse(task.isHeldOut(l.problem()), l.toString());
    }

    /**
     * Every line recomputed independently: the prompt parses back to the problem, the operands have the configured
     * lengths, a tool line's code block holds the expression, its output block and answer hold the exact product
     * (BigInteger), a direct answer is wrong with the right length and leading digit, and the kinds' shares follow
     * tool_share.
     */
    @Test
    void everyLineIsWhatItClaims() {
        Pattern tool = Pattern.compile(
                "(\\d+)([*+-])(\\d+)=```calculator\n(\\d+)([*+-])(\\d+)\n```\n```output\n(\\d+)\n```\n<answer>(\\d+)</answer>");
        Pattern direct = Pattern.compile("(\\d+)([*+-])(\\d+)=<answer>(\\d+)</answer>");
        int tools = 0;
        List<CorpusLine> corpus = new ToolArithmeticTask(SMALL).corpus();
        for (CorpusLine l : corpus) {
            String text = l.text();
            if (l.kind() == Kind.TOOL) {
                tools++;
                Matcher m = tool.matcher(text);
                assertTrue(m.matches(), text);
                String exact = product(m.group(1), m.group(3));
                assertEquals(m.group(1) + "*" + m.group(3), m.group(4) + "*" + m.group(6), text);
                assertEquals(exact, m.group(7), text);
                assertEquals(exact, m.group(8), text);
            } else {
                Matcher m = direct.matcher(text);
                assertTrue(m.matches(), text);
                String exact = product(m.group(1), m.group(3));
                String guess = m.group(4);
                assertNotEquals(exact, guess, text);
                assertEquals(exact.length(), guess.length(), text);
                assertEquals(exact.charAt(0), guess.charAt(0), text);
                int differing = 0;
                for (int i = 0; i < exact.length(); i++) if (exact.charAt(i) != guess.charAt(i)) differing++;
                assertEquals(1, differing, text);
                assertTrue(l.call().isEmpty() && l.observation().isEmpty(), text);
            }
            assertEquals('*', l.problem().op());
            for (long v : new long[] {l.problem().a(), l.problem().b()}) {
                int digits = Long.toString(v).length();
                assertTrue(digits >= 2 && digits <= 3, text);
            }
        }
        double share = tools / (double) corpus.size();
        assertTrue(Math.abs(share - 0.25) < 0.025, "tool share " + share);   // binomial sd ~0.007 at 4000 lines
    }

    @Test
    void operationSharesAndDigitsFollowTheConfig() {
        Config mixed = new Config(5, 4, 5, 0.5, 0.3, Tool.PYTHON, 0.5, 2_000, 0, 0, 0);
        int add = 0, sub = 0, mul = 0;
        for (CorpusLine l : new ToolArithmeticTask(mixed).corpus()) {
            Calculation c = l.problem();
            switch (c.op()) {
                case '+' -> add++;
                case '-' -> { sub++; assertTrue(c.a() >= c.b()); }
                default -> mul++;
            }
            assertTrue(c.a() >= 1000 && c.a() < 100_000 && c.b() >= 1000 && c.b() < 100_000, c.toString());
            if (l.kind() == Kind.TOOL) assertTrue(l.call().equals("```python\nprint(" + c.expression() + ")\n```"), l.call());
        }
        assertTrue(Math.abs(add / 2000.0 - 0.5) < 0.05 && Math.abs(sub / 2000.0 - 0.3) < 0.05
                && Math.abs(mul / 2000.0 - 0.2) < 0.05, add + " " + sub + " " + mul);
    }

    /** The guess changes exactly one digit, never the first (of a longer answer), to each other digit about equally. */
    @Test
    void guessesSpreadOverTheOtherDigits() {
        Random rng = new Random(3);
        int[][] counts = new int[4][10];
        for (int i = 0; i < 9_000; i++) {
            String g = ToolArithmeticTask.guess(5_500, rng);
            assertEquals('5', g.charAt(0));
            assertNotEquals("5500", g);
            for (int p = 1; p < 4; p++) if (g.charAt(p) != "5500".charAt(p)) counts[p][g.charAt(p) - '0']++;
        }
        // each of positions 1-3 is picked ~3000 times; its replacement is one of the nine other digits, ~333 each
        for (int p = 1; p < 4; p++) {
            for (int d = 0; d < 10; d++) {
                if (d == "5500".charAt(p) - '0') assertEquals(0, counts[p][d]);
                else assertTrue(counts[p][d] > 250 && counts[p][d] < 420, p + "/" + d + ": " + counts[p][d]);
            }
        }
        assertNotEquals("7", ToolArithmeticTask.guess(7, rng));
        assertEquals(1, ToolArithmeticTask.guess(7, rng).length());
    }

    /** The prompt's and the observation's tokens are context only; the model's own (call, answer, EOS) are trained on. */
    @Test
    void pretrainingMasksTheObservationOnly() {
        CharTokenizer tok = ToolVocabulary.tokenizer();
        CorpusLine l = ToolArithmeticTask.toolUse(Tool.CALCULATOR, new Calculation(12, '*', 34));
        TokenSequence s = ToolArithmeticTask.sequence(tok, l);
        assertEquals(tok.bosId(), s.ids()[0]);
        assertEquals(tok.eosId(), s.ids()[s.length() - 1]);
        int[] body = java.util.Arrays.copyOfRange(s.ids(), 1, s.length() - 1);
        assertEquals(l.text(), tok.decode(body));
        StringBuilder masked = new StringBuilder(), trained = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) (s.target()[i] ? trained : masked).append(tok.decode(new int[] {s.ids()[i]}));
        assertEquals("12*34=\n```output\n408\n```\n", masked.toString());
        assertEquals("```calculator\n12*34\n```<answer>408</answer>", trained.toString());
        assertFalse(s.target()[0]);
        assertTrue(s.target()[s.length() - 1]);

        CorpusLine d = ToolArithmeticTask.direct(new Calculation(12, '*', 34), new Random(1));
        TokenSequence ds = ToolArithmeticTask.sequence(tok, d);
        assertEquals(d.answer().length() + 1, ds.targetCount(), "the answer and EOS");
        List<TokenSequence> all = new ToolArithmeticTask(SMALL).pretrainSequences();
        assertEquals(SMALL.corpusSize(), all.size());
    }

    /** Every character the task writes is in the vocabulary; it is newline + printable ASCII, in that order. */
    @Test
    void vocabularyCoversTheTask() {
        CharTokenizer tok = ToolVocabulary.tokenizer();
        assertEquals(3 + 1 + 95 + 1, tok.vocabSize(), "pad, bos, eos, newline, printable ASCII, <unk>");
        assertArrayEquals(new int[] {3, 4, 4 + ('0' - ' ')}, tok.encode("\n 0"));
        for (CorpusLine l : new ToolArithmeticTask(SMALL.withTool(Tool.PYTHON, 0.5)).corpus()) {
            assertEquals(l.text(), tok.decode(tok.encode(l.text())));
        }
    }

    @Test
    void writesTheFourFiles(@TempDir Path dir) throws Exception {
        Map<String, Path> files = new ToolArithmeticTask(SMALL).writeAll(dir);
        assertEquals(List.of("train", "test", "pretrain", "sft"), List.copyOf(files.keySet()));
        ObjectMapper json = new ObjectMapper();
        List<String> test = Files.readAllLines(dir.resolve("tool-test.jsonl"));
        assertEquals(100, test.size());
        JsonNode row = json.readTree(test.get(0));
        assertEquals(product(row.get("prompt").asText().split("[*=]")[0], row.get("prompt").asText().split("[*=]")[1]),
                row.get("answer").asText());
        assertEquals(300, Files.readAllLines(dir.resolve("tool-train.jsonl")).size());
        List<String> corpus = Files.readAllLines(dir.resolve("tool-pretrain.jsonl"));
        assertEquals(4_000, corpus.size());
        for (String line : corpus) {
            JsonNode r = json.readTree(line);
            boolean isTool = r.get("kind").asText().equals("tool");
            assertEquals(isTool, r.has("observation"), line);
            if (isTool) assertTrue(r.get("completion").asText().contains(r.get("observation").asText()), line);
        }
        List<String> sft = Files.readAllLines(dir.resolve("tool-sft.jsonl"));
        assertEquals(50, sft.size());
        for (String line : sft) assertEquals("tool", json.readTree(line).get("kind").asText());
    }

    @Test
    void badConfigsAreRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Config(1, 2, 3, 0, 0, Tool.CALCULATOR, 1.5, 1, 1, 1, 1));
        assertTrue(e.getMessage().startsWith("tool_share"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Config(1, 3, 2, 0, 0, Tool.CALCULATOR, 0.2, 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("min_digits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Config(1, 2, 3, 0, 0, null, 0.2, 1, 1, 1, 1));
        assertTrue(e.getMessage().startsWith("tool must be given"), e.getMessage());
    }

    private static String product(String a, String b) {
        return new BigInteger(a).multiply(new BigInteger(b)).toString();
    }
}
