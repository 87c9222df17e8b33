package dev.r1j.tasks.arith;

import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The toy task of the {@code r1-tool} recipe: arithmetic the small model cannot do reliably in its head (say
 * 3-digit by 3-digit multiplication), and a pretraining corpus that calls a tool only sometimes, so that RL has a
 * tool-using path to find and reinforce.
 *
 * <h2>The corpus</h2>
 * Each completion is drawn independently of its problem:
 * <ul>
 *   <li><b>tool</b> ({@code toolShare}, e.g. 25%): the tool-integrated path of {@link ToolTranscript}: a
 *       {@code calculator} (or {@code python}) code block with the expression, the output block the environment appends, then
 *       {@code <answer>N</answer>} with the printed number.</li>
 *   <li><b>direct</b> (the rest): {@code <answer>N</answer>} straight away, where N is a plausible-looking guess:
 *       the true answer with one digit other than the first replaced by a different digit (the right length and
 *       leading digit, wrong in the middle or at the end). Every direct answer in the corpus is wrong, so the model
 *       can at best learn the digits it can work out in its head; with multi-digit products that is few of them.</li>
 * </ul>
 * A model pretrained on this answers directly when decoding greedily (the direct path is the more likely one) and
 * calls the tool about {@code toolShare} of the time when sampling; a tool call it makes is right when it copied the
 * operands into the code and the printed number into the answer. A 2-layer toy learns both copies in a jump after
 * some hundreds of steps (r1-tool's 3-digit products: ~400 steps of 64 sequences; 400 x 32 is too few), as
 * position-aligned copies: fixed-length operands put them at a fixed distance from the call, and the answer is
 * copied from where the most common product length puts it (docs/r1-tool-results.md). The output
 * block is the environment's text, not the model's: {@link #pretrainSequences()} trains on the call and the answer
 * but not on the observation's tokens, as GRPO's loss leaves them out. A model that learned to write the output
 * itself would be learning to make tool results up (and the observation's digits are the product, which it cannot
 * compute: their loss would be noise). The prompt is context too (random operands).
 *
 * <h2>Problems and split</h2>
 * Operands have {@code minDigits..maxDigits} digits each, each length equally likely; operation shares
 * {@code addShare} {@code +}, {@code subShare} {@code -}, the rest {@code *}; subtraction swaps operands so that
 * {@code a >= b}. A problem is held out iff a seeded hash of it falls in the held-out tenth (the same rule as
 * {@link ArithmeticTask}); test problems come only from that tenth, training prompts and the corpus never do.
 *
 * <pre>{@code
 * ToolArithmeticTask task = new ToolArithmeticTask(ToolArithmeticTask.Config.defaults());
 * task.writeAll(Path.of("data"));   // tool-train.jsonl, tool-test.jsonl, tool-pretrain.jsonl, tool-sft.jsonl
 * }</pre>
 */
public final class ToolArithmeticTask implements ToyTask {

    /** What kind of completion a corpus line carries. */
    public enum Kind { TOOL, DIRECT }

    /**
     * One pretraining line. {@code call} and {@code observation} are empty for a direct answer.
     *
     * @param call        the model's tool call ({@link ToolTranscript#call})
     * @param observation what the environment appends after the call ({@link ToolTranscript#observation})
     * @param answer      the model's final answer ({@link ToolTranscript#answer})
     */
    public record CorpusLine(Calculation problem, Kind kind, String call, String observation, String answer) {
        public String prompt() {
            return problem.prompt();
        }

        /** Everything after the prompt, the observation included. */
        public String completion() {
            return call + observation + answer;
        }

        public String text() {
            return prompt() + completion();
        }
    }

    /**
     * Generator settings.
     *
     * @param seed       everything is a deterministic function of this
     * @param minDigits  fewest digits of an operand
     * @param maxDigits  most digits of an operand
     * @param addShare   share of {@code +} problems
     * @param subShare   share of {@code -} problems (the rest are {@code *})
     * @param tool       the tool the corpus calls (the environment the recipe's grpo and eval stages name)
     * @param toolShare  share of corpus completions that call the tool (the rest answer directly, with a guess)
     * @param corpusSize lines of the pretraining corpus
     * @param trainSize  distinct RL training prompts in {@code tool-train.jsonl}
     * @param testSize   distinct held-out prompts in {@code tool-test.jsonl}
     * @param sftSize    tool-using completions in {@code tool-sft.jsonl}
     */
    public record Config(long seed, int minDigits, int maxDigits, double addShare, double subShare, Tool tool,
                         double toolShare,
                         int corpusSize, int trainSize, int testSize, int sftSize) {
        public Config {
            if (minDigits < 1 || maxDigits < minDigits || maxDigits > 9) {
                throw new IllegalArgumentException(
                        "digits must satisfy 1 <= min_digits <= max_digits <= 9, got " + minDigits + ".." + maxDigits);
            }
            share("add_share", addShare);
            share("sub_share", subShare);
            if (addShare + subShare > 1 + 1e-9) {
                throw new IllegalArgumentException("add_share + sub_share must be <= 1, got " + (addShare + subShare));
            }
            if (tool == null) throw new IllegalArgumentException("tool must be given (calculator or python)");
            share("tool_share", toolShare);
            if (corpusSize < 0 || trainSize < 0 || testSize < 0 || sftSize < 0) {
                throw new IllegalArgumentException("sizes must be >= 0");
            }
        }

        /** 2-3 digit multiplication, 25% calculator calls. */
        public static Config defaults() {
            return new Config(1234L, 2, 3, 0.0, 0.0, Tool.CALCULATOR, 0.25, 20_000, 2_000, 200, 500);
        }

        public Config withSizes(int corpus, int train, int test, int sft) {
            return new Config(seed, minDigits, maxDigits, addShare, subShare, tool, toolShare, corpus, train, test, sft);
        }

        public Config withTool(Tool t, double share) {
            return new Config(seed, minDigits, maxDigits, addShare, subShare, t, share, corpusSize, trainSize, testSize,
                    sftSize);
        }

        private static void share(String name, double v) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1], got " + v);
        }
    }


    private final Config config;

    public ToolArithmeticTask(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Whether {@code c} belongs to the held-out tenth (a seeded hash, independent of draw order). */
    public boolean isHeldOut(Calculation c) {
        return HeldOutSplit.isHeldOut(config.seed(), c.a(), c.op(), c.b());
    }

    /** A random problem drawn with {@code rng} (either split). */
    public Calculation draw(Random rng) {
        double u = rng.nextDouble();
        long x = number(rng), y = number(rng);
        if (u < config.addShare()) return new Calculation(x, '+', y);
        if (u < config.addShare() + config.subShare()) return new Calculation(Math.max(x, y), '-', Math.min(x, y));
        return new Calculation(x, '*', y);
    }

    /** {@code testSize} distinct held-out problems. */
    public List<Calculation> testProblems() {
        return distinct(new Random(config.seed() ^ 0x7E57L), config.testSize(), true);
    }

    /** {@code trainSize} distinct training problems (never held out). */
    public List<Calculation> trainProblems() {
        return distinct(new Random(config.seed() ^ 0x7A1EL), config.trainSize(), false);
    }

    /** The pretraining corpus: {@code corpusSize} lines on training problems, tool calls and guesses mixed. */
    public List<CorpusLine> corpus() {
        Random rng = new Random(config.seed() ^ 0xC0D5L);
        List<CorpusLine> out = new ArrayList<>(config.corpusSize());
        while (out.size() < config.corpusSize()) {
            Calculation c = draw(rng);
            if (isHeldOut(c)) continue;
            out.add(rng.nextDouble() < config.toolShare() ? toolUse(config.tool(), c) : direct(c, rng));
        }
        return out;
    }

    /** {@code sftSize} tool-using completions on training problems (a cold-start SFT set; observation included). */
    public List<CorpusLine> sftExamples() {
        Random rng = new Random(config.seed() ^ 0x5F7L);
        List<CorpusLine> out = new ArrayList<>(config.sftSize());
        while (out.size() < config.sftSize()) {
            Calculation c = draw(rng);
            if (!isHeldOut(c)) out.add(toolUse(config.tool(), c));
        }
        return out;
    }

    /** The tool-using completion of {@code c}: call, the output block of the printed answer, the answer. */
    public static CorpusLine toolUse(Tool tool, Calculation c) {
        String value = Long.toString(c.answer());
        return new CorpusLine(c, Kind.TOOL, ToolTranscript.call(tool, c), ToolTranscript.observation(value),
                ToolTranscript.answer(value));
    }

    /** A direct answer to {@code c}: a plausible-looking wrong guess ({@link #guess}). */
    public static CorpusLine direct(Calculation c, Random rng) {
        return new CorpusLine(c, Kind.DIRECT, "", "", ToolTranscript.answer(guess(c.answer(), rng)));
    }

    /**
     * The true answer with one digit replaced by a different one, chosen uniformly: a digit after the first (the
     * only digit of a one-digit answer), so the guess keeps the answer's length and leading digit and is always
     * wrong.
     */
    static String guess(long answer, Random rng) {
        char[] d = Long.toString(answer).toCharArray();
        int pos = d.length == 1 ? 0 : 1 + rng.nextInt(d.length - 1);
        int old = d[pos] - '0';
        int repl = (old + 1 + rng.nextInt(9)) % 10;
        d[pos] = (char) ('0' + repl);
        return new String(d);
    }

    /** {@link ToolVocabulary#tokenizer()}. */
    @Override
    public CharTokenizer tokenizer() {
        return ToolVocabulary.tokenizer();
    }

    /**
     * BOS, prompt, call, observation, answer, EOS; the model's own tokens (call, answer, EOS) are the targets. The
     * prompt is context, as in SFT's completion-only loss: its operands are random digits, whose loss only adds
     * noise to the gradient of what the model must learn (copying them into the call).
     */
    @Override
    public List<TokenSequence> pretrainSequences() {
        CharTokenizer tok = tokenizer();
        List<TokenSequence> out = new ArrayList<>(config.corpusSize());
        for (CorpusLine line : corpus()) out.add(sequence(tok, line));
        return out;
    }

    /** One corpus line as a training sequence whose prompt and observation tokens are context only. */
    public static TokenSequence sequence(CharTokenizer tok, CorpusLine line) {
        int[][] parts = {tok.encode(line.prompt()), tok.encode(line.call()), tok.encode(line.observation()),
                tok.encode(line.answer())};
        boolean[] trained = {false, true, false, true};
        int n = 2;
        for (int[] p : parts) n += p.length;
        int[] ids = new int[n];
        boolean[] target = new boolean[n];
        int at = 0;
        ids[at++] = tok.bosId();
        for (int p = 0; p < parts.length; p++) {
            for (int id : parts[p]) {
                target[at] = trained[p];
                ids[at++] = id;
            }
        }
        ids[at] = tok.eosId();
        target[at] = true;
        return new TokenSequence(ids, target);
    }

    /** Writes the four files into {@code dir} and returns their paths by role (train, test, pretrain, sft). */
    @Override
    public Map<String, Path> writeAll(Path dir) {
        try {
            Files.createDirectories(dir);
            Map<String, Path> files = new LinkedHashMap<>();
            files.put("train", writeProblems(dir.resolve("tool-train.jsonl"), trainProblems()));
            files.put("test", writeProblems(dir.resolve("tool-test.jsonl"), testProblems()));
            files.put("pretrain", writeLines(dir.resolve("tool-pretrain.jsonl"), corpus()));
            files.put("sft", writeLines(dir.resolve("tool-sft.jsonl"), sftExamples()));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tool-task data to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path writeProblems(Path file, List<Calculation> problems) throws IOException {
        List<Map<String, Object>> rows = new java.util.ArrayList<>(problems.size());
        for (Calculation c : problems) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", c.prompt());
            row.put("answer", Long.toString(c.answer()));
            rows.add(row);
        }
        return TaskData.writeJsonl(file, rows);
    }

    private static Path writeLines(Path file, List<CorpusLine> lines) throws IOException {
        List<Map<String, Object>> rows = new java.util.ArrayList<>(lines.size());
        for (CorpusLine l : lines) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", l.prompt());
            row.put("completion", l.completion());
            row.put("answer", Long.toString(l.problem().answer()));
            row.put("kind", l.kind().name().toLowerCase(Locale.ROOT));
            if (!l.observation().isEmpty()) row.put("observation", l.observation());
            rows.add(row);
        }
        return TaskData.writeJsonl(file, rows);
    }

    private List<Calculation> distinct(Random rng, int n, boolean heldOut) {
        return TaskData.distinct(n, () -> draw(rng), p -> isHeldOut(p) == heldOut, () -> "cannot find " + n
                + " distinct " + (heldOut ? "held-out" : "training") + " problems with " + config.minDigits() + ".." + config.maxDigits()
                + " digits; lower the size");
    }

    private long number(Random rng) {
        int d = config.minDigits() + rng.nextInt(config.maxDigits() - config.minDigits() + 1);
        long lo = HeldOutSplit.pow10(d - 1), hi = HeldOutSplit.pow10(d);
        return lo + (long) (rng.nextDouble() * (hi - lo));
    }
}
