package dev.r1j.recipes.stages.grpo;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code grpo} stage. */
public final class GrpoStageProvider implements StageProvider<GrpoOptions> {
    @Override
    public String name() {
        return "grpo";
    }

    @Override
    public String description() {
        return "GRPO on verifiable rewards (DeepSeekMath, Shao et al. 2024; DeepSeek-R1-Zero), with DAPO and Dr. GRPO options";
    }

    @Override
    public Class<GrpoOptions> optionsType() {
        return GrpoOptions.class;
    }

    @Override
    public Stage create(GrpoOptions options) {
        return new GrpoStage(options);
    }
}
