package dev.r1j.recipes.stages;

import dev.r1j.core.model.LoraConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * How a training stage ({@code grpo}, {@code sft}, {@code dpo}) holds its model, bound {@code @Inline} so that the
 * keys are declared once here and sit beside the stage's own: {@code lora} (rl-core's {@link LoraConfig}, bound as
 * it is), {@code merge} and {@code gradient_checkpointing} ({@code device} is every stage's, in {@link EngineOptions}). {@link TunedModel} carries them out.
 *
 * <pre>{@code
 * - grpo:
 *     lora: {r: 16, alpha: 32, target_modules: [all-linear]}
 *     merge: true
 *     gradient_checkpointing: true
 *     device: auto
 * }</pre>
 */
public record ModelTuning(
        @Help("LoRA (Hu et al. 2021): train low-rank adapters on target_modules, the base frozen (the reference of "
                + "grpo/dpo is the base with adapters off); the adapter is written in PEFT's layout to final/adapter; "
                + "null: full fine-tuning") @Default("null") LoraConfig lora,
        @Help("with lora: the stage's output (final/) is the full merged Hugging Face checkpoint; false: the output is "
                + "the adapter (final/adapter), which later stages read as its base with the adapter merged in")
                @Default("false") boolean merge,
        @Help("recompute each decoder layer's activations in backward instead of keeping them: less memory for one "
                + "more forward (Chen et al. 2016); gradients unchanged") @Default("false") boolean gradientCheckpointing) {

    public ModelTuning {
        if (merge && lora == null) {
            throw new IllegalArgumentException("merge: true needs a lora block (a full fine-tune already writes a full "
                    + "checkpoint)");
        }
        if (lora != null && lora.dropout() > 0 && gradientCheckpointing) {
            throw new IllegalArgumentException("lora.dropout > 0 cannot be combined with gradient_checkpointing: the "
                    + "recomputed forward would draw another dropout mask (set lora.dropout: 0)");
        }
    }
}
