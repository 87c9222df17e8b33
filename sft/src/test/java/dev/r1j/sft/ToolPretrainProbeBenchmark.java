package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.tasks.arith.Calculation;
import dev.r1j.tasks.arith.ToolArithmeticTask;
import dev.r1j.tasks.arith.ToolTranscript;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pretrains the r1-tool toy base (the llama the {@code pretrain} stage builds, on {@link ToolArithmeticTask}'s
 * corpus) and, every {@code tool.every} steps, measures by teacher forcing on held-out problems what GRPO will start
 * from, without sampling:
 * <ul>
 *   <li>{@code p_tool}: the mean probability of starting a tool call (the T=1 tool-call rate of the first turn);
 *       {@code greedy_tool}: the share of problems where greedy decoding starts one;</li>
 *   <li>{@code call_ok}: share of problems whose whole call (operands included) is the greedy continuation once the
 *       call has started; {@code p_call}: mean probability that a T=1 call is exactly right;</li>
 *   <li>{@code ans_ok} / {@code p_ans}: the same for the second turn (the answer after the real observation);</li>
 *   <li>{@code direct_ok}: share of problems whose true answer is the greedy direct answer;</li>
 *   <li>{@code greedy_acc}: greedy accuracy of whole episodes (tool path: call and answer right; direct path:
 *       direct_ok), and {@code t1_acc}: expected T=1 accuracy of the tool path (p_tool x p_call x p_ans, per problem).</li>
 * </ul>
 * Teacher forcing is exact here: the observation in the corpus is character for character the calculator's
 * ({@code ToolCorpusAgainstRealToolsTest}), so greedy decoding of a right call sees exactly these tokens.
 * Settings from system properties ({@code -Dtool.steps=1500 -Dtool.share=0.3 -Dtool.min=3 -Dtool.max=3 ...}).
 *
 * <pre>
 * mvn -B -Pbench -pl sft -am test -Dtest=ToolPretrainProbeBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class ToolPretrainProbeBenchmark {
    static int prop(String k, int d) {
        return Integer.getInteger("tool." + k, d);
    }

    static double dprop(String k, double d) {
        String v = System.getProperty("tool." + k);
        return v == null ? d : Double.parseDouble(v);
    }

    public static void main(String[] args) {
        new ToolPretrainProbeBenchmark().run();
    }

    @Test
    void run() {
        int hidden = prop("hidden", 128), inter = prop("inter", 512), layers = prop("layers", 2), heads = prop("heads", 4);
        int steps = prop("steps", 1500), batch = prop("batch", 64), every = prop("every", 250), evalN = prop("evalN", 200);
        double lr = dprop("lr", 5e-3), share = dprop("share", 0.3);
        int minD = prop("min", 3), maxD = prop("max", 3);
        ToolArithmeticTask.Config tc = new ToolArithmeticTask.Config(1234L, minD, maxD, 0, 0, Tool.CALCULATOR, share,
                prop("corpus", 20000), 0, evalN, 0);
        ToolArithmeticTask task = new ToolArithmeticTask(tc);
        CharTokenizer tok = task.tokenizer();
        List<TokenSequence> data = task.pretrainSequences();
        List<Calculation> test = task.testProblems();
        System.out.printf("config: hidden=%d inter=%d layers=%d heads=%d steps=%d batch=%d lr=%.4f share=%.2f digits=%d..%d%n",
                hidden, inter, layers, heads, steps, batch, lr, share, minD, maxD);
        System.out.println("load before: " + ArithmeticPretrainExperimentBenchmark.load());
        ModelConfig mc = ModelConfig.llama(tok.vocabSize(), hidden, inter, layers, heads, heads, 128);
        try (NDManager root = Djl.newManager(); Transformer model = Transformer.create(mc, root, 0)) {
            LmTrainerConfig cfg = LmTrainerConfig.builder().steps(steps).batchSize(batch).learningRate(lr)
                    .warmupSteps(prop("warmup", 50)).build();
            double c0 = ArithmeticPretrainExperimentBenchmark.cpuSeconds();
            new LmTrainer(cfg).train(model, data, tok.padId(), m -> {
                if (m.step() % every == 0 || m.step() == steps) {
                    Probe p = probe(model, tok, test);
                    System.out.printf("step %5d loss %.4f cpu %.0fs | %s%n", m.step(), m.loss(),
                            ArithmeticPretrainExperimentBenchmark.cpuSeconds() - c0, p);
                }
            });
            System.out.println("load after: " + ArithmeticPretrainExperimentBenchmark.load());
        }
    }

    record Probe(double pTool, double greedyTool, double callOk, double pCall, double ansOk, double pAns,
                 double directOk, double greedyAcc, double t1Acc, double callTok, double ansTok) {
        @Override
        public String toString() {
            return String.format("p_tool %.2f greedy_tool %.2f call_ok %.2f p_call %.2f ans_ok %.2f p_ans %.2f "
                    + "direct_ok %.2f greedy_acc %.2f t1_acc %.2f call_tok %.2f ans_tok %.2f", pTool, greedyTool,
                    callOk, pCall, ansOk, pAns, directOk, greedyAcc, t1Acc, callTok, ansTok);
        }
    }

    /** Teacher-forced measurements over {@code problems} (see the class comment). */
    static Probe probe(Transformer model, CharTokenizer tok, List<Calculation> problems) {
        int n = problems.size();
        double callTok = 0, ansTok = 0;
        double pTool = 0, greedyTool = 0, callOk = 0, pCall = 0, ansOk = 0, pAns = 0, directOk = 0, greedyAcc = 0, t1 = 0;
        List<int[]> toolSeqs = new ArrayList<>(), directSeqs = new ArrayList<>();
        for (Calculation c : problems) {
            toolSeqs.add(ToolArithmeticTask.sequence(tok, ToolArithmeticTask.toolUse(Tool.CALCULATOR, c)).ids());
            directSeqs.add(ToolArithmeticTask.sequence(tok, new ToolArithmeticTask.CorpusLine(c,
                    ToolArithmeticTask.Kind.DIRECT, "", "", ToolTranscript.answer(Long.toString(c.answer())))).ids());
        }
        float[][] toolLp = logProbs(model, toolSeqs), directLp = logProbs(model, directSeqs);
        int vocab = tok.vocabSize();
        for (int i = 0; i < n; i++) {
            Calculation c = problems.get(i);
            ToolArithmeticTask.CorpusLine line = ToolArithmeticTask.toolUse(Tool.CALCULATOR, c);
            int[] ids = toolSeqs.get(i);
            int start = 1 + c.prompt().length();                     // first completion token
            int callEnd = start + line.call().length();                // exclusive
            int ansStart = callEnd + line.observation().length();
            int end = ids.length;                                      // answer + EOS
            float[] lp = toolLp[i];
            double lpTool = lp[(start - 1) * vocab + ids[start]];
            pTool += Math.exp(lpTool);
            boolean gTool = argmax(lp, start - 1, vocab) == ids[start];
            if (gTool) greedyTool++;
            boolean cOk = true, aOk = true;
            double lpCall = 0, lpAns = 0;
            for (int t = start + 1; t < callEnd; t++) {
                boolean ok = argmax(lp, t - 1, vocab) == ids[t];
                cOk &= ok;
                int body0 = start + "```calculator\n".length(), body1 = callEnd - "\n```".length();
                if (ok && t >= body0 && t < body1) callTok += 1.0 / (body1 - body0);
                lpCall += lp[(t - 1) * vocab + ids[t]];
            }
            for (int t = ansStart; t < end; t++) {
                boolean ok = argmax(lp, t - 1, vocab) == ids[t];
                aOk &= ok;
                int d0 = ansStart + "<answer>".length(), d1 = end - "</answer>".length() - 1;
                if (ok && t >= d0 && t < d1) ansTok += 1.0 / (d1 - d0);
                lpAns += lp[(t - 1) * vocab + ids[t]];
            }
            if (cOk) callOk++;
            if (aOk) ansOk++;
            pCall += Math.exp(lpCall);
            pAns += Math.exp(lpAns);
            t1 += Math.exp(lpTool + lpCall + lpAns);
            int[] d = directSeqs.get(i);
            boolean dOk = true;
            for (int t = start; t < d.length; t++) dOk &= argmax(directLp[i], t - 1, vocab) == d[t];
            if (dOk) directOk++;
            if (gTool ? cOk && aOk : dOk) greedyAcc++;
        }
        return new Probe(pTool / n, greedyTool / n, callOk / n, pCall / n, ansOk / n, pAns / n, directOk / n,
                greedyAcc / n, t1 / n, callTok / n, ansTok / n);
    }

    static int argmax(float[] lp, int row, int vocab) {
        int best = 0;
        for (int j = 1; j < vocab; j++) if (lp[row * vocab + j] > lp[row * vocab + best]) best = j;
        return best;
    }

    /** Per sequence, log-softmax of the logits {@code [T, vocab]} flattened (right-padded batch, one forward). */
    static float[][] logProbs(Transformer model, List<int[]> seqs) {
        int b = seqs.size(), t = 0;
        for (int[] s : seqs) t = Math.max(t, s.length);
        long[] ids = new long[b * t], mask = new long[b * t];
        for (int i = 0; i < b; i++) {
            int[] s = seqs.get(i);
            for (int j = 0; j < s.length; j++) {
                ids[i * t + j] = s[j];
                mask[i * t + j] = 1;
            }
        }
        float[][] out = new float[b][];
        try (NDManager sub = model.manager().newSubManager()) {
            NDArray logits = model.forward(sub.create(ids, new Shape(b, t)), sub.create(mask, new Shape(b, t)), null);
            float[] all = logits.logSoftmax(-1).toFloatArray();
            int v = (int) logits.getShape().get(2);
            for (int i = 0; i < b; i++) {
                out[i] = new float[seqs.get(i).length * v];
                System.arraycopy(all, i * t * v, out[i], 0, out[i].length);
            }
        }
        return out;
    }
}
