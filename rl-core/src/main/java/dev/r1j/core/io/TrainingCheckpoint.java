package dev.r1j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable training checkpoint: the model checkpoint ({@link Checkpoint}'s files, loadable on its own) plus
 * {@code optimizer.safetensors} (the AdamW moments and step) and {@code trainer_state.json} ({@link TrainerState}),
 * all written in one {@link AtomicDirectory#write}, so a crash leaves the previous checkpoint or the new one.
 *
 * <pre>{@code
 * TrainingCheckpoint.save(dir, model, tokenizer, optimizer, new TrainerState("sft", step, cursor.position(), t, Map.of()));
 * // later, in a fresh process:
 * try (LoadedModel m = Checkpoint.load(dir, manager); AdamW opt = new AdamW(m.model().parameters(), cfg)) {
 *     TrainerState s = TrainingCheckpoint.restoreOptimizer(dir, opt);
 * }
 * }</pre>
 */
public final class TrainingCheckpoint {
    public static final String STATE_FILE = "trainer_state.json";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {}

    /**
     * Writes model, tokenizer, optimizer and state into {@code dir} atomically (float32 weights). A {@link Transformer}
     * carrying LoRA adapters is saved as its adapter only ({@link #hasAdapter}: PEFT's files, no base weights):
     * resume by loading the base, then {@code LoraAdapters.load(dir, model)}.
     */
    public static void save(Path dir, CausalLM model, Tokenizer tokenizer, AdamW optimizer, TrainerState state) {
        AtomicDirectory.write(dir, tmp -> writeFiles(tmp, model, tokenizer, optimizer, state));
    }

    /**
     * Writes the same files into the existing directory {@code dir}, not atomically: for trainers that add files of
     * their own inside one {@link AtomicDirectory#write}.
     */
    public static void writeFiles(Path dir, CausalLM model, Tokenizer tokenizer, AdamW optimizer, TrainerState state)
            throws IOException {
        if (model instanceof Transformer t && t.adapters() != null) {
            // LoRA: only the adapter trains, so only it is saved (PEFT's layout); the base is the stage's input
            t.adapters().save(dir, null);
        } else {
            Checkpoint.writeFiles(dir, model, tokenizer, DType.F32, Weights.DEFAULT_MAX_SHARD_BYTES);
        }
        try (NDManager m = model.manager().newSubManager()) {
            SafeTensors.write(dir.resolve(OPTIMIZER_FILE), optimizer.state(m));
        }
        Files.writeString(dir.resolve(STATE_FILE), toJson(state));
    }

    /**
     * Before resuming from {@code dir}: repairs what a crash during a checkpoint write left beside it
     * ({@link AtomicDirectory#recover}), so a whole checkpoint left in {@code .NAME.old-*} or a complete
     * {@code .NAME.tmp-*} is used instead of training again from step 0, and stale temporaries (a model and an
     * optimizer state each) are deleted.
     *
     * @return what was done, one sentence each, to show the user
     */
    public static List<String> recover(Path dir) {
        return AtomicDirectory.recover(dir);
    }

    /** {@link #recover} for each checkpoint of a series in {@code parent} ({@code step-000050}, ...). */
    public static List<String> recoverAll(Path parent) {
        return AtomicDirectory.recoverAll(parent);
    }

    /** Whether the checkpoint in {@code dir} holds a LoRA adapter instead of the model's weights. */
    public static boolean hasAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve(dev.r1j.core.model.LoraAdapters.CONFIG_FILE));
    }

    /** Whether {@code dir} holds a training checkpoint (not just model weights). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE)) && Files.isRegularFile(dir.resolve(OPTIMIZER_FILE));
    }

    /** Reads {@code trainer_state.json}; errors name the file and the field. */
    public static TrainerState readState(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointFormatException(file + ": expected a JSON object");
        String stage = text(root, "stage", file);
        int step = (int) number(root, "global_step", file);
        long epoch = (long) number(root, "data_epoch", file);
        int offset = (int) number(root, "data_offset", file);
        double elapsed = number(root, "elapsed_s", file);
        Map<String, Object> extra = new LinkedHashMap<>();
        JsonNode ex = root.get("extra");
        if (ex != null && ex.isObject()) {
            ex.fields().forEachRemaining(e -> extra.put(e.getKey(),
                    e.getValue().isNumber() ? (Object) e.getValue().asDouble() : e.getValue().asText()));
        }
        return new TrainerState(stage, step, new EpochCursor.Position(epoch, offset), elapsed, extra);
    }

    /** Loads {@code optimizer.safetensors} into {@code optimizer} and returns the trainer state. */
    public static TrainerState restoreOptimizer(Path dir, AdamW optimizer) {
        Path file = dir.resolve(OPTIMIZER_FILE);
        if (!exists(dir)) {
            throw new CheckpointFormatException(dir + ": not a training checkpoint (needs " + STATE_FILE + " and "
                    + OPTIMIZER_FILE + ")");
        }
        TrainerState state = readState(dir);
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> tensors = SafeTensors.read(file, m);
            try {
                optimizer.loadState(tensors);
            } catch (IllegalArgumentException e) {
                throw new CheckpointFormatException(file + ": " + e.getMessage());
            }
        }
        return state;
    }

    static String toJson(TrainerState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("stage", s.stage());
        o.put("global_step", s.step());
        o.put("data_epoch", s.data().epoch());
        o.put("data_offset", s.data().offset());
        o.put("elapsed_s", s.elapsedSeconds());
        ObjectNode ex = o.putObject("extra");
        for (Map.Entry<String, Object> e : s.extra().entrySet()) {
            if (e.getValue() instanceof Number n) ex.put(e.getKey(), n.doubleValue());
            else ex.put(e.getKey(), String.valueOf(e.getValue()));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) throw new CheckpointFormatException(file + ": field '" + field + "' must be a string");
        return n.asText();
    }

    private static double number(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || !n.isNumber()) throw new CheckpointFormatException(file + ": field '" + field + "' must be a number");
        return n.asDouble();
    }
}
