package dev.r1j.recipes.stages.pretrain;

import dev.r1j.core.model.ModelConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.options.Inline;
import dev.r1j.sft.LmTrainerConfig;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ToolArithmeticTask;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import dev.r1j.tasks.arith.ToyTask;
import java.util.List;

/**
 * Options of the {@code pretrain} stage: the toy task's data ({@link ArithmeticTask} or {@link ToolArithmeticTask}),
 * the shape of the toy base ({@code llama}, {@code qwen2} or a DeepSeek-V3-shaped {@code deepseek_v3} with its MoE
 * and MLA knobs) and its next-token training (sft {@link dev.r1j.sft.LmTrainer}, plus V3's load balancing for
 * deepseek_v3).
 *
 * <pre>{@code
 * - pretrain: {hidden_size: 128, steps: 600}
 * - pretrain: {model_type: deepseek_v3, deepseek: {n_routed_experts: 8, num_experts_per_tok: 2}}
 * }</pre>
 */
public record PretrainOptions(
        @Help("directory for the task's train/test/pretrain/sft .jsonl files; may start with ${run_dir}")
                @Default("${run_dir}/data") String dataDir,
        @Help("the toy task: arithmetic (r1-zero's, arith-*.jsonl) or tool_arithmetic (r1-tool's, tool-*.jsonl: "
                + "long arithmetic whose corpus calls a tool only sometimes)") @Default("arithmetic") PretrainTask task,
        @Help("seed of the data generator: problems, held-out split, corpus") @Default("1234") long dataSeed,
        @Help("fewest digits of an operand") @Default("2") int minDigits,
        @Help("most digits of an operand") @Default("3") int maxDigits,
        @Help("share of + problems") @Default("0.4") double addShare,
        @Help("share of - problems (the rest are *)") @Default("0.3") double subShare,
        @Help("share of corpus completions that are worked <think> solutions (the rest take the no-carry shortcut)")
                @Default("0.3") double workedShare,
        @Help("share of worked solutions with one deliberate slip") @Default("0.1") double slipShare,
        @Help("share of shortcut completions with a broken format") @Default("0.2") double brokenShare,
        @Help("tool_arithmetic: the tool its corpus calls (the environment the grpo and eval stages must name)")
                @Default("calculator") Tool tool,
        @Help("tool_arithmetic: share of corpus completions that call the tool (the rest guess the answer)")
                @Default("0.25") double toolShare,
        @Help("lines of the pretraining corpus") @Default("20000") int corpusSize,
        @Help("distinct RL training prompts in arith-train.jsonl") @Default("2000") int trainSize,
        @Help("distinct held-out problems in arith-test.jsonl") @Default("200") int testSize,
        @Help("worked solutions in arith-sft.jsonl (for a cold-start sft stage)") @Default("500") int sftSize,
        @Help("llama | qwen2 | deepseek_v3: the architecture of the toy base") @Default("llama") String modelType,
        @Help("model width (hidden_size)") @Default("128") int hiddenSize,
        @Help("SwiGLU MLP width (deepseek_v3: of the dense first layers)") @Default("256") int intermediateSize,
        @Help("decoder layers") @Default("2") int numLayers,
        @Help("attention heads") @Default("4") int numHeads,
        @Help("key/value heads (grouped-query attention, Ainslie et al. 2023); must divide num_heads; deepseek_v3's "
                + "latent attention has none") @Default("4") int numKvHeads,
        @Help("deepseek_v3 only: its mixture of experts and multi-head latent attention, under Hugging Face's "
                + "config.json names (DeepSeek-V3, 2024)") ModelConfig.DeepSeekV3 deepseek,
        @Help("deepseek_v3 only: auxiliary-loss-free balancing, after each step every expert's correction bias moves "
                + "by this against its load (V3: 0.001); 0 = off") @Default("0.01") double biasUpdateSpeed,
        @Help("deepseek_v3 only: weight of V3's sequence-wise balance loss (V3: 0.0001); 0 = off") @Default("0.0001")
                double seqAuxAlpha,
        @Help("next-token training (sft's LmTrainerConfig)") @Inline LmTrainerConfig trainer,
        @Help("how the stage runs the engine (num_threads, device)") @Inline @Default("{num_threads: 1}") EngineOptions engine) {

    public PretrainOptions {
        if (dataDir == null || dataDir.isBlank()) throw new IllegalArgumentException("data_dir must be given");
        if (hiddenSize < 1 || intermediateSize < 1 || numLayers < 1 || numHeads < 1 || numKvHeads < 1) {
            throw new IllegalArgumentException("hidden_size, intermediate_size, num_layers, num_heads and num_kv_heads "
                    + "must be >= 1");
        }
        if (!ModelConfig.MODEL_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("model_type: expected one of " + String.join(", ", ModelConfig.MODEL_TYPES)
                    + ", found \"" + modelType + "\"");
        }
        boolean v3 = modelType.equals("deepseek_v3");
        if (!v3 && hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("num_heads (" + numHeads + ") must divide hidden_size (" + hiddenSize + ")");
        }
        if (!v3 && numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_kv_heads (" + numKvHeads + ") must divide num_heads (" + numHeads + ")");
        }
        if (v3) checkDeepSeek(deepseek, hiddenSize, numLayers);
        if (!(biasUpdateSpeed >= 0)) throw new IllegalArgumentException("bias_update_speed must be >= 0, got " + biasUpdateSpeed);
        if (!(seqAuxAlpha >= 0)) throw new IllegalArgumentException("seq_aux_alpha must be >= 0, got " + seqAuxAlpha);
        // the components are not assigned yet in a compact constructor: validate from the parameters
        new ArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, workedShare, slipShare,
                brokenShare, corpusSize, trainSize, testSize, sftSize);
        if (task == null) throw new IllegalArgumentException("task must be given (arithmetic or tool_arithmetic)");
        new ToolArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, tool, toolShare,
                corpusSize, trainSize, testSize, sftSize);
        if (trainer == null) throw new IllegalArgumentException("the trainer options must be given");
    }

    /** The arithmetic task's generator settings. */
    public ArithmeticTask.Config taskConfig() {
        return new ArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, workedShare, slipShare,
                brokenShare, corpusSize, trainSize, testSize, sftSize);
    }

    /** What must hold for a deepseek_v3 toy beyond what its config record checks; errors name the key. */
    private static void checkDeepSeek(ModelConfig.DeepSeekV3 d, int hiddenSize, int numLayers) {
        if (d.firstKDenseReplace() >= numLayers) {
            throw new IllegalArgumentException("deepseek.first_k_dense_replace: expected at most num_layers - 1 = "
                    + (numLayers - 1) + " (some layer must be MoE), found " + d.firstKDenseReplace());
        }
        if (d.qLoraRank() != null && d.qLoraRank() > hiddenSize) {
            throw new IllegalArgumentException("deepseek.q_lora_rank: expected at most hidden_size = " + hiddenSize
                    + " (a low-rank projection of it), found " + d.qLoraRank());
        }
        if (d.kvLoraRank() > hiddenSize) {
            throw new IllegalArgumentException("deepseek.kv_lora_rank: expected at most hidden_size = " + hiddenSize
                    + " (a low-rank latent of it), found " + d.kvLoraRank());
        }
    }

    /** The tool task's generator settings. */
    public ToolArithmeticTask.Config toolTaskConfig() {
        return new ToolArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, tool, toolShare,
                corpusSize, trainSize, testSize, sftSize);
    }

    /** The task {@code task} names, with these settings. */
    public ToyTask toyTask() {
        return switch (task) {
            case ARITHMETIC -> new ArithmeticTask(taskConfig());
            case TOOL_ARITHMETIC -> new ToolArithmeticTask(toolTaskConfig());
        };
    }

    /** The toy base for a vocabulary of {@code vocab} tokens; its context is the trainer's max_length. */
    public ModelConfig modelConfig(int vocab) {
        return switch (modelType) {
            case "deepseek_v3" -> new ModelConfig("deepseek_v3", vocab, hiddenSize, intermediateSize, numLayers,
                    numHeads, numHeads, deepseek.qkRopeHeadDim(), trainer.maxLength(), 1e-6, 10000.0, null, false,
                    false, false, null, List.of(), null, "float32", deepseek);
            case "qwen2" -> new ModelConfig("qwen2", vocab, hiddenSize, intermediateSize, numLayers, numHeads,
                    numKvHeads, hiddenSize / numHeads, trainer.maxLength(), 1e-6, 10000.0, null, false, false, false,
                    null, List.of(), null, "float32", null);
            default -> ModelConfig.llama(vocab, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                    trainer.maxLength());
        };
    }
}
