package dev.r1j.recipes.stages.sft;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code sft} stage. */
public final class SftStageProvider implements StageProvider<SftStageOptions> {
    @Override
    public String name() {
        return "sft";
    }

    @Override
    public String description() {
        return "supervised fine-tuning on prompt/completion or chat rows, completion-only loss, packing "
                + "(the cold start and rejection-sampling SFT of DeepSeek-R1)";
    }

    @Override
    public Class<SftStageOptions> optionsType() {
        return SftStageOptions.class;
    }

    @Override
    public Stage create(SftStageOptions options) {
        return new SftStage(options);
    }
}
