package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.io.TrainerState;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradientAccumulation;
import dev.r1j.core.optim.GradientStep;
import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.StopRequest;
import dev.r1j.core.train.TokenSequence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: the masked next-token loss ({@link NextTokenLoss}, completion tokens only) over rows of one
 * example each or, with {@code packing}, several short examples per row ({@link Packer}), epoch after epoch in a
 * seeded order; AdamW with warmup and decay; the held-out loss every {@code eval_every} steps; a resumable
 * checkpoint every {@code save_every} steps. A resumed run ({@link #resumeFrom}) gives the same losses as one that
 * was never interrupted.
 *
 * <pre>{@code
 * SftEncoder enc = new SftEncoder(tokenizer, SftFormat.defaults());
 * TrainEvalSplit<TokenSequence> data = TrainEvalSplit.of(enc.encodeAll(PromptDataset.load(file)), 0.05, 0);
 * try (SftTrainer t = new SftTrainer(model, SftOptions.defaults(), data.train(), data.eval(), tokenizer.padId())) {
 *     if (TrainingCheckpoint.exists(ckpt)) t.resumeFrom(ckpt);      // the model was loaded from ckpt too
 *     t.train(listener, ckpt, tokenizer);
 * }
 * }</pre>
 */
public final class SftTrainer implements AutoCloseable {
    /** The stage name written into {@code trainer_state.json}. */
    public static final String STAGE = "sft";

    /** Receives metrics: every optimizer step, and every evaluation. */
    public interface Listener {
        void onStep(StepMetrics metrics);

        default void onEval(EvalMetrics metrics) {}
    }

    /** What a {@link #train} call did. */
    public record Result(List<StepMetrics> steps, List<EvalMetrics> evals) {
        public double finalLoss() {
            return steps.isEmpty() ? Double.NaN : steps.get(steps.size() - 1).loss();
        }
    }

    private final CausalLM model;
    private final SftOptions options;
    private final int padId;
    private final List<List<TokenSequence>> trainRows;
    private final List<List<TokenSequence>> evalRows;
    private final int dropped;
    private final EpochCursor cursor;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final int totalSteps;
    private int stepsDone;
    private double elapsedBefore;

    /**
     * @param eval held-out examples (may be empty)
     * @param padId id written into padding (any id works: pads are masked)
     * @throws IllegalArgumentException when no training example has a target token within {@code max_length}
     */
    public SftTrainer(CausalLM model, SftOptions options, List<TokenSequence> train, List<TokenSequence> eval,
            int padId) {
        this.model = model;
        this.options = options;
        this.padId = padId;
        TrainingOptions o = options.training();
        List<TokenSequence> usable = usable(train, o.maxLength());
        this.dropped = train.size() - usable.size();
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("none of the " + train.size() + " training examples has a completion "
                    + "token within max_length " + o.maxLength());
        }
        this.trainRows = rows(usable, options);
        this.evalRows = rows(usable(eval, o.maxLength()), options);
        this.cursor = new EpochCursor(trainRows.size(), o.seed(), true);
        this.totalSteps = o.totalSteps(trainRows.size());
        this.schedule = o.lrSchedule(totalSteps);
        for (NDArray p : model.trainableParameters().values()) p.setRequiresGradient(true);
        this.optimizer = new AdamW(model.trainableParameters(), o.adam());
    }

    private static List<TokenSequence> usable(List<TokenSequence> seqs, int maxLength) {
        List<TokenSequence> out = new ArrayList<>(seqs.size());
        for (TokenSequence s : seqs) {
            TokenSequence cut = s.truncate(maxLength);
            if (cut.targetCount() > 0) out.add(cut);
        }
        return out;
    }

    private static List<List<TokenSequence>> rows(List<TokenSequence> seqs, SftOptions o) {
        if (o.packing()) return Packer.pack(seqs, o.training().maxLength());
        return seqs.stream().map(List::of).toList();
    }

    public SftOptions options() {
        return options;
    }

    /** Optimizer steps this run takes in total. */
    public int totalSteps() {
        return totalSteps;
    }

    public int stepsDone() {
        return stepsDone;
    }

    /** Training rows (each a list of examples: one without packing). */
    public int trainRows() {
        return trainRows.size();
    }

    /** Training examples left out because no target token survived truncation to {@code max_length}. */
    public int droppedExamples() {
        return dropped;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The state a checkpoint written now would hold. */
    public TrainerState state() {
        return new TrainerState(STAGE, stepsDone, cursor.position(), elapsedBefore, Map.of());
    }

    /**
     * Continues the run saved in {@code dir}: the optimizer moments, the step and the data position. The model's
     * weights must already be the ones saved there (load it with {@code Checkpoint.load(dir, ...)}).
     */
    public void resumeFrom(Path dir) {
        TrainerState s = TrainingCheckpoint.restoreOptimizer(dir, optimizer);
        if (!STAGE.equals(s.stage())) {
            throw new IllegalArgumentException(dir + ": a '" + s.stage() + "' checkpoint cannot resume an sft run");
        }
        if (s.step() > totalSteps) {
            throw new IllegalArgumentException(dir + ": checkpoint is at step " + s.step() + ", beyond this run's "
                    + totalSteps + " steps (different data or options?)");
        }
        cursor.seek(s.data());
        stepsDone = s.step();
        elapsedBefore = s.elapsedSeconds();
    }

    /** Writes a resumable checkpoint (model, tokenizer, optimizer, state) into {@code dir}, atomically. */
    public void saveCheckpoint(Path dir, Tokenizer tokenizer) {
        TrainingCheckpoint.save(dir, model, tokenizer, optimizer, state());
    }

    /**
     * Runs the remaining steps. With a non-null {@code checkpointDir}, saves there every {@code save_every} steps and
     * at the end.
     */
    public Result train(Listener listener, Path checkpointDir, Tokenizer tokenizer) {
        if (checkpointDir != null && tokenizer == null) throw new IllegalArgumentException("saving checkpoints needs the tokenizer");
        List<StepMetrics> steps = new ArrayList<>();
        List<EvalMetrics> evals = new ArrayList<>();
        long start = System.nanoTime();
        double before = elapsedBefore;
        while (stepsDone < totalSteps) {
            StepMetrics m = step(start, before);
            steps.add(m);
            if (listener != null) listener.onStep(m);
            boolean last = stepsDone == totalSteps;
            if (!evalRows.isEmpty() && (last || (options.evalEvery() > 0 && stepsDone % options.evalEvery() == 0))) {
                EvalMetrics e = new EvalMetrics(stepsDone, evaluate(), evalTokens());
                evals.add(e);
                if (listener != null) listener.onEval(e);
            }
            int saveEvery = options.training().saveEvery();
            boolean saved = checkpointDir != null && (last || (saveEvery > 0 && stepsDone % saveEvery == 0));
            if (saved) saveCheckpoint(checkpointDir, tokenizer);
            StopRequest.stopIfRequested(stepsDone, checkpointDir == null ? null
                    : saved ? () -> {} : () -> saveCheckpoint(checkpointDir, tokenizer));
        }
        return new Result(steps, evals);
    }

    private StepMetrics step(long start, double before) {
        long t0 = System.nanoTime();
        int step = stepsDone + 1;
        int batchSize = options.training().batchSize();
        List<List<TokenSequence>> batchRows = new ArrayList<>(batchSize);
        for (int i : cursor.next(batchSize)) batchRows.add(trainRows.get(i));
        double lr = schedule.lr(stepsDone);
        int tokens = 0, real = 0;
        for (List<TokenSequence> r : batchRows) {
            for (TokenSequence s : r) {
                tokens += s.targetCount();
                real += s.length();
            }
        }
        double loss = 0, gradNorm;
        // each micro-batch's summed loss over the whole batch's target count: the gradients add up to the batch's
        for (GradientAccumulation.Range range : GradientAccumulation.split(batchRows.size(),
                options.training().gradientAccumulationSteps())) {
            try (NDManager sub = model.manager().newSubManager()) {
                PaddedBatch batch = batch(batchRows.subList(range.start(), range.end()), sub);
                if (batch.targetTokens() == 0) continue;
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    NDArray l = NextTokenLoss.partOfMean(model, batch, tokens);
                    double v = l.getFloat();
                    if (!Double.isFinite(v)) optimizer.zeroGrad();
                    GradientStep.requireFinite(v, step);
                    loss += v;
                    model.backward(gc, l);
                }
            }
        }
        gradNorm = GradientStep.apply(model, optimizer, lr, options.training().optimizer().maxGradNorm(), step);
        stepsDone = step;
        double now = (System.nanoTime() - start) / 1e9;
        elapsedBefore = before + now;
        return new StepMetrics(step, loss, lr, gradNorm, tokens, real / ((System.nanoTime() - t0) / 1e9),
                elapsedBefore, cursor.epochProgress());
    }

    private PaddedBatch batch(List<List<TokenSequence>> rows, NDManager m) {
        if (options.packing()) return PaddedBatch.packed(rows, padId, m);
        return PaddedBatch.of(rows.stream().map(r -> r.get(0)).toList(), padId, m);
    }

    /** Mean next-token loss over every target token of the held-out examples (NaN when there are none). */
    public double evaluate() {
        if (evalRows.isEmpty()) return Double.NaN;
        double sum = 0;
        long n = 0;
        int size = options.training().batchSize();
        for (int i = 0; i < evalRows.size(); i += size) {
            try (NDManager sub = model.manager().newSubManager()) {
                PaddedBatch b = batch(evalRows.subList(i, Math.min(evalRows.size(), i + size)), sub);
                sum += NextTokenLoss.mean(model, b).getFloat() * (double) b.targetTokens();
                n += b.targetTokens();
            }
        }
        return sum / n;
    }

    private long evalTokens() {
        long n = 0;
        for (List<TokenSequence> r : evalRows) for (TokenSequence s : r) n += s.targetCount();
        return n;
    }

    /** Frees the optimizer state; the model stays open (the caller owns it). */
    @Override
    public void close() {
        optimizer.close();
    }
}
