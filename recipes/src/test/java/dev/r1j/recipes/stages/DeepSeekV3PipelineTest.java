package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.recipes.stages.pretrain.PretrainOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DeepSeek-V3-shaped base through the r1-zero pipeline (pretrain with V3's load balancing, eval, GRPO with
 * routing replay), shrunk to seconds; and the pretrain stage's V3 knobs refused at their key when they don't fit.
 */
class DeepSeekV3PipelineTest {
    static final String[] V3 = {
            "--set", "stages[0].pretrain.model_type=deepseek_v3",
            "--set", "stages[0].pretrain.num_layers=2",
            "--set", "stages[0].pretrain.deepseek={n_routed_experts: 4, num_experts_per_tok: 2, n_group: 2, "
                    + "topk_group: 2, moe_intermediate_size: 16, q_lora_rank: 8, kv_lora_rank: 8, qk_nope_head_dim: 4, "
                    + "qk_rope_head_dim: 4, v_head_dim: 4}",
            "--set", "stages[2].grpo.routing_replay=true"};

    @Test
    void aV3BaseIsPretrainedWithBalancingAndPostTrainedWithRoutingReplay(@TempDir Path dir) throws Exception {
        TinyR1Zero t = new TinyR1Zero(dir);
        assertEquals(0, t.run(t.args("r1-zero.yaml", V3)), t.err.toString());
        try (NDManager m = Djl.newManager(); LoadedModel base = Checkpoint.load(dir.resolve("base-model"), m)) {
            ModelConfig c = base.model().config();
            assertEquals("deepseek_v3", c.modelType());
            assertEquals(4, c.deepseek().nRoutedExperts());
            assertTrue(c.isMoeLayer(1) && !c.isMoeLayer(0), "first_k_dense_replace 1 of 2 layers");
        }
        List<ObjectNode> metrics = MetricsLog.read(t.runDir().resolve("metrics.jsonl"));
        List<ObjectNode> pretrain = metrics.stream().filter(r -> r.get("stage").asText().equals("pretrain")).toList();
        assertEquals(6, pretrain.size());
        for (ObjectNode r : pretrain) {
            double maxOverMean = r.get("moe/layer1/load_max_over_mean").asDouble();
            double entropy = r.get("moe/layer1/load_entropy").asDouble();
            assertTrue(maxOverMean >= 1 && maxOverMean <= 2, "4 experts, 2 per token: at most 2x the mean, " + r);
            assertTrue(entropy > 0 && entropy <= Math.log(4) + 1e-9, r.toString());
            assertTrue(r.get("moe/seq_aux_loss").asDouble() > 0, r.toString());
        }
        List<ObjectNode> grpo = metrics.stream().filter(r -> r.get("stage").asText().equals("grpo")).toList();
        assertEquals(2, grpo.size());
        for (ObjectNode r : grpo) {
            double mismatch = r.get("routing/mismatch_frac").asDouble();
            assertTrue(mismatch >= 0 && mismatch < 0.1, "same weights at sampling and scoring: " + r);
            assertTrue(r.get("routing/tracks").asInt() == 4, r.toString());
        }
    }

    private final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    private String error(String pretrain) {
        String yaml = "stages:\n  - pretrain:\n      model_type: deepseek_v3\n      num_layers: 2\n" + pretrain;
        return assertThrows(RecipeException.class,
                () -> loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of())).getMessage();
    }

    @Test
    void knobsThatDoNotFitAreOneLineNamingTheKey() {
        String e = error("      deepseek: {first_k_dense_replace: 3}\n");
        assertTrue(e.startsWith("t.yaml line 5: stages[0].pretrain: deepseek.first_k_dense_replace: expected at most "
                + "num_layers - 1 = 1"), e);
        e = error("      deepseek: {kv_lora_rank: 512}\n");
        assertTrue(e.startsWith("t.yaml line 5: stages[0].pretrain: deepseek.kv_lora_rank: expected at most "
                + "hidden_size = 128"), e);
        e = error("      deepseek: {q_lora_rank: 200}\n");
        assertTrue(e.contains("deepseek.q_lora_rank: expected at most hidden_size = 128"), e);
        e = error("      deepseek: {qk_rope_head_dim: 7}\n");
        assertTrue(e.startsWith("t.yaml line 5: ") && e.contains("qk_rope_head_dim: expected an even number, found 7"), e);
        e = error("      deepseek: {n_routed_experts: 6, n_group: 4}\n");
        assertTrue(e.contains("n_group: expected a divisor of n_routed_experts=6, found 4"), e);
        assertTrue(!e.contains("\n"), e);
        e = assertThrows(RecipeException.class, () -> loader.parse(new RecipeSource("t.yaml", "t.yaml",
                "stages:\n  - pretrain:\n      model_type: mixtral\n"), List.of())).getMessage();
        assertTrue(e.startsWith("t.yaml line 3: stages[0].pretrain: model_type: expected one of llama, qwen2, "
                + "deepseek_v3, found \"mixtral\""), e);

        String yaml = "stages:\n  - pretrain:\n      model_type: deepseek_v3\n      num_layers: 2\n"
                + "      deepseek: {q_lora_rank: null}\n";
        PretrainOptions p = (PretrainOptions) loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of())
                .stages().get(0).options();
        ModelConfig c = p.modelConfig(30);
        assertEquals(null, c.deepseek().qLoraRank(), "a plain q_proj");
        assertEquals(8, c.deepseek().nRoutedExperts(), "the toy defaults under the given key");
    }

    @Test
    void routingReplayOnADenseBaseIsOneLineNamingTheKey(@TempDir Path dir) {
        TinyR1Zero t = new TinyR1Zero(dir);
        assertEquals(1, t.run(t.args("r1-zero.yaml", "--set", "stages[2].grpo.routing_replay=true")));
        String err = t.err.toString().strip();
        assertTrue(err.contains("routing_replay: the policy (llama) has no mixture-of-experts layers"), err);
        assertEquals(1, err.lines().count(), err);
    }
}
