package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradientStep;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.StopRequest;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a {@link CausalLM} on next-token loss: the engine of the {@code pretrain} and {@code sft} stages.
 * Each step draws {@code batchSize} sequences in a seeded shuffled order (epoch after epoch), pads them on the
 * right, computes the masked mean loss ({@link NextTokenLoss}), clips the global gradient norm and takes one
 * AdamW step with warmup + cosine learning rate. A non-finite loss stops training before the update, so the
 * weights stay those of the last good step.
 *
 * <pre>{@code
 * List<TokenSequence> data = lines.stream().map(l -> TokenSequence.allTokens(tok.encode(l))).toList();
 * LmTrainer.Result r = new LmTrainer(LmTrainerConfig.defaults())
 *         .train(model, data, tok.padId(), m -> System.out.printf("step %d loss %.3f%n", m.step(), m.loss()));
 * }</pre>
 */
public final class LmTrainer {

    /** Called after every optimizer step (progress bars, metrics.jsonl). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(StepMetrics metrics);
    }

    /** The outcome: per-step metrics and where the data cursor stopped (for resuming). */
    public record Result(List<StepMetrics> steps, EpochCursor.Position dataPosition) {
        public double finalLoss() {
            return steps.isEmpty() ? Double.NaN : steps.get(steps.size() - 1).loss();
        }
    }

    /**
     * What a model-specific training rule adds to each step (e.g. rl-core's {@code ExpertLoadBalancer}: a balance
     * loss and bias updates for a mixture of experts).
     */
    public interface StepHook {
        /** A term added to the step's loss inside the gradient collector, after the forward; null for none. */
        default NDArray extraLoss() {
            return null;
        }

        /** Called after each optimizer step (and before the listener hears of it). */
        default void afterStep() {}
    }

    private final LmTrainerConfig config;
    private final StepHook hook;

    public LmTrainer(LmTrainerConfig config) {
        this(config, new StepHook() {});
    }

    /** A trainer whose steps also run {@code hook}. */
    public LmTrainer(LmTrainerConfig config, StepHook hook) {
        this.config = config;
        this.hook = hook;
    }

    public LmTrainerConfig config() {
        return config;
    }

    /**
     * Trains {@code model} in place for {@code config.steps()} steps.
     *
     * @param padId token used for padding (any id works: pads are masked out of attention and loss)
     */
    public Result train(CausalLM model, List<TokenSequence> data, int padId, StepListener listener) {
        if (data.isEmpty()) throw new IllegalArgumentException("no training sequences");
        List<TokenSequence> seqs = new ArrayList<>(data.size());
        for (TokenSequence s : data) seqs.add(s.truncate(config.maxLength()));
        for (NDArray p : model.trainableParameters().values()) p.setRequiresGradient(true);

        EpochCursor cursor = new EpochCursor(seqs.size(), config.seed(), true);
        List<StepMetrics> history = new ArrayList<>(config.steps());
        long start = System.nanoTime();
        try (AdamW opt = new AdamW(model.trainableParameters(), config.optimizer().adam())) {
            opt.zeroGrad();
            for (int step = 0; step < config.steps(); step++) {
                long t0 = System.nanoTime();
                List<TokenSequence> batchSeqs = new ArrayList<>(config.batchSize());
                for (int i : cursor.next(config.batchSize())) batchSeqs.add(seqs.get(i));
                double lr = config.lrAt(step);
                double loss, gradNorm;
                int tokens, real;
                try (NDManager sub = model.manager().newSubManager()) {
                    PaddedBatch batch = PaddedBatch.of(batchSeqs, padId, sub);
                    tokens = batch.targetTokens();
                    real = batch.realTokens();
                    if (tokens == 0) continue; // nothing to learn from (all targets masked)
                    try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                        NDArray l = NextTokenLoss.mean(model, batch);
                        loss = l.getFloat();
                        GradientStep.requireFinite(loss, step + 1);
                        NDArray extra = hook.extraLoss();
                        model.backward(gc, extra == null ? l : l.add(extra));
                    }
                    gradNorm = GradientStep.apply(model, opt, lr, config.optimizer().maxGradNorm(), step + 1);
                    hook.afterStep();
                }
                double dt = (System.nanoTime() - t0) / 1e9;
                StepMetrics m = new StepMetrics(step + 1, loss, lr, gradNorm, tokens, real / dt,
                        (System.nanoTime() - start) / 1e9, cursor.epochProgress());
                history.add(m);
                if (listener != null) listener.onStep(m);
                StopRequest.stopIfRequested(step + 1, null); // pretraining keeps no checkpoint: it starts over
            }
        }
        return new Result(history, cursor.position());
    }
}
