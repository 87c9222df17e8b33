package dev.r1j.tasks.arith;

import static org.junit.jupiter.api.Assertions.*;

import dev.r1j.tasks.arith.ArithmeticTask.CorpusLine;
import dev.r1j.tasks.arith.ArithmeticTask.Kind;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.Problem;
import dev.r1j.tasks.arith.Solutions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArithmeticTaskTest {
    private static final ArithmeticTask TASK = new ArithmeticTask(ArithmeticTask.Config.defaults());

    @Test
    void handWorkedExamples() {
        assertEquals("<think>7+5=12,4+8+1=13,3+1+1=5</think><answer>532</answer>",
                Solutions.worked(new Problem(347, '+', 185)));
        assertEquals("<think>12-5=7,13-8-1=4,5-1-1=3</think><answer>347</answer>",
                Solutions.worked(new Problem(532, '-', 185)));
        assertEquals("<think>7*6=42,4*6+4=28,3*6+2=20</think><answer>2082</answer>",
                Solutions.worked(new Problem(347, '*', 6)));
        // shorter second operand: missing digits are 0; final carry becomes the leading digit
        assertEquals("<think>7+5=12,9+0+1=10</think><answer>102</answer>", Solutions.worked(new Problem(97, '+', 5)));
        // leading zeros of a difference are dropped
        assertEquals("<think>12-8=4,3-2-1=0,5-5=0</think><answer>4</answer>",
                Solutions.worked(new Problem(532, '-', 528)));
        assertEquals("532", Solutions.noCarryAnswer(new Problem(311, '+', 221)));
        assertEquals("422", Solutions.noCarryAnswer(new Problem(347, '+', 185))); // 3+1, 4+8->2, 7+5->2
        assertEquals("453", Solutions.noCarryAnswer(new Problem(532, '-', 185))); // |5-1|, |3-8|, |2-5|
        assertEquals("1842", Solutions.noCarryAnswer(new Problem(347, '*', 6))); // 18, 24->4, 42->2
        assertEquals(Problem.parse("347*6="), new Problem(347, '*', 6));
        assertThrows(IllegalArgumentException.class, () -> Problem.parse("hello"));
    }

    @Test
    void generationIsDeterministicInTheSeed() {
        ArithmeticTask.Config small = ArithmeticTask.Config.defaults().withSizes(500, 100, 50, 20);
        ArithmeticTask a = new ArithmeticTask(small), b = new ArithmeticTask(small);
        assertEquals(a.corpus(), b.corpus());
        assertEquals(a.trainProblems(), b.trainProblems());
        assertEquals(a.testProblems(), b.testProblems());
        assertEquals(a.sftExamples(), b.sftExamples());
        assertNotEquals(a.corpus(), new ArithmeticTask(small.withSeed(99)).corpus());
    }

    /** Independent checker: parses a worked solution and recomputes every step from the operands. */
    private static final Pattern STEP = Pattern.compile("(1?)(\\d)([+*-])(\\d)(?:[+-](\\d))?=(\\d+)");

    /** Returns the indices of wrong steps; fails if the structure or the answer's derivation is off. */
    private static Set<Integer> wrongSteps(Problem p, String completion) {
        Matcher m = Pattern.compile("<think>(.*)</think><answer>(\\d+)</answer>").matcher(completion);
        assertTrue(m.matches(), completion);
        String[] steps = m.group(1).split(",");
        String a = Long.toString(p.a()), b = Long.toString(p.b());
        Set<Integer> wrong = new HashSet<>();
        int carry = 0;
        long written = 0, place = 1;
        for (int i = 0; i < steps.length; i++) {
            Matcher s = STEP.matcher(steps[i]);
            assertTrue(s.matches(), steps[i] + " in " + completion);
            int x = Integer.parseInt(s.group(2)), y = Integer.parseInt(s.group(4));
            int c = s.group(5) == null ? 0 : Integer.parseInt(s.group(5));
            int r = Integer.parseInt(s.group(6));
            assertEquals(i < a.length() ? a.charAt(a.length() - 1 - i) - '0' : 0, x, "digit of a in " + completion);
            if (p.op() == '*') assertEquals(p.b(), y);
            else assertEquals(i < b.length() ? b.charAt(b.length() - 1 - i) - '0' : 0, y, "digit of b in " + completion);
            assertEquals(carry, c, "carry into step " + i + " of " + completion);
            int truth = switch (p.op()) {
                case '+' -> x + y + c;
                case '*' -> x * y + c;
                default -> (s.group(1).isEmpty() ? 0 : 10) + x - y - c;
            };
            if (p.op() == '-') {
                assertEquals(x - c < y, !s.group(1).isEmpty(), "borrow marker in " + completion);
                carry = s.group(1).isEmpty() ? 0 : 1;
            } else {
                carry = r / 10;
            }
            if (r != truth) wrong.add(i);
            written += (i == steps.length - 1 ? r : r % 10) * place;
            place *= 10;
        }
        assertEquals(Long.toString(written), m.group(2), "answer must be read off the steps: " + completion);
        return wrong;
    }

    @Test
    void workedSolutionsAreCorrectAndSlipsHaveExactlyOneWrongStep() {
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(4000, 0, 0, 0));
        int slips = 0;
        for (CorpusLine l : task.corpus()) {
            if (l.kind() == Kind.WORKED) {
                assertEquals(Set.of(), wrongSteps(l.problem(), l.completion()));
                assertTrue(ArithmeticTask.isCorrect(l.problem(), l.completion()), l.text());
                assertTrue(ArithmeticTask.isWellFormatted(l.completion()), l.text());
                int len = l.completion().length();
                assertTrue(len >= 35 && len <= 120, "length " + len + ": " + l.text());
            } else if (l.kind() == Kind.SLIP) {
                slips++;
                assertEquals(1, wrongSteps(l.problem(), l.completion()).size(), l.text());
                assertFalse(ArithmeticTask.isCorrect(l.problem(), l.completion()), l.text());
                assertTrue(ArithmeticTask.isWellFormatted(l.completion()), l.text());
            }
        }
        assertTrue(slips > 50, "slips: " + slips);
    }

    @Test
    void mixtureMatchesTheConfiguredShares() {
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(20_000, 0, 0, 0));
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        int directRight = 0, noCarryProblems = 0;
        int[] ops = new int[3];
        List<CorpusLine> corpus = task.corpus();
        for (CorpusLine l : corpus) {
            counts.merge(l.kind(), 1, Integer::sum);
            ops["+-*".indexOf(l.problem().op())]++;
            boolean noCarry = !Solutions.needsCarry(l.problem());
            if (noCarry) noCarryProblems++;
            if (l.kind() == Kind.DIRECT) {
                assertTrue(l.completion().matches("<answer>\\d+</answer>"), l.text());
                boolean right = ArithmeticTask.isCorrect(l.problem(), l.completion());
                assertEquals(noCarry, right, "the shortcut is right exactly without carries: " + l.text());
                if (right) directRight++;
            }
            if (l.kind() == Kind.BROKEN) assertFalse(ArithmeticTask.isWellFormatted(l.completion()), l.text());
        }
        double n = corpus.size();
        // binomial sd at n=20000 is < 0.0035; allow 4 sd
        double worked = (counts.getOrDefault(Kind.WORKED, 0) + counts.getOrDefault(Kind.SLIP, 0)) / n;
        assertEquals(0.30, worked, 0.014);
        assertEquals(0.10, counts.get(Kind.SLIP) / (worked * n), 0.02);
        assertEquals(0.20, counts.get(Kind.BROKEN) / ((1 - worked) * n), 0.014);
        assertEquals(0.4, ops[0] / n, 0.014);
        assertEquals(0.3, ops[1] / n, 0.014);
        double noCarryRate = noCarryProblems / n;
        // the Javadoc's "about 31%"; the shortcut's accuracy among direct answers must match it
        assertEquals(0.31, noCarryRate, 0.03);
        assertEquals(noCarryRate, directRight / (double) counts.get(Kind.DIRECT), 0.02);
    }

    @Test
    void trainAndTestNeverOverlap() {
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(5000, 2000, 300, 200));
        List<Problem> test = task.testProblems();
        assertEquals(300, new HashSet<>(test).size());
        Set<Problem> testSet = new HashSet<>(test);
        for (Problem p : task.trainProblems()) assertFalse(testSet.contains(p), p.prompt());
        for (CorpusLine l : task.corpus()) assertFalse(testSet.contains(l.problem()), l.text());
        for (CorpusLine l : task.sftExamples()) assertFalse(testSet.contains(l.problem()), l.text());
        // all three operations are represented in the held-out set
        for (char op : new char[] {'+', '-', '*'}) assertTrue(test.stream().anyMatch(p -> p.op() == op), "op " + op);
        // the held-out tenth is about a tenth of random problems
        Random rng = new Random(5);
        int held = 0;
        for (int i = 0; i < 10_000; i++) if (task.isHeldOut(task.draw(rng))) held++;
        assertEquals(1000, held, 120);
    }

    @Test
    void writesJsonlFiles(@TempDir Path dir) throws Exception {
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(30, 20, 10, 5));
        Map<String, Path> files = task.writeAll(dir);
        List<String> test = Files.readAllLines(files.get("test"));
        assertEquals(10, test.size());
        Problem first = task.testProblems().get(0);
        assertEquals("{\"prompt\":\"" + first.prompt() + "\",\"answer\":\"" + first.answer() + "\"}", test.get(0));
        assertEquals(20, Files.readAllLines(files.get("train")).size());
        assertEquals(30, Files.readAllLines(files.get("pretrain")).size());
        assertTrue(Files.readAllLines(files.get("pretrain")).get(0).contains("\"kind\":"));
        assertEquals(5, Files.readAllLines(files.get("sft")).size());
    }

    /**
     * The held-out rule (shared with the tool task since it moved to {@code HeldOutSplit}) is the formula the
     * r1-zero base models and data were built with, kept here as it was written: the same seed gives the same split.
     */
    @Test
    void heldOutSplitIsTheOriginalFormula() {
        Random rng = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            Problem p = TASK.draw(rng);
            assertEquals(originalIsHeldOut(TASK.config().seed(), p), TASK.isHeldOut(p), p.toString());
        }
    }

    private static boolean originalIsHeldOut(long seed, Problem p) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= p.a() * 0xC2B2AE3D27D4EB4FL;
        h ^= p.b() * 0x165667B19E3779F9L + p.op();
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h = h ^ (h >>> 31);
        return Math.floorMod(h, 10) == 0;
    }
}
