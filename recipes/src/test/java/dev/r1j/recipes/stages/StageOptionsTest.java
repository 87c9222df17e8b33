package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.grpo.AdvantageEstimator;
import dev.r1j.core.grpo.Clip;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.ImportanceSamplingLevel;
import dev.r1j.core.grpo.KlEstimator;
import dev.r1j.core.optim.OptimizerConfig;
import dev.r1j.options.OptionRecords;
import dev.r1j.preference.PreferenceLossType;
import dev.r1j.preference.PreferenceOptions;
import dev.r1j.recipes.config.OptionsBinder;
import dev.r1j.recipes.config.SourceMap;
import dev.r1j.recipes.stages.dpo.DpoOptions;
import dev.r1j.sft.LmTrainerConfig;
import dev.r1j.sft.RejectionOptions;
import dev.r1j.sft.SftOptions;
import dev.r1j.sft.TrainingOptions;
import dev.r1j.core.grpo.LossType;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.config.OptionDoc;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.recipes.stages.eval.EvalOptions;
import dev.r1j.recipes.stages.grpo.GrpoOptions;
import dev.r1j.recipes.stages.pretrain.PretrainOptions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The stages' options: documented, defaults in step with rl-core, and one clear error per bad value. */
class StageOptionsTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    Recipe parse(String yaml, String... overrides) {
        return loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of(overrides));
    }

    String error(String yaml, String... overrides) {
        return assertThrows(RecipeException.class, () -> parse(yaml, overrides)).getMessage();
    }

    @Test
    void everyOptionHasHelpAndAWellFormedDefault() {
        Options.validate(PretrainOptions.class);
        Options.validate(GrpoOptions.class);
        Options.validate(EvalOptions.class);
        assertEquals(List.of("eval", "grpo", "pretrain"), StageRegistry.defaultRegistry().names().stream()
                .filter(n -> Set.of("eval", "grpo", "pretrain").contains(n)).toList());
    }

    /**
     * Each library config record is bound as declared: the binder (full YAML parser, the recipe's path) and the
     * library's builder (OptionRecords, the Java users' path) read the same annotations into the same values.
     */
    @Test
    void theBinderAndTheLibraryBuilderGiveTheSameDefaults() {
        for (Class<? extends Record> type : List.of(GrpoConfig.class, OptimizerConfig.class, Clip.class,
                TrainingOptions.class, SftOptions.class, LmTrainerConfig.class, PreferenceOptions.class,
                RejectionOptions.class)) {
            Options.validate(type);
            Record bound = new OptionsBinder(new SourceMap("t.yaml")).bind(type, null, "").value();
            assertEquals(OptionRecords.defaults(type), bound, type.getSimpleName());
        }
    }

    @Test
    void grpoBindsRlCoresConfigInlineWithTheRecipeSeed() {
        Set<String> keys = Options.describe(GrpoOptions.class).stream().map(OptionDoc::key).collect(Collectors.toSet());
        for (String k : List.of("group_size", "beta", "clip", "clip.low", "learning_rate", "adam_beta2", "max_grad_norm",
                "seed", "checkpoint_every")) {
            assertTrue(keys.contains(k), k);
        }
        GrpoOptions g = (GrpoOptions) parse("seed: 42\nstages: [{grpo: {dataset: d.jsonl}}]").stages().get(0).options();
        assertEquals(GrpoConfig.defaults(), g.trainer());
        GrpoOptions set = (GrpoOptions) parse("seed: 5\nstages: [{grpo: {dataset: d.jsonl, loss_type: dr_grpo, "
                + "clip: {high: 0.28}, learning_rate: 0.001}}]").stages().get(0).options();
        GrpoConfig c = set.trainer();
        assertEquals(LossType.DR_GRPO, c.lossType());
        assertEquals(0.2, c.clip().low());
        assertEquals(0.28, c.clip().high());
        assertEquals(0.001, c.optimizer().learningRate());
        assertEquals(5L, c.seed());
        GrpoOptions own = (GrpoOptions) parse("seed: 5\nstages: [{grpo: {dataset: d.jsonl, seed: 9}}]").stages().get(0).options();
        assertEquals(9L, own.trainer().seed());
    }

    /** A stage's seed defaults to the recipe's; a block's seed (dpo's training.seed) to the stage's. */
    @Test
    void seedsAreInheritedDownward() {
        DpoOptions d = (DpoOptions) parse("seed: 3\nstages: [{dpo: {pairs: p.jsonl}}]").stages().get(0).options();
        assertEquals(3L, d.seed());
        assertEquals(3L, d.preference().training().seed());
        d = (DpoOptions) parse("seed: 3\nstages: [{dpo: {pairs: p.jsonl, seed: 8}}]").stages().get(0).options();
        assertEquals(8L, d.preference().training().seed());
        d = (DpoOptions) parse("seed: 3\nstages: [{dpo: {pairs: p.jsonl, seed: 8, training: {seed: 1, epochs: 2}}}]")
                .stages().get(0).options();
        assertEquals(1L, d.preference().training().seed());
        assertEquals(2.0, d.preference().training().epochs());
        assertEquals(1e-6, d.preference().training().optimizer().learningRate(), "a given block keeps dpo's defaults");
        PretrainOptions p = (PretrainOptions) parse("seed: 4\nstages: [{pretrain: {learning_rate: 0.005}}]")
                .stages().get(0).options();
        assertEquals(4L, p.trainer().seed());
        assertEquals(0.005, p.trainer().optimizer().learningRate());
        assertEquals(0.98, p.trainer().optimizer().adamBeta2(), "the inline block's own overrides stay");
        assertEquals(30, p.trainer().optimizer().warmupSteps());
    }

    /** TRL's and veRL's names are answered with R1J's, not with a "did you mean" guess at a different knob. */
    @Test
    void otherToolsNamesAreAnsweredWithOurs() {
        String e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      num_generations: 4\n");
        assertTrue(e.contains("line 4") && e.contains("unknown key 'num_generations': TRL's num_generations is group_size here"), e);
        e = error("stages:\n  - grpo: {dataset: d.jsonl, epsilon_high: 0.28}\n");
        assertTrue(e.contains("TRL's epsilon_high is clip.high here"), e);
        e = error("stages:\n  - grpo: {dataset: d.jsonl, max_completion_length: 128}\n");
        assertTrue(e.contains("TRL's max_completion_length is max_new_tokens here"), e);
        e = error("stages:\n  - grpo: {dataset: d.jsonl, lr_scheduler_type: cosine}\n");
        assertTrue(e.contains("TRL's lr_scheduler_type is lr_schedule here"), e);
        e = error("stages:\n  - sft: {dataset: d.jsonl, training: {num_train_epochs: 2}}\n");
        assertTrue(e.contains("TRL's num_train_epochs is epochs here"), e);
        DpoOptions d = (DpoOptions) parse("stages: [{dpo: {pairs: p.jsonl, loss_type: dpo}}]").stages().get(0).options();
        assertEquals(PreferenceLossType.SIGMOID, d.preference().lossType());
    }

    /** An explicit null is a type error naming the key, unless the option's default is null. */
    @Test
    void explicitNullIsATypeErrorNamingTheKey() {
        String e = error("stages:\n  - grpo: {dataset: d.jsonl}\n", "stages[0].grpo.clip=null");
        assertTrue(e.contains("stages[0].grpo.clip") && e.contains("got null"), e);
        e = error("stages:\n  - grpo: {dataset: d.jsonl}\n", "stages[0].grpo.dataset=null");
        assertTrue(e.contains("stages[0].grpo.dataset") && e.contains("got null"), e);
        e = error("stages:\n  - sft: {dataset: d.jsonl, training: null}\n");
        assertTrue(e.contains("training") && e.contains("got null"), e);
        e = error("stages:\n  - grpo: {dataset: d.jsonl, stop: [null]}\n");
        assertTrue(e.contains("stop[0]") && e.contains("got null"), e);
        GrpoOptions g = (GrpoOptions) parse("stages: [{grpo: {dataset: d.jsonl, model: null}}]").stages().get(0).options();
        assertEquals(null, g.model());
    }

    @Test
    void badValuesNameTheFileLineAndKey() {
        String yaml = """
                run_dir: runs/t
                stages:
                  - grpo:
                      dataset: d.jsonl
                      group_size: 0
                """;
        String e = error(yaml);
        assertTrue(e.startsWith("t.yaml line 5: stages[0].grpo: "), e);
        assertTrue(e.contains("group_size must be >= 1, got 0"), e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      gruop_size: 4\n");
        assertTrue(e.contains("line 4") && e.contains("unknown key 'gruop_size' (did you mean 'group_size'?)"), e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      verifiers: [maths]\n");
        assertTrue(e.contains("line 4") && e.contains("maths") && e.contains("math"), e);

        e = error("stages:\n  - pretrain:\n      hidden_size: 100\n      num_heads: 3\n");
        assertTrue(e.startsWith("t.yaml line 3: stages[0].pretrain: num_heads (3) must divide hidden_size (100)"), e);

        e = error("stages:\n  - eval: {dataset: t.jsonl, samples: 4}\n");
        assertTrue(e.contains("line 2") && e.contains("samples = 4 with temperature 0"), e);

        e = error("stages:\n  - grpo: {dataset: d.jsonl}\n", "stages[0].grpo.clip.low=1.5");
        assertTrue(e.contains("clip.low must be in [0, 1), got 1.5"), e);
    }

    @Test
    void grpoVariantCombinationsThatMakeNoSenseAreRefusedAtTheirKey() {
        String e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      top_entropy_quantile: 1.5\n");
        assertTrue(e.startsWith("t.yaml line 4: stages[0].grpo: top_entropy_quantile must be in (0, 1], got 1.5"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      top_entropy_quantile: 0\n");
        assertTrue(e.startsWith("t.yaml line 4: ") && e.contains("top_entropy_quantile must be in (0, 1]"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      importance_sampling_level: sequence\n"
                + "      top_entropy_quantile: 0.2\n");
        // a combination: the error points at the first of the two keys it names
        assertTrue(e.startsWith("t.yaml line 4: stages[0].grpo: top_entropy_quantile 0.2 selects single tokens")
                && e.contains("importance_sampling_level: sequence"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      loss_type: cispo\n      dual_clip: 3\n");
        assertTrue(e.startsWith("t.yaml line 5: stages[0].grpo: dual_clip bounds PPO's clipped surrogate"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      kl_in_reward: true\n");
        assertTrue(e.startsWith("t.yaml line 4: stages[0].grpo: kl_in_reward needs beta > 0"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      dual_clip: 0.5\n");
        assertTrue(e.startsWith("t.yaml line 4: stages[0].grpo: dual_clip must be 0 (off) or a finite c > 1"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      advantage_estimator: reinforce_pp\n");
        assertTrue(e.startsWith("t.yaml line 4: ") && e.contains("set scale_rewards: batch"), e);
        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      importance_sampling_level: sentence\n");
        assertTrue(e.contains("line 4") && e.contains("sequence"), e);
        // the accepted spellings bind
        GrpoOptions g = (GrpoOptions) parse("stages: [{grpo: {dataset: d.jsonl, importance_sampling_level: sequence, "
                + "kl_estimator: k1, beta: 0.01, kl_in_reward: true, dual_clip: 3, loss_type: bnpo, "
                + "advantage_estimator: reinforce_pp_baseline, scale_rewards: batch}}]").stages().get(0).options();
        assertEquals(ImportanceSamplingLevel.SEQUENCE, g.trainer().importanceSamplingLevel());
        assertEquals(KlEstimator.K1, g.trainer().klEstimator());
        assertTrue(g.trainer().klInReward());
        assertEquals(3.0, g.trainer().dualClip());
        assertEquals(LossType.BNPO, g.trainer().lossType());
        assertEquals(AdvantageEstimator.REINFORCE_PP_BASELINE, g.trainer().advantageEstimator());
        // veRL's value spelling of the estimator
        g = (GrpoOptions) parse("stages: [{grpo: {dataset: d.jsonl, kl_estimator: low_var_kl}}]").stages().get(0)
                .options();
        assertEquals(KlEstimator.K3, g.trainer().klEstimator());
    }
}
