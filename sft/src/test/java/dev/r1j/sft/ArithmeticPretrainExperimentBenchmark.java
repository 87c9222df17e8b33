package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.Problem;
import dev.r1j.core.testing.TinyLM;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pretrains the toy arithmetic base model and measures what GRPO will start from: time, held-out accuracy
 * with greedy decoding and with temperature-1 sampling, pass@8 (the ceiling GRPO can reach), how often the
 * worked ({@code <think>}) path is taken, and completion length. Settings come from system properties
 * ({@code -Darith.hidden=128 -Darith.layers=2 -Darith.steps=600 ...}).
 *
 * <pre>
 * mvn -B -Pbench -pl sft -am test -Dtest=ArithmeticPretrainExperimentBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class ArithmeticPretrainExperimentBenchmark {
    static int prop(String k, int d) {
        return Integer.getInteger("arith." + k, d);
    }

    static double dprop(String k, double d) {
        String v = System.getProperty("arith." + k);
        return v == null ? d : Double.parseDouble(v);
    }

    /** Character vocabulary of the task: 0 pad, 1 BOS, 2 EOS, then the characters. */
    static final String CHARS = "0123456789+-*=<>/,abcdefghijklmnopqrstuvwxyz";

    static int[] encode(String s) {
        int[] out = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            int k = CHARS.indexOf(s.charAt(i));
            if (k < 0) throw new IllegalArgumentException("char '" + s.charAt(i) + "' not in vocabulary");
            out[i] = k + 3;
        }
        return out;
    }

    static String decode(int[] ids, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) if (ids[i] >= 3) sb.append(CHARS.charAt(ids[i] - 3));
        return sb.toString();
    }

    /** Process CPU seconds: under contention from other processes, the better proxy for time on an idle machine. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    public static void main(String[] args) {
        new ArithmeticPretrainExperimentBenchmark().run();
    }

    @Test
    void run() {
        int hidden = prop("hidden", 128), layers = prop("layers", 2), heads = prop("heads", 4);
        int steps = prop("steps", 600), batch = prop("batch", 32), corpusSize = prop("corpus", 20000);
        int evalN = prop("evalN", 100), samples = prop("samples", 8);
        double lr = dprop("lr", 3e-3);
        ArithmeticTask.Config tc = ArithmeticTask.Config.defaults().withSizes(corpusSize, 0, evalN, 0)
                .withShares(dprop("worked", 0.3), dprop("slip", 0.1), dprop("broken", 0.2));
        ArithmeticTask task = new ArithmeticTask(tc);
        List<TokenSequence> data = new ArrayList<>();
        for (ArithmeticTask.CorpusLine l : task.corpus()) {
            int[] body = encode(l.text());
            int[] ids = new int[body.length + 2];
            ids[0] = 1;
            System.arraycopy(body, 0, ids, 1, body.length);
            ids[ids.length - 1] = 2;
            data.add(TokenSequence.allTokens(ids));
        }
        int vocab = CHARS.length() + 3;
        System.out.printf("config: hidden=%d layers=%d heads=%d steps=%d batch=%d lr=%.4f corpus=%d worked=%.2f%n",
                hidden, layers, heads, steps, batch, lr, corpusSize, tc.workedShare());
        System.out.println("load before: " + load());
        try (NDManager root = Djl.newManager(); TinyLM model = TinyLM.gpt(root, vocab, hidden, layers, heads, 128, 7)) {
            long nParams = model.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            System.out.printf("params: %d%n", nParams);
            LmTrainerConfig cfg = LmTrainerConfig.builder().steps(steps).batchSize(batch).learningRate(lr)
                    .warmupSteps(Math.max(1, steps / 20)).build();
            long t0 = System.nanoTime();
            double c0 = cpuSeconds();
            new LmTrainer(cfg).train(model, data, 0, m -> {
                if (m.step() % Math.max(1, steps / 12) == 0 || m.step() == steps) {
                    System.out.printf("step %4d loss %.4f lr %.5f gnorm %.2f tok/s %.0f elapsed %.1fs cpu %.1fs epoch %.2f%n",
                            m.step(), m.loss(), m.lr(), m.gradNorm(), m.tokensPerS(), m.elapsedS(), cpuSeconds() - c0,
                            m.epoch());
                }
            });
            double trainS = (System.nanoTime() - t0) / 1e9;
            double trainCpu = cpuSeconds() - c0;
            System.out.printf("pretrain time: %.1f s wall, %.1f s CPU (load after: %s)%n", trainS, trainCpu, load());
            List<Problem> test = task.testProblems();
            long e0 = System.nanoTime();
            double ec0 = cpuSeconds();
            Eval greedy = evaluate(model, test, 1, 0.0, 11);
            Eval sampled = evaluate(model, test, samples, 1.0, 12);
            System.out.printf("eval time: %.1f s wall, %.1f s CPU%n", (System.nanoTime() - e0) / 1e9, cpuSeconds() - ec0);
            System.out.printf("RESULT hidden=%d layers=%d steps=%d batch=%d lr=%.4f corpus=%d pretrain_s=%.1f cpu_s=%.1f "
                            + "greedy_acc=%.3f greedy_think=%.2f greedy_len=%.1f sampled_acc=%.3f sampled_think=%.2f "
                            + "think_acc=%.3f sampled_len=%.1f pass@%d=%.3f%n",
                    hidden, layers, steps, batch, lr, corpusSize, trainS, trainCpu, greedy.acc, greedy.think, greedy.len,
                    sampled.acc, sampled.think, sampled.thinkAcc, sampled.len, samples, sampled.passAtK);
        }
    }

    record Eval(double acc, double think, double thinkAcc, double len, double passAtK) {}

    static Eval evaluate(TinyLM model, List<Problem> problems, int k, double temperature, long seed) {
        List<String> prompts = new ArrayList<>();
        for (Problem p : problems) for (int j = 0; j < k; j++) prompts.add(p.prompt());
        List<String> outs = new ArrayList<>();
        int chunk = 256;
        for (int i = 0; i < prompts.size(); i += chunk) {
            outs.addAll(generate(model, prompts.subList(i, Math.min(prompts.size(), i + chunk)), 72, temperature,
                    new Random(seed + i)));
        }
        int correct = 0, think = 0, thinkCorrect = 0, solved = 0;
        long len = 0;
        for (int i = 0; i < problems.size(); i++) {
            boolean any = false;
            for (int j = 0; j < k; j++) {
                String c = outs.get(i * k + j);
                boolean ok = ArithmeticTask.isCorrect(problems.get(i), c);
                boolean th = c.startsWith("<think>");
                if (ok) correct++;
                if (th) think++;
                if (th && ok) thinkCorrect++;
                any |= ok;
                len += c.length();
            }
            if (any) solved++;
            if (i < 3) System.out.println("  sample: " + problems.get(i).prompt() + outs.get(i * k));
        }
        int n = problems.size() * k;
        return new Eval(correct / (double) n, think / (double) n, think == 0 ? 0 : thinkCorrect / (double) think,
                len / (double) n, solved / (double) problems.size());
    }

    /** Left-padded batch generation without a KV cache (re-runs the prefix each token); stops at EOS. */
    static List<String> generate(TinyLM model, List<String> prompts, int maxNew, double temperature, Random rng) {
        int b = prompts.size();
        int[][] enc = new int[b][];
        int p = 0;
        for (int i = 0; i < b; i++) {
            int[] e = encode(prompts.get(i));
            enc[i] = new int[e.length + 1];
            enc[i][0] = 1;
            System.arraycopy(e, 0, enc[i], 1, e.length);
            p = Math.max(p, enc[i].length);
        }
        int total = p + maxNew;
        long[] ids = new long[b * total];
        long[] mask = new long[b * total];
        for (int i = 0; i < b; i++) {
            int off = p - enc[i].length;
            for (int j = 0; j < enc[i].length; j++) {
                ids[i * total + off + j] = enc[i][j];
                mask[i * total + off + j] = 1;
            }
        }
        int[][] out = new int[b][maxNew];
        int[] outLen = new int[b];
        boolean[] done = new boolean[b];
        int vocab = CHARS.length() + 3;
        for (int s = 0; s < maxNew; s++) {
            int t = p + s;
            float[] logits;
            try (NDManager sub = model.manager().newSubManager()) {
                long[] idsNow = new long[b * t], maskNow = new long[b * t];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(ids, i * total, idsNow, i * t, t);
                    System.arraycopy(mask, i * total, maskNow, i * t, t);
                }
                NDArray x = sub.create(idsNow, new Shape(b, t));
                NDArray m = sub.create(maskNow, new Shape(b, t));
                logits = model.lastLogits(x, m).toFloatArray();
            }
            boolean all = true;
            for (int i = 0; i < b; i++) {
                if (done[i]) continue;
                int tok = pick(logits, i * vocab, vocab, temperature, rng);
                if (tok == 2) {
                    done[i] = true;
                    continue;
                }
                out[i][outLen[i]++] = tok;
                ids[i * total + t] = tok;
                mask[i * total + t] = 1;
                all = false;
            }
            // rows that are done keep mask 0 for the rest: they no longer matter
            if (all) break;
        }
        List<String> res = new ArrayList<>(b);
        for (int i = 0; i < b; i++) res.add(decode(out[i], outLen[i]));
        return res;
    }

    static int pick(float[] logits, int off, int v, double temperature, Random rng) {
        int best = 0;
        for (int j = 1; j < v; j++) if (logits[off + j] > logits[off + best]) best = j;
        if (temperature <= 0) return best;
        double[] p = new double[v];
        double z = 0;
        for (int j = 0; j < v; j++) {
            p[j] = Math.exp((logits[off + j] - logits[off + best]) / temperature);
            z += p[j];
        }
        double u = rng.nextDouble() * z;
        for (int j = 0; j < v; j++) {
            u -= p[j];
            if (u <= 0) return j;
        }
        return v - 1;
    }

    static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
