package dev.r1j.recipes.stages.pretrain;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code pretrain} stage. */
public final class PretrainStageProvider implements StageProvider<PretrainOptions> {
    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String description() {
        return "builds a toy base model (task data, a small llama, qwen2 or deepseek_v3, next-token training) unless it exists";
    }

    @Override
    public Class<PretrainOptions> optionsType() {
        return PretrainOptions.class;
    }

    @Override
    public Stage create(PretrainOptions options) {
        return new PretrainStage(options);
    }
}
