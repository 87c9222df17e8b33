package dev.r1j.core.model;

import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import java.util.List;

/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") settings, named as PEFT's
 * {@code LoraConfig}: each targeted linear layer {@code W} becomes {@code W x + (alpha / r) B A dropout(x)} with
 * {@code A} {@code [r, in]} and {@code B} {@code [out, r]}; only {@code A} and {@code B} train.
 *
 * <p>{@code targetModules} are PEFT's names: a module matches when its full name ends with {@code "." + target}
 * ({@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj}, {@code gate_proj}, {@code up_proj},
 * {@code down_proj}; deepseek_v3's {@code q_a_proj}, {@code q_b_proj}, {@code kv_a_proj_with_mqa},
 * {@code kv_b_proj} and its experts' projections), or {@code all-linear} for every projection (the LM head and the
 * MoE router excluded, as PEFT does).
 *
 * <pre>{@code
 * LoraConfig lora = new LoraConfig(16, 32, 0.0, List.of("q_proj", "k_proj", "v_proj", "o_proj"), false);
 * LoraAdapters adapters = LoraAdapters.create(model, lora, 42);
 * model.setAdapters(adapters);      // only the adapters train; the base is the reference with adapters off
 * }</pre>
 *
 * @param r rank, at least 1
 * @param alpha scaling numerator ({@code lora_alpha}); the update is scaled by {@code alpha / r}
 * @param dropout dropout on the adapter's input while training, in [0, 1)
 * @param targetModules module names as above, at least one
 * @param useRslora scale by {@code alpha / sqrt(r)} instead (rsLoRA, Kalajdzievski 2023)
 */
public record LoraConfig(
        @Help("adapter rank r (PEFT's default 8)") @Default("8") int r,
        @Help("scaling numerator: the update is scaled by alpha / r (PEFT's default 8)") @Alias(value = "lora_alpha", source = "PEFT")
                @Default("8") double alpha,
        @Help("dropout on the adapter's input while training, in [0, 1); not with gradient_checkpointing")
                @Alias(value = "lora_dropout", source = "PEFT") @Default("0.0") double dropout,
        @Help("modules to adapt, by PEFT's names (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; "
                + "deepseek_v3's q_a_proj, q_b_proj, kv_a_proj_with_mqa, kv_b_proj) or all-linear (PEFT's default for "
                + "llama/qwen2: q_proj, v_proj)") @Default("[q_proj, v_proj]") List<String> targetModules,
        @Help("scale by alpha / sqrt(r) instead (rsLoRA, Kalajdzievski 2023)") @Default("false") boolean useRslora) {
    /** PEFT's special target: every linear projection. */
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        if (r < 1) throw new IllegalArgumentException("lora.r must be >= 1, got " + r);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora.alpha must be finite and > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("lora.dropout must be in [0, 1), got " + dropout);
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("lora.target_modules must name at least one module (e.g. q_proj, v_proj"
                    + " or all-linear)");
        }
        targetModules = List.copyOf(targetModules);
    }

    /** The factor of {@code B A x}: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** Whether the module {@code name} (e.g. {@code model.layers.0.self_attn.q_proj}) is targeted. */
    public boolean targets(String name) {
        for (String t : targetModules) {
            if (t.equals(ALL_LINEAR) || name.equals(t) || name.endsWith("." + t)) return true;
        }
        return false;
    }
}
