package dev.r1j.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.io.AtomicDirectory;
import dev.r1j.core.io.TrainerState;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradientAccumulation;
import dev.r1j.core.optim.GradientStep;
import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.sft.SftEncoder;
import dev.r1j.sft.SftFormat;
import dev.r1j.sft.TrainingOptions;
import java.nio.file.Files;
import dev.r1j.core.train.StopRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Preference tuning (DPO, IPO, SimPO, ORPO) of a policy on (prompt, chosen, rejected) pairs. Each step scores a
 * batch of pairs with one forward over the chosen and rejected sequences together, takes the
 * {@link PreferenceLoss} against the cached {@link ReferenceLogProbs} (for DPO and IPO) and one AdamW step.
 *
 * <p>The reference log-probs are computed once, at the first {@link #train} call, from {@code reference}; when
 * {@code reference} is null they come from the policy itself before its first update, which is the usual reference
 * (the SFT model) without holding a second copy of the weights. Checkpoints store them, so a resumed run needs no
 * reference model.
 *
 * <pre>{@code
 * try (PreferenceTrainer t = new PreferenceTrainer(policy, null, PreferenceOptions.defaults(), pairs, tokenizer)) {
 *     t.train(m -> log(m), runDir.resolve("checkpoint"));
 * }
 * }</pre>
 */
public final class PreferenceTrainer implements AutoCloseable {
    /** The stage name written into {@code trainer_state.json}. */
    public static final String STAGE = "preference";

    private final CausalLM policy;
    private final CausalLM reference;
    private final PreferenceOptions options;
    private final PreferenceLoss loss;
    private final Tokenizer tokenizer;
    private final int padId;
    private final List<EncodedPair> pairs;
    private final int dropped;
    private final EpochCursor cursor;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final int totalSteps;
    private ReferenceLogProbs referenceLogProbs;
    private int stepsDone;
    private double elapsedBefore;

    /**
     * @param reference the frozen reference model for DPO/IPO, or null to use the policy's weights before training
     * @throws IllegalArgumentException when no pair keeps completion tokens on both sides within {@code max_length}
     */
    public PreferenceTrainer(CausalLM policy, CausalLM reference, PreferenceOptions options,
            List<PreferencePair> data, Tokenizer tokenizer) {
        this.policy = policy;
        this.reference = reference;
        this.options = options;
        this.loss = options.loss();
        this.tokenizer = tokenizer;
        this.padId = tokenizer.padId(); // any id works (pads are masked); PaddedBatch maps -1 to 0
        TrainingOptions o = options.training();
        SftEncoder encoder = new SftEncoder(tokenizer, SftFormat.defaults());
        List<EncodedPair> enc = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            PreferencePair p = data.get(i);
            EncodedPair e;
            try {
                e = EncodedPair.of(encoder, p, o.maxLength());
            } catch (IllegalArgumentException bad) {
                String where = p.source() != null ? p.source() : "pair " + (i + 1) + " of " + data.size();
                throw new IllegalArgumentException(where + ": " + bad.getMessage(), bad);
            }
            if (e != null) enc.add(e);
        }
        this.pairs = List.copyOf(enc);
        this.dropped = data.size() - pairs.size();
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("none of the " + data.size() + " pairs keeps completion tokens on both "
                    + "sides within max_length " + o.maxLength());
        }
        this.cursor = new EpochCursor(pairs.size(), o.seed(), true);
        this.totalSteps = o.totalSteps(pairs.size());
        this.schedule = o.lrSchedule(totalSteps);
        for (NDArray p : policy.trainableParameters().values()) p.setRequiresGradient(true);
        this.optimizer = new AdamW(policy.trainableParameters(), o.adam());
    }

    public PreferenceOptions options() {
        return options;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public int stepsDone() {
        return stepsDone;
    }

    /** Pairs used (those left after truncation). */
    public int pairs() {
        return pairs.size();
    }

    /** Pairs left out because a side kept no completion token within {@code max_length}. */
    public int droppedPairs() {
        return dropped;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The cached reference log-probs (computed on first use); null for reference-free losses. */
    public ReferenceLogProbs referenceLogProbs() {
        if (referenceLogProbs == null && loss.type().needsReference()) {
            if (stepsDone > 0 && reference == null) {
                throw new IllegalStateException("reference log-probs are needed after step " + stepsDone
                        + " but neither a reference model nor a checkpoint with " + ReferenceLogProbs.FILE + " was given");
            }
            referenceLogProbs = ReferenceLogProbs.compute(reference != null ? reference : policy, pairs,
                    options.training().batchSize(), padId);
        }
        return referenceLogProbs;
    }

    public TrainerState state() {
        return new TrainerState(STAGE, stepsDone, cursor.position(), elapsedBefore,
                Map.of("loss_type", loss.type().wireName()));
    }

    /** Writes model, tokenizer, optimizer, state and the reference log-probs into {@code dir}, atomically. */
    public void saveCheckpoint(Path dir) {
        ReferenceLogProbs ref = referenceLogProbs();
        AtomicDirectory.write(dir, tmp -> {
            TrainingCheckpoint.writeFiles(tmp, policy, tokenizer, optimizer, state());
            if (ref != null) ref.save(tmp);
        });
    }

    /** Continues the run saved in {@code dir}; the policy's weights must already be the ones saved there. */
    public void resumeFrom(Path dir) {
        TrainerState s = TrainingCheckpoint.restoreOptimizer(dir, optimizer);
        if (!STAGE.equals(s.stage())) {
            throw new IllegalArgumentException(dir + ": a '" + s.stage() + "' checkpoint cannot resume preference tuning");
        }
        Object type = s.extra().get("loss_type");
        if (type != null && !type.equals(loss.type().wireName())) {
            throw new IllegalArgumentException(dir + ": checkpoint was trained with loss_type " + type + ", not "
                    + loss.type().wireName());
        }
        if (s.step() > totalSteps) {
            throw new IllegalArgumentException(dir + ": checkpoint is at step " + s.step() + ", beyond this run's "
                    + totalSteps + " steps (different data or options?)");
        }
        if (loss.type().needsReference() && Files.isRegularFile(dir.resolve(ReferenceLogProbs.FILE))) {
            referenceLogProbs = ReferenceLogProbs.load(dir, pairs.size());
        }
        cursor.seek(s.data());
        stepsDone = s.step();
        elapsedBefore = s.elapsedSeconds();
    }

    /**
     * Runs the remaining steps; with a non-null {@code checkpointDir}, saves every {@code save_every} steps and at
     * the end.
     */
    public List<PreferenceStepMetrics> train(Consumer<PreferenceStepMetrics> listener, Path checkpointDir) {
        referenceLogProbs(); // once, before the first update
        List<PreferenceStepMetrics> out = new ArrayList<>();
        long start = System.nanoTime();
        double before = elapsedBefore;
        int saveEvery = options.training().saveEvery();
        while (stepsDone < totalSteps) {
            PreferenceStepMetrics m = step(start, before);
            out.add(m);
            if (listener != null) listener.accept(m);
            boolean last = stepsDone == totalSteps;
            boolean saved = checkpointDir != null && (last || (saveEvery > 0 && stepsDone % saveEvery == 0));
            if (saved) saveCheckpoint(checkpointDir);
            StopRequest.stopIfRequested(stepsDone, checkpointDir == null ? null
                    : saved ? () -> {} : () -> saveCheckpoint(checkpointDir));
        }
        return out;
    }

    private PreferenceStepMetrics step(long start, double before) {
        int step = stepsDone + 1;
        int[] idx = cursor.next(options.training().batchSize());
        List<EncodedPair> batch = new ArrayList<>(idx.length);
        for (int i : idx) batch.add(pairs.get(i));
        double lr = schedule.lr(stepsDone);
        int n = batch.size();
        double chosenTokens = 0;
        for (EncodedPair p : batch) chosenTokens += p.chosen().targetCount();
        double lossValue = 0;
        float[] chosenR = new float[n], rejectedR = new float[n];
        // micro-batches normalised by the whole batch's counts: their gradients add up to the batch's
        for (GradientAccumulation.Range range : GradientAccumulation.split(n,
                options.training().gradientAccumulationSteps())) {
            List<EncodedPair> part = batch.subList(range.start(), range.end());
            int k = part.size();
            try (NDManager sub = policy.manager().newSubManager()) {
                NDArray[] ref = referenceLogProbs == null ? new NDArray[2]
                        : referenceLogProbs.gather(Arrays.copyOfRange(idx, range.start(), range.end()), sub);
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    SequenceLogProbs lp = SequenceLogProbs.of(policy, EncodedPair.chosenThenRejected(part), padId, sub);
                    NDArray sums = lp.sums(), tokens = lp.tokens();
                    PreferenceLoss.Result r = loss.compute(sums.get("0:{}", k), sums.get("{}:", k), ref[0], ref[1],
                            tokens.get("0:{}", k), tokens.get("{}:", k), n, chosenTokens);
                    double v = r.loss().getFloat();
                    if (!Double.isFinite(v)) optimizer.zeroGrad();
                    GradientStep.requireFinite(v, step);
                    lossValue += v;
                    System.arraycopy(r.chosenRewards().toFloatArray(), 0, chosenR, range.start(), k);
                    System.arraycopy(r.rejectedRewards().toFloatArray(), 0, rejectedR, range.start(), k);
                    policy.backward(gc, r.loss());
                }
            }
        }
        double gradNorm = GradientStep.apply(policy, optimizer, lr, options.training().optimizer().maxGradNorm(), step);
        stepsDone = step;
        elapsedBefore = before + (System.nanoTime() - start) / 1e9;
        double c = 0, r = 0, correct = 0;
        for (int i = 0; i < chosenR.length; i++) {
            c += chosenR[i];
            r += rejectedR[i];
            if (chosenR[i] > rejectedR[i]) correct++;
        }
        return new PreferenceStepMetrics(step, lossValue, (c - r) / n, c / n, r / n, correct / n, lr, gradNorm, n,
                cursor.epochProgress(), elapsedBefore);
    }

    /** Frees the optimizer state; the models stay open (the caller owns them). */
    @Override
    public void close() {
        optimizer.close();
    }
}
