package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.optim.OptimizerConfig;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GrpoConfigTest {
    /** The defaults as documented (TRL-like), written out by hand: the annotations must give exactly these. */
    @Test
    void defaultsAreTheDocumentedOnes() {
        GrpoConfig d = GrpoConfig.defaults();
        assertEquals(8, d.groupSize());
        assertEquals(64, d.maxNewTokens());
        assertEquals(1.0, d.temperature());
        assertEquals(1.0, d.topP());
        assertEquals(0, d.topK());
        assertEquals(List.of(), d.stop());
        assertEquals(0.0, d.beta());
        assertEquals(new Clip(0.2, 0.2), d.clip());
        assertEquals(LossType.DAPO, d.lossType());
        assertEquals(ScaleRewards.GROUP, d.scaleRewards());
        assertEquals(AdvantageEstimator.GRPO, d.advantageEstimator());
        assertEquals(1, d.numIterations());
        assertEquals(100, d.steps());
        assertEquals(8, d.promptsPerStep());
        assertEquals(new OptimizerConfig(1e-6, LrSchedule.Kind.CONSTANT, 0, 0.0, 0.0, 0.9, 0.999, 1e-8, 1.0),
                d.optimizer());
        assertEquals(1, d.gradientAccumulationSteps());
        assertEquals(false, d.dynamicSampling());
        assertEquals(3, d.maxSamplingRounds());
        assertEquals(false, d.maskTruncatedCompletions());
        assertEquals(0, d.overlongBuffer());
        assertEquals(1.0, d.overlongPenaltyFactor());
        assertEquals(false, d.routingReplay());
        assertEquals(42L, d.seed());
        assertEquals(KlEstimator.K3, d.klEstimator());
        assertEquals(0.0, d.dualClip());
        assertEquals(ImportanceSamplingLevel.TOKEN, d.importanceSamplingLevel());
        assertEquals(1.0, d.topEntropyQuantile());
        assertEquals(new RolloutCorrection(CorrectionMode.NONE, 2.0, ImportanceSamplingLevel.TOKEN), d.rolloutCorrection());
        assertEquals(0, d.asyncSteps());
    }

    @Test
    void everyOptionHasHelpAndATypedSetter() {
        Set<String> setters = Arrays.stream(GrpoConfig.Builder.class.getMethods()).map(Method::getName)
                .collect(Collectors.toSet());
        List<RecordComponent> all = new ArrayList<>();
        for (RecordComponent c : GrpoConfig.class.getRecordComponents()) {
            all.add(c);
            if (c.getAnnotation(Inline.class) != null) all.addAll(List.of(c.getType().getRecordComponents()));
        }
        for (RecordComponent c : all) {
            assertTrue(c.getAnnotation(Help.class) != null && c.getAnnotation(Help.class).value().length() > 10,
                    c.getName() + " has no help");
            boolean adam = c.getName().startsWith("adam"); // set together by adam(beta1, beta2, epsilon)
            assertTrue(setters.contains(adam ? "adam" : c.getName()), "GrpoConfig.Builder lacks " + c.getName() + "(...)");
        }
    }

    @Test
    void builderCarriesNestedClipEnumsScheduleAndStop() {
        GrpoConfig c = GrpoConfig.builder().groupSize(4).clip(0.2, 0.28).lossType(LossType.DR_GRPO)
                .scaleRewards(ScaleRewards.NONE).lrSchedule(LrSchedule.Kind.COSINE).learningRate(1e-4)
                .stop(List.of("\n\n")).build();
        assertEquals(4, c.groupSize());
        assertEquals(new Clip(0.2, 0.28), c.clip());
        assertEquals(LossType.DR_GRPO, c.lossType());
        assertEquals(ScaleRewards.NONE, c.scaleRewards());
        assertEquals(LrSchedule.Kind.COSINE, c.schedule().kind());
        assertEquals(1e-4, c.schedule().base());
        assertEquals(List.of("\n\n"), c.samplingParams(1).stop());
        assertEquals(c, c.toBuilder().build());
        assertEquals(0.5, c.toBuilder().beta(0.5).build().beta());
    }

    @Test
    void invalidValuesNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().groupSize(0).build());
        assertTrue(e.getMessage().startsWith("group_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().clip(1.2, 0.2).build());
        assertTrue(e.getMessage().startsWith("clip.low"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().groupSize(1).advantageEstimator(AdvantageEstimator.RLOO).build());
        assertTrue(e.getMessage().contains("rloo"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().learningRate(-1).build());
        assertTrue(e.getMessage().startsWith("learning_rate"), e.getMessage());
    }

    /** Configurations that would silently train on all-zero advantages are refused (issue: group of one, greedy). */
    @Test
    void zeroAdvantageConfigurationsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().groupSize(1).build());
        assertTrue(e.getMessage().startsWith("group_size must be >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().temperature(0).build());
        assertTrue(e.getMessage().startsWith("temperature 0"), e.getMessage());
    }

    @Test
    void variantsAreCheckedWithTheirKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().dualClip(1.0).build());
        assertTrue(e.getMessage().startsWith("dual_clip must be 0 (off) or a finite c > 1"), e.getMessage());
        assertEquals(3.0, GrpoConfig.builder().dualClip(3).build().dualClip());
        e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().advantageEstimator(AdvantageEstimator.REINFORCE_PP).build());
        assertTrue(e.getMessage().contains("set scale_rewards: batch"), e.getMessage());
        // REINFORCE++ without a baseline needs no group; with a baseline it does
        GrpoConfig rpp = GrpoConfig.builder().advantageEstimator(AdvantageEstimator.REINFORCE_PP)
                .scaleRewards(ScaleRewards.BATCH).groupSize(1).gradientAccumulationSteps(1).build();
        assertEquals(1, rpp.groupSize());
        e = assertThrows(IllegalArgumentException.class, () -> rpp.toBuilder()
                .advantageEstimator(AdvantageEstimator.REINFORCE_PP_BASELINE).build());
        assertTrue(e.getMessage().startsWith("group_size must be >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rpp.toBuilder().dynamicSampling(true).build());
        assertTrue(e.getMessage().startsWith("dynamic_sampling"), e.getMessage());
        for (double q : new double[] {0, -0.1, 1.01, Double.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().topEntropyQuantile(q).build());
            assertTrue(e.getMessage().startsWith("top_entropy_quantile must be in (0, 1]"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().topEntropyQuantile(0.2)
                .importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE).build());
        e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().lossType(LossType.CISPO).dualClip(3).build());
        assertTrue(e.getMessage().startsWith("dual_clip bounds PPO's clipped surrogate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().lossType(LossType.CISPO)
                .importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE).build());
        assertTrue(e.getMessage().startsWith("importance_sampling_level: sequence (GSPO) cannot"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().topEntropyQuantile(0.2)
                .importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE).build());
        assertTrue(e.getMessage().startsWith("top_entropy_quantile 0.2 selects single tokens")
                && e.getMessage().contains("importance_sampling_level: sequence"), e.getMessage());
    }
}
