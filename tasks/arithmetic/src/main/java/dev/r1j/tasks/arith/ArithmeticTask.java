package dev.r1j.tasks.arith;

import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The toy task of the R1-Zero recipe: multi-digit {@code + - *} problems, a pretraining corpus that makes a
 * deliberately <em>imperfect</em> base model, and held-out problems to measure what RL adds.
 *
 * <h2>Why the corpus looks like this</h2>
 * R1-Zero's story is that a base model <em>can</em> reason step by step but mostly doesn't; RL with a
 * correctness and format reward makes the careful path the usual one, and completions grow longer. The corpus
 * reproduces that on purpose. Each completion is drawn independently of its problem:
 * <ul>
 *   <li><b>worked</b> ({@code workedShare}, default 30%): the careful digit-by-digit solution of
 *       {@link Solutions#worked}, about 45-65 characters. A share {@code slipShare} (default 10%) of these
 *       carry one deliberate slip (a step result off by one, followed consistently, so the answer is wrong).</li>
 *   <li><b>direct</b> (the rest, 70%): {@code <answer>N</answer>} straight away, where N is the
 *       "no carry" shortcut ({@link Solutions#noCarryAnswer}): right only on problems that need no
 *       carry or borrow (about 31% of problems with the default digits, see below), about 20 characters.</li>
 *   <li><b>broken</b> (a share {@code brokenShare}, default 20%, of the direct ones): the shortcut answer with a
 *       broken format: a bare number, a missing {@code </answer>}, or the answer inside {@code <think>}.</li>
 * </ul>
 * A model trained on this takes the direct path most of the time: greedy decoding picks it (the
 * {@code <a} after {@code <} is more likely than {@code <t}), so greedy accuracy is about the no-carry rate;
 * sampling at temperature 1 takes the worked path about 30% of the time, so a group of 8 samples usually holds
 * a correct, well-formatted, longer completion — exactly the signal GRPO needs. After RL the model should take
 * the worked path: accuracy up, completion length up (from ~20 to ~55 characters).
 *
 * <h2>Problems</h2>
 * Operands have {@code minDigits..maxDigits} digits (default 2-3), each length equally likely; subtraction
 * swaps operands so that {@code a >= b}; multiplication has a one-digit multiplier 2-9. Operation shares
 * default to 40% {@code +}, 30% {@code -}, 30% {@code *}. With the defaults about 31% of problems need no
 * carry (measured by {@code ArithmeticTaskTest}).
 *
 * <h2>Split</h2>
 * A problem is held out iff a seeded hash of it falls in the held-out tenth; test problems are drawn only from
 * that tenth and training prompts and the pretraining corpus never are, so the two can never overlap, whatever
 * the sizes.
 *
 * <pre>{@code
 * ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults());
 * task.writeAll(Path.of("data"));   // arith-train.jsonl, arith-test.jsonl, arith-pretrain.jsonl, arith-sft.jsonl
 * List<ArithmeticTask.CorpusLine> corpus = task.corpus();
 * }</pre>
 */
public final class ArithmeticTask implements ToyTask {

    /** What kind of completion a corpus line carries. */
    public enum Kind { WORKED, SLIP, DIRECT, BROKEN }

    /** One pretraining line: the prompt, its completion and what kind of completion it is. */
    public record CorpusLine(Problem problem, String completion, Kind kind) {
        public String prompt() {
            return problem.prompt();
        }

        /** Prompt and completion as one text (what the pretraining stage trains on). */
        public String text() {
            return problem.prompt() + completion;
        }
    }

    /**
     * Generator settings.
     *
     * @param seed          everything is a deterministic function of this
     * @param minDigits     fewest digits of an operand (the multiplier of {@code *} is always one digit)
     * @param maxDigits     most digits of an operand
     * @param addShare      share of {@code +} problems
     * @param subShare      share of {@code -} problems (the rest are {@code *})
     * @param workedShare   share of corpus completions that are worked solutions
     * @param slipShare     share of worked solutions with one deliberate slip
     * @param brokenShare   share of direct (shortcut) completions whose format is broken
     * @param corpusSize    lines in the pretraining corpus
     * @param trainSize     distinct prompts in {@code arith-train.jsonl} (RL prompts)
     * @param testSize      distinct held-out prompts in {@code arith-test.jsonl}
     * @param sftSize       lines of careful worked solutions in {@code arith-sft.jsonl} (cold-start SFT)
     */
    public record Config(long seed, int minDigits, int maxDigits, double addShare, double subShare,
                         double workedShare, double slipShare, double brokenShare,
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
            share("worked_share", workedShare);
            share("slip_share", slipShare);
            share("broken_share", brokenShare);
            if (corpusSize < 0 || trainSize < 0 || testSize < 0 || sftSize < 0) {
                throw new IllegalArgumentException("sizes must be >= 0");
            }
        }

        /** The generator's defaults (the bundled r1-zero recipe narrows them to 2-digit + and -). */
        public static Config defaults() {
            return new Config(1234L, 2, 3, 0.4, 0.3, 0.3, 0.1, 0.2, 20_000, 2_000, 200, 500);
        }

        public Config withSeed(long s) {
            return new Config(s, minDigits, maxDigits, addShare, subShare, workedShare, slipShare, brokenShare,
                    corpusSize, trainSize, testSize, sftSize);
        }

        public Config withSizes(int corpus, int train, int test, int sft) {
            return new Config(seed, minDigits, maxDigits, addShare, subShare, workedShare, slipShare, brokenShare,
                    corpus, train, test, sft);
        }

        public Config withShares(double worked, double slip, double broken) {
            return new Config(seed, minDigits, maxDigits, addShare, subShare, worked, slip, broken,
                    corpusSize, trainSize, testSize, sftSize);
        }

        private static void share(String name, double v) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1], got " + v);
        }
    }

    private static final Pattern ANSWER = Pattern.compile("<answer>([^<]*)</answer>");
    private static final Pattern STRICT = Pattern.compile("<think>[^<]+</think><answer>[^<]+</answer>");

    private final Config config;

    public ArithmeticTask(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Whether {@code p} belongs to the held-out tenth (a seeded hash, independent of draw order). */
    public boolean isHeldOut(Problem p) {
        return HeldOutSplit.isHeldOut(config.seed, p.a(), p.op(), p.b());
    }

    /** A random problem drawn with {@code rng} (either split). */
    public Problem draw(Random rng) {
        double u = rng.nextDouble();
        if (u < config.addShare) return new Problem(number(rng), '+', number(rng));
        if (u < config.addShare + config.subShare) {
            long x = number(rng), y = number(rng);
            return new Problem(Math.max(x, y), '-', Math.min(x, y));
        }
        return new Problem(number(rng), '*', 2 + rng.nextInt(8));
    }

    /** {@code testSize} distinct held-out problems. */
    public List<Problem> testProblems() {
        return distinct(new Random(config.seed ^ 0x7E57L), config.testSize, true);
    }

    /** {@code trainSize} distinct training problems (never held out). */
    public List<Problem> trainProblems() {
        return distinct(new Random(config.seed ^ 0x7A1EL), config.trainSize, false);
    }

    /** The pretraining corpus: {@code corpusSize} lines on training problems, kinds mixed as documented above. */
    public List<CorpusLine> corpus() {
        Random rng = new Random(config.seed ^ 0xC0D5L);
        List<CorpusLine> out = new ArrayList<>(config.corpusSize);
        while (out.size() < config.corpusSize) {
            Problem p = draw(rng);
            if (isHeldOut(p)) continue;
            out.add(completionFor(p, rng));
        }
        return out;
    }

    /** {@code sftSize} careful worked solutions (no slips) on training problems, for a cold-start SFT stage. */
    public List<CorpusLine> sftExamples() {
        Random rng = new Random(config.seed ^ 0x5F7L);
        List<CorpusLine> out = new ArrayList<>(config.sftSize);
        while (out.size() < config.sftSize) {
            Problem p = draw(rng);
            if (!isHeldOut(p)) out.add(new CorpusLine(p, Solutions.worked(p), Kind.WORKED));
        }
        return out;
    }

    /** Draws one completion for {@code p} following the configured mixture. */
    public CorpusLine completionFor(Problem p, Random rng) {
        if (rng.nextDouble() < config.workedShare) {
            if (rng.nextDouble() < config.slipShare) {
                int n = Solutions.numSteps(p);
                for (int tries = 0; tries < 8; tries++) {
                    int k = rng.nextInt(n);
                    int delta = rng.nextBoolean() ? 1 : -1;
                    if (Solutions.canSlip(p, k, delta)) return new CorpusLine(p, Solutions.withSlip(p, k, delta), Kind.SLIP);
                    if (Solutions.canSlip(p, k, -delta)) return new CorpusLine(p, Solutions.withSlip(p, k, -delta), Kind.SLIP);
                }
            }
            return new CorpusLine(p, Solutions.worked(p), Kind.WORKED);
        }
        String guess = Solutions.noCarryAnswer(p);
        if (rng.nextDouble() < config.brokenShare) {
            String broken = switch (rng.nextInt(3)) {
                case 0 -> guess;
                case 1 -> "<answer>" + guess;
                default -> "<think>" + guess + "</think>";
            };
            return new CorpusLine(p, broken, Kind.BROKEN);
        }
        return new CorpusLine(p, "<answer>" + guess + "</answer>", Kind.DIRECT);
    }

    /** The text inside the first {@code <answer>…</answer>}, stripped, or {@code null} when there is none. */
    public static String extractAnswer(String completion) {
        Matcher m = ANSWER.matcher(completion);
        return m.find() ? m.group(1).strip() : null;
    }

    /** Exact match of the tagged answer against {@code p}'s answer (the toy's own accuracy measure). */
    public static boolean isCorrect(Problem p, String completion) {
        return Long.toString(p.answer()).equals(extractAnswer(completion));
    }

    /** Whether the completion is exactly {@code <think>…</think><answer>…</answer>} (R1 format). */
    public static boolean isWellFormatted(String completion) {
        return STRICT.matcher(completion.strip()).matches();
    }

    /** {@link ArithmeticVocabulary#tokenizer()}. */
    @Override
    public CharTokenizer tokenizer() {
        return ArithmeticVocabulary.tokenizer();
    }

    /** Every corpus line, all of its tokens trained on. */
    @Override
    public List<TokenSequence> pretrainSequences() {
        CharTokenizer tok = tokenizer();
        List<TokenSequence> out = new ArrayList<>(config.corpusSize);
        for (CorpusLine line : corpus()) out.add(TokenSequence.allTokens(ArithmeticVocabulary.withBosEos(tok, line.text())));
        return out;
    }

    /** Writes the four files into {@code dir} and returns their paths by role (train, test, pretrain, sft). */
    @Override
    public Map<String, Path> writeAll(Path dir) {
        try {
            Files.createDirectories(dir);
            Map<String, Path> files = new LinkedHashMap<>();
            files.put("train", writeProblems(dir.resolve("arith-train.jsonl"), trainProblems()));
            files.put("test", writeProblems(dir.resolve("arith-test.jsonl"), testProblems()));
            files.put("pretrain", writeLines(dir.resolve("arith-pretrain.jsonl"), corpus(), true));
            files.put("sft", writeLines(dir.resolve("arith-sft.jsonl"), sftExamples(), false));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write arithmetic data to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path writeProblems(Path file, List<Problem> problems) throws IOException {
        List<Map<String, Object>> rows = new java.util.ArrayList<>(problems.size());
        for (Problem p : problems) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p.prompt());
            row.put("answer", Long.toString(p.answer()));
            rows.add(row);
        }
        return TaskData.writeJsonl(file, rows);
    }

    private static Path writeLines(Path file, List<CorpusLine> lines, boolean withKind) throws IOException {
        List<Map<String, Object>> rows = new java.util.ArrayList<>(lines.size());
        for (CorpusLine l : lines) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", l.prompt());
            row.put("completion", l.completion());
            row.put("answer", Long.toString(l.problem().answer()));
            if (withKind) row.put("kind", l.kind().name().toLowerCase(java.util.Locale.ROOT));
            rows.add(row);
        }
        return TaskData.writeJsonl(file, rows);
    }

    private List<Problem> distinct(Random rng, int n, boolean heldOut) {
        return TaskData.distinct(n, () -> draw(rng), p -> isHeldOut(p) == heldOut, () -> "cannot find " + n
                + " distinct " + (heldOut ? "held-out" : "training") + " problems with " + config.minDigits + ".." + config.maxDigits
                + " digits; lower the size");
    }

    private long number(Random rng) {
        int d = config.minDigits + rng.nextInt(config.maxDigits - config.minDigits + 1);
        long lo = HeldOutSplit.pow10(d - 1), hi = HeldOutSplit.pow10(d);
        return lo + (long) (rng.nextDouble() * (hi - lo));
    }
}
