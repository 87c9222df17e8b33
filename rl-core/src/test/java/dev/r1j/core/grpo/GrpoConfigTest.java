package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.optim.LrSchedule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpoConfigTest {
    @Test
    void defaultsMatchTheOptionTable() {
        GrpoConfig d = GrpoConfig.defaults();
        Map<String, Object> asMap = d.toMap();
        assertEquals(GrpoConfig.OPTIONS.size(), asMap.size());
        for (GrpoConfig.Option o : GrpoConfig.OPTIONS) {
            assertTrue(asMap.containsKey(o.name()), o.name());
            Object v = asMap.get(o.name());
            Object want = o.defaultValue();
            if (want instanceof Number n) {
                assertEquals(n.doubleValue(), ((Number) v).doubleValue(), 0.0, o.name());
            } else {
                assertEquals(want, v, o.name());
            }
            assertTrue(o.help().length() > 10, o.name());
        }
    }

    @Test
    void builderCarriesNestedClipEnumsScheduleAndStop() {
        GrpoConfig c = GrpoConfig.builder().groupSize(4).clip(0.2, 0.28).lossType(LossType.DR_GRPO)
                .scaleRewards(ScaleRewards.NONE).lrSchedule(LrSchedule.Kind.COSINE).learningRate(1e-4)
                .stop(List.of("\n\n")).build();
        assertEquals(4, c.groupSize());
        assertEquals(new GrpoConfig.Clip(0.2, 0.28), c.clip());
        assertEquals(LossType.DR_GRPO, c.lossType());
        assertEquals(ScaleRewards.NONE, c.scaleRewards());
        assertEquals(LrSchedule.Kind.COSINE, c.schedule().kind());
        assertEquals(List.of("\n\n"), c.samplingParams(1).stop());
        assertEquals(c, c.toBuilder().build());
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
    }
}
