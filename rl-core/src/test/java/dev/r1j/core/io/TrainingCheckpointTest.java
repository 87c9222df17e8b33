package dev.r1j.core.io;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model + optimizer + trainer state in one atomic directory, restored exactly. */
class TrainingCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void savesAndRestoresOptimizerAndStateBesideALoadableModel() throws Exception {
        System.setProperty("r1j.fsync", "false");
        try (NDManager m = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(20), m, 1);
                AdamW opt = new AdamW(model.parameters(), AdamW.Config.defaults(0.01))) {
            // one real step so the moments are non-zero
            for (NDArray p : model.parameters().values()) {
                try (NDArray g = p.getGradient()) {
                    g.addi(0.5f);
                }
            }
            opt.step(1e-3);
            TrainerState s = new TrainerState("sft", 7, new EpochCursor.Position(2, 3), 12.5,
                    Map.of("best_eval_loss", 1.25, "note", "x"));
            Path ckpt = dir.resolve("ckpt");
            TrainingCheckpoint.save(ckpt, model, new CharTokenizer("abcdefghij", null), opt, s);
            assertTrue(TrainingCheckpoint.exists(ckpt));
            assertEquals(s, TrainingCheckpoint.readState(ckpt));
            try (LoadedModel lm = Checkpoint.load(ckpt, m);
                    AdamW fresh = new AdamW(lm.model().parameters(), AdamW.Config.defaults(0.01))) {
                assertEquals(s, TrainingCheckpoint.restoreOptimizer(ckpt, fresh));
                assertEquals(1, fresh.stepCount());
                try (NDManager a = m.newSubManager()) {
                    Map<String, NDArray> want = opt.state(a), got = fresh.state(a);
                    for (String k : want.keySet()) {
                        assertArrayEquals(want.get(k).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
                                got.get(k).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), k);
                    }
                }
            }
            // a plain model checkpoint is not a training checkpoint
            Path plain = dir.resolve("plain");
            Checkpoint.save(plain, model, new CharTokenizer("abcdefghij", null));
            assertFalse(TrainingCheckpoint.exists(plain));
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                    () -> TrainingCheckpoint.restoreOptimizer(plain, opt));
            assertTrue(e.getMessage().contains("trainer_state.json"), e.getMessage());
            // a broken state file names the file and the field
            Files.writeString(ckpt.resolve(TrainingCheckpoint.STATE_FILE), "{\"stage\": \"sft\", \"global_step\": \"7\"}");
            CheckpointFormatException bad = assertThrows(CheckpointFormatException.class,
                    () -> TrainingCheckpoint.readState(ckpt));
            assertTrue(bad.getMessage().contains("trainer_state.json") && bad.getMessage().contains("global_step"),
                    bad.getMessage());
        } finally {
            System.clearProperty("r1j.fsync");
        }
    }
}
