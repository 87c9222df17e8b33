package dev.r1j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW (Loshchilov and Hutter 2019) over named DJL parameters, updating them in place from their gradients, with
 * bias correction and decoupled weight decay (skipped for norms and biases by {@link #defaultDecayRule}). Same update
 * as {@code torch.optim.AdamW}:
 * {@code p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr/(1-b1^t) * m / (sqrt(v/(1-b2^t)) + eps)}.
 *
 * <p>The moments live in a sub-manager of the parameters' manager; {@link #state()} and {@link #loadState} give them
 * as {@code <name>.exp_avg}, {@code <name>.exp_avg_sq} and {@code step} (int64 {@code [1]}) for
 * {@code optimizer.safetensors}. Call {@link #step} outside a gradient collector.
 *
 * <pre>{@code
 * try (AdamW opt = new AdamW(model.parameters(), new AdamW.Config(0.9, 0.999, 1e-8, 0.01))) {
 *     ... collector.backward(loss); ...
 *     GradClip.clipGlobalNorm(model.parameters().values(), 1.0);
 *     opt.step(schedule.lr(opt.stepCount()));
 *     opt.zeroGrad();
 * }
 * }</pre>
 */
public final class AdamW implements AutoCloseable {
    /** Hyper-parameters; {@code weightDecay} is the decoupled decay coefficient. */
    public record Config(double beta1, double beta2, double epsilon, double weightDecay) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("adam_beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("adam_beta2 must be in [0, 1), got " + beta2);
            if (!(epsilon > 0)) throw new IllegalArgumentException("adam_epsilon must be > 0, got " + epsilon);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight_decay must be >= 0, got " + weightDecay);
        }

        public static Config defaults(double weightDecay) {
            return new Config(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    private final Map<String, NDArray> params;
    private final Config config;
    private final Predicate<String> decays;
    private final NDManager stateManager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;
    private final long sliceElements;

    /**
     * @param params the parameters by name, looked up at every step: pass the model's live view
     *     ({@code model.trainableParameters()}), which stays right when the model replaces an array
     */
    public AdamW(Map<String, NDArray> params, Config config) {
        this(params, config, AdamW::defaultDecayRule);
    }

    /** @param decays which parameter names get weight decay */
    public AdamW(Map<String, NDArray> params, Config config, Predicate<String> decays) {
        this(params, config, decays, 1L << 22);
    }

    /** @param sliceElements parameters larger than this are updated in slices of rows of about this many elements */
    AdamW(Map<String, NDArray> params, Config config, Predicate<String> decays, long sliceElements) {
        this.sliceElements = sliceElements;
        if (params.isEmpty()) throw new IllegalArgumentException("AdamW needs at least one parameter");
        // kept, not copied: a model may replace its arrays between steps (Transformer.releaseGradients), and the
        // live view it hands out then gives the new ones
        this.params = params;
        this.config = config;
        this.decays = decays;
        this.stateManager = params.values().iterator().next().getManager().newSubManager();
        for (Map.Entry<String, NDArray> e : this.params.entrySet()) {
            NDArray p = e.getValue();
            if (p.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " is " + p.getDataType()
                        + ", AdamW expects float32");
            }
            m.put(e.getKey(), stateManager.zeros(p.getShape(), DataType.FLOAT32));
            v.put(e.getKey(), stateManager.zeros(p.getShape(), DataType.FLOAT32));
        }
    }

    /** No decay for normalisation weights and biases (names containing "norm" or ending in "bias"). */
    public static boolean defaultDecayRule(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return !(n.contains("norm") || n.endsWith("bias"));
    }

    /** Optimizer steps taken so far. */
    public long stepCount() {
        return step;
    }

    public Config config() {
        return config;
    }

    /**
     * One update with learning rate {@code lr}; parameters without a gradient are left alone. Runs with autograd
     * off: on a thread where PyTorch's grad mode is on (any thread but the one that started DJL), an in-place update
     * of a parameter that requires grad is refused by PyTorch.
     */
    public void step(double lr) {
        Djl.withoutGradients(() -> {
            update(lr);
            return null;
        });
    }

    private void update(double lr) {
        step++;
        double bc1 = 1 - Math.pow(config.beta1(), step);
        double bc2 = 1 - Math.pow(config.beta2(), step);
        float stepSize = (float) (lr / bc1);
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            if (!p.hasGradient()) continue;
            try (NDManager sm = stateManager.newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(sm); // the wrapper only: the gradient's storage stays with the parameter
                NDArray mi = m.get(e.getKey());
                NDArray vi = v.get(e.getKey());
                boolean decay = config.weightDecay() > 0 && decays.test(e.getKey());
                long rows = p.getShape().dimension() == 0 ? 1 : p.getShape().get(0);
                long perRow = Math.max(1, p.getShape().size() / Math.max(1, rows));
                long slice = Math.max(1, sliceElements / perRow);
                if (p.getShape().dimension() == 0 || slice >= rows) {
                    update(p, g, mi, vi, decay, lr, stepSize, invSqrtBc2);
                    continue;
                }
                // a large parameter (the 151,936 x 896 embedding of a 0.5B model is 0.54 GB) is updated in slices
                // of rows, views of the parameter, its gradient and moments: the temporaries are a slice's size
                for (long r = 0; r < rows; r += slice) {
                    try (NDManager rm = sm.newSubManager()) {
                        NDIndex at = new NDIndex("{}:{}", r, Math.min(rows, r + slice));
                        NDArray[] views = {p.get(at), g.get(at), mi.get(at), vi.get(at)};
                        for (NDArray x : views) x.attach(rm);
                        update(views[0], views[1], views[2], views[3], decay, lr, stepSize, invSqrtBc2);
                    }
                }
            }
        }
    }

    /** The AdamW update of {@code p} in place (all four arrays alike shaped; views are updated through). */
    private void update(NDArray p, NDArray g, NDArray mi, NDArray vi, boolean decay, double lr, float stepSize,
            float invSqrtBc2) {
        // each temporary is closed as soon as it is used: at most two of p's size exist at a time
        try (NDArray t = g.mul((float) (1 - config.beta1()))) {
            mi.muli((float) config.beta1()).addi(t);
        }
        try (NDArray t = g.square()) {
            vi.muli((float) config.beta2()).addi(t.muli((float) (1 - config.beta2())));
        }
        if (decay) p.muli((float) (1 - lr * config.weightDecay()));
        try (NDArray denom = vi.sqrt(); NDArray update = mi.div(denom.muli(invSqrtBc2).addi((float) config.epsilon()))) {
            p.subi(update.muli(stepSize));
        }
    }

    /** Sets every parameter's gradient to zero (gradients accumulate across backward passes). */
    public void zeroGrad() {
        zeroGrad(params);
    }

    /** Sets the gradients of {@code params} to zero. */
    public static void zeroGrad(Map<String, NDArray> params) {
        for (NDArray p : params.values()) {
            if (!p.hasGradient()) continue;
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    /** The state as named arrays (copies, owned by {@code manager}). */
    public Map<String, NDArray> state(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            out.put(name + ".exp_avg", copyTo(m.get(name), manager));
            out.put(name + ".exp_avg_sq", copyTo(v.get(name), manager));
        }
        out.put("step", manager.create(new long[] {step}));
        return out;
    }

    /** Restores a state written by {@link #state}; every entry must be present with the parameter's shape. */
    public void loadState(Map<String, NDArray> state) {
        NDArray s = state.get("step");
        if (s == null || s.size() != 1) throw new IllegalArgumentException("optimizer state: missing scalar 'step'");
        long newStep = s.toType(DataType.INT64, false).toLongArray()[0];
        for (String name : params.keySet()) {
            load(state, name + ".exp_avg", m.get(name));
            load(state, name + ".exp_avg_sq", v.get(name));
        }
        for (String key : state.keySet()) {
            if (key.equals("step")) continue;
            String base = key.endsWith(".exp_avg") ? key.substring(0, key.length() - 8)
                    : key.endsWith(".exp_avg_sq") ? key.substring(0, key.length() - 11) : null;
            if (base == null || !params.containsKey(base)) {
                throw new IllegalArgumentException("optimizer state: unexpected tensor '" + key + "'");
            }
        }
        step = newStep;
    }

    private static void load(Map<String, NDArray> state, String key, NDArray target) {
        NDArray src = state.get(key);
        if (src == null) throw new IllegalArgumentException("optimizer state: missing tensor '" + key + "'");
        Shape want = target.getShape();
        if (!src.getShape().equals(want)) {
            throw new IllegalArgumentException("optimizer state: tensor '" + key + "' has shape " + src.getShape()
                    + ", expected " + want);
        }
        target.set(src.toType(DataType.FLOAT32, false).toFloatArray());
    }

    private static NDArray copyTo(NDArray x, NDManager manager) {
        return manager.create(x.toFloatArray(), x.getShape());
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
