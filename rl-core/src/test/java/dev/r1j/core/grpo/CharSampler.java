package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A test-only sampler over a character vocabulary ({@code alphabet.charAt(id)}): full forward per new token, no
 * cache, temperature sampling, always {@code max_new_tokens} tokens (no EOS). The log-probs it reports are those of
 * the tempered distribution it sampled from, computed from the full logits (not the trainer's chunked path).
 */
final class CharSampler implements Sampler {
    private final CausalLM model;
    private final String alphabet;

    CharSampler(CausalLM model, String alphabet) {
        this.model = model;
        this.alphabet = alphabet;
    }

    int[] encode(String s) {
        int[] ids = new int[s.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = alphabet.indexOf(s.charAt(i));
        return ids;
    }

    @Override
    public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
        Random rnd = new Random(params.seed());
        List<CompletionGroup> out = new ArrayList<>();
        for (String prompt : prompts) {
            int[] pIds = encode(prompt);
            int g = params.groupSize(), len = pIds.length, max = params.maxNewTokens();
            long[][] seqs = new long[g][len + max];
            for (long[] s : seqs) for (int j = 0; j < len; j++) s[j] = pIds[j];
            float[][] lps = new float[g][max];
            try (NDManager sm = model.manager().newSubManager()) {
                for (int t = 0; t < max; t++) {
                    int w = len + t;
                    long[] flat = new long[g * w];
                    for (int i = 0; i < g; i++) System.arraycopy(seqs[i], 0, flat, i * w, w);
                    NDArray ids = sm.create(flat, new Shape(g, w));
                    NDArray logits = model.forward(ids, sm.ones(new Shape(g, w)), null)
                            .get(new NDIndex(":, -1, :"));
                    float[] logp = logits.div((float) params.temperature()).logSoftmax(-1).toFloatArray();
                    int v = (int) logits.getShape().get(1);
                    for (int i = 0; i < g; i++) {
                        double u = rnd.nextDouble(), acc = 0;
                        int pick = v - 1;
                        for (int k = 0; k < v; k++) {
                            acc += Math.exp(logp[i * v + k]);
                            if (u < acc) {
                                pick = k;
                                break;
                            }
                        }
                        seqs[i][w] = pick;
                        lps[i][t] = logp[i * v + pick]; // the behaviour log-prob: of softmax(z / T)
                    }
                }
            }
            List<Completion> cs = new ArrayList<>();
            for (int i = 0; i < g; i++) {
                int[] toks = new int[max];
                StringBuilder sb = new StringBuilder();
                for (int t = 0; t < max; t++) {
                    toks[t] = (int) seqs[i][len + t];
                    sb.append(alphabet.charAt(toks[t]));
                }
                cs.add(new Completion(toks, sb.toString(), lps[i], FinishReason.LENGTH));
            }
            out.add(new CompletionGroup(prompt, pIds, cs));
        }
        return out;
    }
}
