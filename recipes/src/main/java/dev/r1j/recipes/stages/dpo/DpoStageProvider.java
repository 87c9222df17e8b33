package dev.r1j.recipes.stages.dpo;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code dpo} stage. */
public final class DpoStageProvider implements StageProvider<DpoOptions> {
    @Override
    public String name() {
        return "dpo";
    }

    @Override
    public String description() {
        return "preference tuning: DPO (Rafailov et al. 2023), IPO, SimPO or ORPO on JSONL pairs or on pairs "
                + "built from verifier-scored samples of the model";
    }

    @Override
    public Class<DpoOptions> optionsType() {
        return DpoOptions.class;
    }

    @Override
    public Stage create(DpoOptions options) {
        return new DpoStage(options);
    }
}
