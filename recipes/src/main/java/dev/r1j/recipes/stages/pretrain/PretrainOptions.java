package dev.r1j.recipes.stages.pretrain;

import dev.r1j.core.model.ModelConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.options.Inline;
import dev.r1j.sft.LmTrainerConfig;
import dev.r1j.tasks.arith.ArithmeticTask;

/**
 * Options of the {@code pretrain} stage: the arithmetic data (rl-core {@link ArithmeticTask}), the shape of the toy
 * llama and its next-token training (sft {@link dev.r1j.sft.LmTrainer}).
 *
 * <pre>{@code
 * - pretrain: {hidden_size: 128, steps: 600}
 * }</pre>
 */
public record PretrainOptions(
        @Help("directory for arith-train/test/pretrain/sft.jsonl; may start with ${run_dir}") @Default("${run_dir}/data")
                String dataDir,
        @Help("seed of the data generator: problems, held-out split, corpus") @Default("1234") long dataSeed,
        @Help("fewest digits of an operand") @Default("2") int minDigits,
        @Help("most digits of an operand") @Default("3") int maxDigits,
        @Help("share of + problems") @Default("0.4") double addShare,
        @Help("share of - problems (the rest are *)") @Default("0.3") double subShare,
        @Help("share of corpus completions that are worked <think> solutions (the rest take the no-carry shortcut)")
                @Default("0.3") double workedShare,
        @Help("share of worked solutions with one deliberate slip") @Default("0.1") double slipShare,
        @Help("share of shortcut completions with a broken format") @Default("0.2") double brokenShare,
        @Help("lines of the pretraining corpus") @Default("20000") int corpusSize,
        @Help("distinct RL training prompts in arith-train.jsonl") @Default("2000") int trainSize,
        @Help("distinct held-out problems in arith-test.jsonl") @Default("200") int testSize,
        @Help("worked solutions in arith-sft.jsonl (for a cold-start sft stage)") @Default("500") int sftSize,
        @Help("model width (llama hidden_size)") @Default("128") int hiddenSize,
        @Help("SwiGLU MLP width") @Default("256") int intermediateSize,
        @Help("decoder layers") @Default("2") int numLayers,
        @Help("attention heads") @Default("4") int numHeads,
        @Help("key/value heads (grouped-query attention, Ainslie et al. 2023); must divide num_heads") @Default("4")
                int numKvHeads,
        @Help("next-token training (sft's LmTrainerConfig)") @Inline LmTrainerConfig trainer,
        @Help("how the stage runs the engine (num_threads)") @Inline @Default("{num_threads: 1}") EngineOptions engine) {

    public PretrainOptions {
        if (dataDir == null || dataDir.isBlank()) throw new IllegalArgumentException("data_dir must be given");
        if (hiddenSize < 1 || intermediateSize < 1 || numLayers < 1 || numHeads < 1 || numKvHeads < 1) {
            throw new IllegalArgumentException("hidden_size, intermediate_size, num_layers, num_heads and num_kv_heads "
                    + "must be >= 1");
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("num_heads (" + numHeads + ") must divide hidden_size (" + hiddenSize + ")");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_kv_heads (" + numKvHeads + ") must divide num_heads (" + numHeads + ")");
        }
        // the components are not assigned yet in a compact constructor: validate from the parameters
        new ArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, workedShare, slipShare,
                brokenShare, corpusSize, trainSize, testSize, sftSize);
        if (trainer == null) throw new IllegalArgumentException("the trainer options must be given");
    }

    /** The arithmetic task's generator settings. */
    public ArithmeticTask.Config taskConfig() {
        return new ArithmeticTask.Config(dataSeed, minDigits, maxDigits, addShare, subShare, workedShare, slipShare,
                brokenShare, corpusSize, trainSize, testSize, sftSize);
    }

    /** The toy llama for a vocabulary of {@code vocab} tokens; its context is the trainer's max_length. */
    public ModelConfig modelConfig(int vocab) {
        return ModelConfig.llama(vocab, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                trainer.maxLength());
    }
}
