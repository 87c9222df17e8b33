package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal AdamW (decoupled decay, bias correction, no decay on norms and biases) plus global-norm clipping,
 * used by {@link LmTrainer} until {@code dev.r1j.core.optim.AdamW} from the GRPO work is on main; it has the
 * same update as {@code torch.optim.AdamW}. Package-private on purpose: replace, don't extend.
 */
final class FallbackAdamW implements AutoCloseable {
    private final List<String> names = new ArrayList<>();
    private final List<NDArray> params = new ArrayList<>();
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final List<Boolean> decays = new ArrayList<>();
    private final NDManager state;
    private final double b1, b2, eps, wd;
    private long step;

    FallbackAdamW(Map<String, NDArray> parameters, double beta1, double beta2, double epsilon, double weightDecay) {
        this.b1 = beta1;
        this.b2 = beta2;
        this.eps = epsilon;
        this.wd = weightDecay;
        this.state = parameters.values().iterator().next().getManager().newSubManager();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            names.add(e.getKey());
            params.add(e.getValue());
            m.add(state.zeros(e.getValue().getShape(), DataType.FLOAT32));
            v.add(state.zeros(e.getValue().getShape(), DataType.FLOAT32));
            String n = e.getKey().toLowerCase(Locale.ROOT);
            decays.add(!(n.contains("norm") || n.endsWith("bias")));
        }
    }

    /** Global L2 norm of the gradients, then scales them in place to at most {@code maxNorm} (when > 0). */
    double clipGradNorm(double maxNorm) {
        double sumSq = 0;
        try (NDManager tmp = state.newSubManager()) {
            for (NDArray p : params) {
                if (!p.hasGradient()) continue;
                NDArray g = p.getGradient();
                g.attach(tmp);
                sumSq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sumSq);
            if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
                float coef = (float) (maxNorm / (norm + 1e-6));
                for (NDArray p : params) {
                    if (!p.hasGradient()) continue;
                    NDArray g = p.getGradient();
                    g.attach(tmp);
                    g.muli(coef);
                }
            }
            return norm;
        }
    }

    /** Names of parameters whose gradient holds a NaN or infinity (for error messages). */
    List<String> nonFiniteGradients() {
        List<String> bad = new ArrayList<>();
        try (NDManager tmp = state.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                if (!p.hasGradient()) continue;
                NDArray g = p.getGradient();
                g.attach(tmp);
                if (!Float.isFinite(g.abs().sum().getFloat())) bad.add(names.get(i));
            }
        }
        return bad;
    }

    void step(double lr) {
        step++;
        float bc1 = (float) (1 - Math.pow(b1, step));
        float bc2 = (float) (1 - Math.pow(b2, step));
        try (NDManager tmp = state.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                if (!p.hasGradient()) continue;
                NDArray g = p.getGradient();
                g.attach(tmp);
                m.get(i).muli((float) b1).addi(g.mul((float) (1 - b1)));
                v.get(i).muli((float) b2).addi(g.square().muli((float) (1 - b2)));
                if (decays.get(i) && wd > 0) p.muli((float) (1 - lr * wd));
                NDArray den = v.get(i).div(bc2);
                den.attach(tmp);
                den = den.sqrt().addi((float) eps);
                NDArray upd = m.get(i).div(bc1);
                upd.attach(tmp);
                upd.divi(den).muli((float) lr);
                p.subi(upd);
            }
        }
    }

    void zeroGrad() {
        try (NDManager tmp = state.newSubManager()) {
            for (NDArray p : params) {
                if (!p.hasGradient()) continue;
                NDArray g = p.getGradient();
                g.attach(tmp);
                g.muli(0f);
            }
        }
    }

    long stepCount() {
        return step;
    }

    @Override
    public void close() {
        state.close();
    }
}
