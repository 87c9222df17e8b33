package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DeepSeek-V3's load balancing for training a mixture of experts (DeepSeek-V3 technical report, section 2.1.2):
 * <ul>
 *   <li><b>auxiliary-loss-free</b>: after each step, every expert's correction bias ({@code
 *   mlp.gate.e_score_correction_bias}, which steers the choice but not the gate weights) moves by {@code
 *   biasUpdateSpeed * sign(meanLoad - load)}: an overloaded expert down, an underloaded one up;</li>
 *   <li>the <b>sequence-wise balance loss</b> {@code alpha * sum_i f_i P_i} per sequence (averaged over sequences),
 *   with {@code f_i = E / (K T) * #tokens of the sequence routed to expert i} and {@code P_i} the mean over the
 *   sequence's tokens of the normalised scores {@code s_i / sum_j s_j}; only padding-free tokens count.</li>
 * </ul>
 * Load is counted over the real tokens of every forward since the last {@link #afterStep} (so a model with gradient
 * checkpointing, whose backward runs the layers again, would count twice: the pretrain stage does not checkpoint).
 * Set it on the model, add
 * {@link #auxLoss} to the training loss, call {@link #afterStep} after each optimizer step:
 *
 * <pre>{@code
 * try (ExpertLoadBalancer balancer = new ExpertLoadBalancer(model, 0.01, 1e-4)) {
 *     model.setExpertRouting(balancer);
 *     NDArray loss = lmLoss.add(balancer.auxLoss());    // inside the gradient collector
 *     ...optimizer step...
 *     Map<String, Double> m = balancer.afterStep();      // bias update + per-layer load metrics
 * }
 * }</pre>
 */
public final class ExpertLoadBalancer implements ExpertRouting, AutoCloseable {
    private final CausalLM model;
    private final double biasUpdateSpeed;
    private final double seqAuxAlpha;
    private final int experts;
    private final int perToken;
    private final long[][] load;
    private final NDManager auxManager;
    private final List<NDArray> auxTerms = new ArrayList<>();

    /**
     * @param biasUpdateSpeed the bias step per update (V3: 0.001; 0 turns the bias updates off)
     * @param seqAuxAlpha the sequence-wise balance loss weight (V3: 0.0001; 0 turns it off)
     */
    public ExpertLoadBalancer(CausalLM model, double biasUpdateSpeed, double seqAuxAlpha) {
        ModelConfig.DeepSeekV3 d = model.config().deepseek();
        if (d == null || !model.hasExperts()) {
            throw new IllegalArgumentException("load balancing needs a model with mixture-of-experts layers, found "
                    + model.config().modelType());
        }
        if (!(biasUpdateSpeed >= 0) || !(seqAuxAlpha >= 0)) {
            throw new IllegalArgumentException("bias_update_speed and seq_aux_alpha must be >= 0, found "
                    + biasUpdateSpeed + " and " + seqAuxAlpha);
        }
        this.model = model;
        this.biasUpdateSpeed = biasUpdateSpeed;
        this.seqAuxAlpha = seqAuxAlpha;
        this.experts = d.nRoutedExperts();
        this.perToken = d.numExpertsPerTok();
        this.load = new long[model.config().numHiddenLayers()][];
        for (int i = 0; i < load.length; i++) {
            if (model.config().isMoeLayer(i)) load[i] = new long[experts];
        }
        this.auxManager = model.manager().newSubManager();
    }

    @Override
    public long[] route(int layer, long[] routerChoice, Tokens tokens) {
        long[] counts = load[layer];
        for (int t = 0; t < tokens.count(); t++) {
            if (tokens.real()[t] == 0) continue;
            for (int s = 0; s < perToken; s++) counts[(int) routerChoice[t * perToken + s]]++;
        }
        return routerChoice;
    }

    @Override
    public boolean wantsScores() {
        return seqAuxAlpha > 0;
    }

    @Override
    public void scores(int layer, NDArray scores, long[] used, Tokens tokens) {
        NDArray term = sequenceBalanceLoss(scores, used, tokens, perToken);
        if (term == null) return;
        term.attach(auxManager);
        auxTerms.add(term);
    }

    /**
     * The sequence-wise balance loss of one layer, without alpha: the mean over sequences (rows with a real token)
     * of {@code sum_i f_i P_i}; null when no row has a real token. {@code scores [B, T, E]}, {@code used [B*T, K]}.
     */
    static NDArray sequenceBalanceLoss(NDArray scores, long[] used, Tokens tokens, int k) {
        int b = tokens.rows();
        int t = tokens.length();
        int e = (int) scores.getShape().get(2);
        float[] f = new float[b * e];
        float[] realMask = new float[b * t];
        float[] invLength = new float[b];
        int rows = 0;
        for (int r = 0; r < b; r++) {
            int real = 0;
            for (int i = 0; i < t; i++) {
                if (tokens.real()[r * t + i] == 0) continue;
                real++;
                realMask[r * t + i] = 1f;
                for (int s = 0; s < k; s++) f[r * e + (int) used[(r * t + i) * k + s]] += 1f;
            }
            if (real == 0) continue;
            rows++;
            invLength[r] = 1f / real;
            for (int j = 0; j < e; j++) f[r * e + j] *= (float) e / (k * real);
        }
        if (rows == 0) return null;
        NDManager m = scores.getManager();
        DataType dt = scores.getDataType();
        // duplicate: constants autograd keeps must live in PyTorch memory, not in a Java buffer GC may free
        NDArray mask = m.create(realMask, new Shape(b, t, 1)).toType(dt, false).duplicate();
        NDArray fArr = m.create(f, new Shape(b, e)).toType(dt, false).duplicate();
        NDArray inv = m.create(invLength, new Shape(b, 1)).toType(dt, false).duplicate();
        NDArray normalised = scores.div(scores.sum(new int[] {2}, true));
        NDArray p = normalised.mul(mask).sum(new int[] {1}).mul(inv); // [B, E]
        return Scalars.mul(p.mul(fArr).sum(), 1.0 / rows);
    }

    /** {@code seq_aux_alpha} times the summed sequence-wise losses of the forwards since the last step, or null. */
    public NDArray auxLoss() {
        if (auxTerms.isEmpty()) return null;
        NDArray sum = auxTerms.get(0);
        for (int i = 1; i < auxTerms.size(); i++) sum = sum.add(auxTerms.get(i));
        return Scalars.mul(sum, seqAuxAlpha);
    }

    /** The real-token load of each expert of MoE layer {@code layer} since the last step (a copy). */
    public long[] load(int layer) {
        return load[layer].clone();
    }

    /**
     * Moves every MoE layer's correction bias against its load, returns the step's metrics and starts counting
     * anew: per layer {@code moe/layer{L}/load_max_over_mean} and {@code moe/layer{L}/load_entropy} (natural log of
     * the load distribution; ln E when even), and {@code moe/seq_aux_loss} when the loss is on.
     */
    public Map<String, Double> afterStep() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        NDArray aux = auxLoss();
        if (aux != null) metrics.put("moe/seq_aux_loss", aux.toType(DataType.FLOAT64, false).getDouble());
        for (int layer = 0; layer < load.length; layer++) {
            long[] counts = load[layer];
            if (counts == null) continue;
            metrics.put("moe/layer" + layer + "/load_max_over_mean", maxOverMean(counts));
            metrics.put("moe/layer" + layer + "/load_entropy", entropy(counts));
            if (biasUpdateSpeed > 0) updateBias(layer, counts);
            java.util.Arrays.fill(counts, 0);
        }
        for (NDArray a : auxTerms) a.close();
        auxTerms.clear();
        return metrics;
    }

    private void updateBias(int layer, long[] counts) {
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return;
        double mean = (double) total / counts.length;
        NDArray bias = model.parameters().get("model.layers." + layer + ".mlp.gate.e_score_correction_bias");
        double[] b = bias.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int j = 0; j < b.length; j++) b[j] += biasUpdateSpeed * Math.signum(mean - counts[j]);
        try (NDManager m = auxManager.newSubManager()) {
            bias.set(m.create(b).toType(bias.getDataType(), false).toByteBuffer());
        }
    }

    /** Largest load over the mean load (1 when even); NaN with no tokens. */
    public static double maxOverMean(long[] counts) {
        long total = 0, max = 0;
        for (long c : counts) {
            total += c;
            max = Math.max(max, c);
        }
        return total == 0 ? Double.NaN : max / ((double) total / counts.length);
    }

    /** Entropy (nats) of the load distribution {@code counts / sum}; NaN with no tokens. */
    public static double entropy(long[] counts) {
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return Double.NaN;
        double h = 0;
        for (long c : counts) {
            if (c == 0) continue;
            double p = (double) c / total;
            h -= p * Math.log(p);
        }
        return h;
    }

    @Override
    public void close() {
        auxTerms.clear();
        auxManager.close();
    }
}
