package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.optim.LrSchedule;
import java.util.LinkedHashMap;
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
        assertEquals(d, GrpoConfig.fromMap(asMap, "round-trip"));
    }

    @Test
    void readsRecipeKeysIncludingNestedClip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group_size", 4);
        m.put("clip", Map.of("low", 0.2, "high", 0.28));
        m.put("loss_type", "dr_grpo");
        m.put("scale_rewards", "none");
        m.put("lr_schedule", "cosine");
        m.put("learning_rate", 1e-4);
        m.put("stop", "\n\n");
        GrpoConfig c = GrpoConfig.fromMap(m, "r1-zero.yaml");
        assertEquals(4, c.groupSize());
        assertEquals(new GrpoConfig.Clip(0.2, 0.28), c.clip());
        assertEquals(LossType.DR_GRPO, c.lossType());
        assertEquals(ScaleRewards.NONE, c.scaleRewards());
        assertEquals(LrSchedule.Kind.COSINE, c.schedule().kind());
        assertEquals(List.of("\n\n"), c.samplingParams(1).stop());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void errorsNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.fromMap(Map.of("grup_size", 4), "r.yaml"));
        assertTrue(e.getMessage().contains("grpo.grup_size") && e.getMessage().contains("did you mean 'group_size'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.fromMap(Map.of("steps", "ten"), "r.yaml"));
        assertTrue(e.getMessage().contains("grpo.steps") && e.getMessage().contains("integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.fromMap(Map.of("loss_type", "ppo"), "r.yaml"));
        assertTrue(e.getMessage().contains("grpo|dapo|dr_grpo"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.fromMap(Map.of("clip", Map.of("lo", 0.1)), "r.yaml"));
        assertTrue(e.getMessage().contains("grpo.clip") && e.getMessage().contains("'lo'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().groupSize(0).build());
        assertTrue(e.getMessage().startsWith("group_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().clip(1.2, 0.2).build());
        assertTrue(e.getMessage().startsWith("clip.low"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().groupSize(1).advantageEstimator(AdvantageEstimator.RLOO).build());
        assertTrue(e.getMessage().contains("rloo"), e.getMessage());
    }
}
