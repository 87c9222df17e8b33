package dev.r1j.recipes.stages.rejection;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code rejection_sample} stage. */
public final class RejectionStageProvider implements StageProvider<RejectionStageOptions> {
    @Override
    public String name() {
        return "rejection_sample";
    }

    @Override
    public String description() {
        return "samples N completions per prompt, keeps verified well-formed distinct ones as an SFT dataset "
                + "(DeepSeek-R1's rejection sampling; RFT, Yuan et al. 2023)";
    }

    @Override
    public Class<RejectionStageOptions> optionsType() {
        return RejectionStageOptions.class;
    }

    @Override
    public Stage create(RejectionStageOptions options) {
        return new RejectionStage(options);
    }
}
