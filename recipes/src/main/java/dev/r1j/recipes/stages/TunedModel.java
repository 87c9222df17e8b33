package dev.r1j.recipes.stages;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.io.AdapterCheckpoint;
import dev.r1j.core.io.AtomicDirectory;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * The model a training stage trains, set up as its {@link ModelTuning} says: on the chosen device, with gradient
 * checkpointing, and with LoRA adapters (new ones, or the adapter of the checkpoint resumed from) as the only
 * trainable weights. Full fine-tuning resumes from the checkpoint's weights; LoRA resumes from the stage's start
 * model plus the checkpoint's adapter (a LoRA training checkpoint holds only the adapter, see
 * {@link TrainingCheckpoint#save}). {@link #saveFinal} writes what the next stage reads. Closing frees everything.
 *
 * <pre>{@code
 * try (TunedModel m = TunedModel.open(options.tuning(), options.engine().resolveDevice(), start, resume ? ckpt : null, seed)) {
 *     ... new SftTrainer(m.model(), ...) ...
 *     ctx.setOutputModel(m.saveFinal(ctx.stageDir().resolve("final"), null));
 * }
 * }</pre>
 */
public final class TunedModel implements AutoCloseable {
    private final ModelTuning tuning;
    private final Path start;
    private final NDManager manager;
    private final LoadedModel loaded;
    private final LoraAdapters adapters;

    private TunedModel(ModelTuning tuning, Path start, NDManager manager, LoadedModel loaded, LoraAdapters adapters) {
        this.tuning = tuning;
        this.start = start;
        this.manager = manager;
        this.loaded = loaded;
        this.adapters = adapters;
    }

    /**
     * @param device where the model lives (the stage's {@code device})
     * @param start the stage's start model (a checkpoint, or an adapter directory read as base + adapter)
     * @param checkpoint the training checkpoint to resume from, or null for a fresh start
     * @param seed seeds new adapters ({@code A}'s Kaiming-uniform draw)
     * @throws IllegalArgumentException when a LoRA target matches no module (the model's module names listed), or
     *     the checkpoint's adapter does not fit the model (the tensor and both shapes named)
     */
    public static TunedModel open(ModelTuning tuning, Device device, Path start, Path checkpoint, long seed) {
        NDManager manager = Djl.newManager(device);
        LoadedModel loaded = null;
        LoraAdapters adapters = null;
        try {
            boolean lora = tuning.lora() != null;
            if (checkpoint != null && lora != TrainingCheckpoint.hasAdapter(checkpoint)) {
                throw new IllegalArgumentException(checkpoint + ": a " + (lora ? "full" : "LoRA") + " fine-tuning "
                        + "checkpoint cannot resume " + (lora ? "LoRA" : "full fine-tuning") + " (lora was "
                        + (lora ? "added" : "removed") + " since); start the stage over with --overwrite");
            }
            loaded = Checkpoint.load(checkpoint != null && !lora ? checkpoint : start, manager);
            if (lora || tuning.gradientCheckpointing()) {
                if (!(loaded.model() instanceof Transformer t)) {
                    throw new IllegalArgumentException("lora and gradient_checkpointing need R1J's Transformer, not "
                            + loaded.model().getClass().getSimpleName());
                }
                if (lora) {
                    adapters = checkpoint != null ? LoraAdapters.load(checkpoint, t) : LoraAdapters.create(t, tuning.lora(), seed);
                    t.setAdapters(adapters);
                }
                t.setGradientCheckpointing(tuning.gradientCheckpointing());
            }
            return new TunedModel(tuning, start, manager, loaded, adapters);
        } catch (RuntimeException e) {
            if (adapters != null) adapters.close();
            if (loaded != null) loaded.close();
            manager.close();
            throw e;
        }
    }

    /** The model to train (with its adapters, if any). */
    public CausalLM model() {
        return loaded.model();
    }

    public Tokenizer tokenizer() {
        return loaded.tokenizer();
    }

    /** The manager (on the stage's device) the model lives in, for anything else the stage loads. */
    public NDManager manager() {
        return manager;
    }

    /** The adapters being trained, or null for full fine-tuning. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /**
     * With LoRA, the reference model of GRPO's KL and DPO: the base with adapters off, sharing its arrays (no copy);
     * null for full fine-tuning (the stage loads or derives its own).
     */
    public CausalLM loraReference() {
        return adapters == null ? null : ((Transformer) loaded.model()).withoutAdapters();
    }

    /**
     * Writes the trained model for the next stage and returns the directory to hand on
     * ({@code StageContext.setOutputModel}). Full fine-tuning: a checkpoint in {@code finalDir}. LoRA: the adapter
     * in PEFT's layout in {@code finalDir/adapter} (its {@code base_model_name_or_path} the start model); with
     * {@code merge}, also the merged full checkpoint in {@code finalDir}, which is then the output, else the adapter
     * directory is (read as base + adapter).
     *
     * @param sampling defaults for {@code generation_config.json}, or null
     */
    public Path saveFinal(Path finalDir, SamplingParams sampling) {
        Path adapterDir = finalDir.resolve("adapter");
        if (adapters == null || tuning.merge()) {
            CausalLM m = model();
            if (adapters != null) ((Transformer) m).mergeAdapters(); // the last thing done with this model
            if (sampling != null) Checkpoint.save(finalDir, m, tokenizer(), sampling);
            else Checkpoint.save(finalDir, m, tokenizer());
            if (adapters == null) return finalDir;
            AtomicDirectory.write(adapterDir, tmp -> AdapterCheckpoint.save(tmp, adapters, start));
            return finalDir;
        }
        AtomicDirectory.write(finalDir, tmp -> AdapterCheckpoint.save(tmp.resolve("adapter"), adapters, start));
        return adapterDir;
    }

    @Override
    public void close() {
        try {
            if (adapters != null) adapters.close();
            loaded.close();
        } finally {
            manager.close();
        }
    }
}
