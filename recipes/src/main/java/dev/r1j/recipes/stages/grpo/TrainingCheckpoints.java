package dev.r1j.recipes.stages.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.io.AtomicDirectory;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.SafeTensors;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.recipes.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The GRPO stage's training checkpoints, {@code checkpoints/step-000050/} each holding {@code model/} (a normal
 * checkpoint directory: {@link Checkpoint}), {@code optimizer.safetensors} (AdamW moments and step) and
 * {@code trainer_state.json} (step, data position, elapsed seconds). A checkpoint directory is written atomically
 * ({@link AtomicDirectory}): it is there whole or not at all, so the newest one is always loadable. The sampling RNG
 * needs no saving: the trainer derives it from the seed and the step.
 *
 * <pre>{@code
 * TrainingCheckpoints ckpts = new TrainingCheckpoints(stageDir.resolve("checkpoints"));
 * ckpts.save(new TrainingCheckpoints.State(10, 80, 12.5), model, tokenizer, optimizer);
 * Optional<Path> last = ckpts.latest();
 * }</pre>
 */
public final class TrainingCheckpoints {
    static final String STATE_FILE = "trainer_state.json";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    static final String MODEL_DIR = "model";
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");

    /** What a checkpoint records besides the weights and the optimizer. */
    public record State(int step, long dataPosition, double elapsedS) {}

    private final Path dir;

    public TrainingCheckpoints(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the checkpoint of {@code state.step()} and returns its directory. */
    public Path save(State state, CausalLM model, Tokenizer tokenizer, AdamW optimizer) {
        Path target = dir.resolve(String.format("step-%06d", state.step()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        AtomicDirectory.write(target, tmp -> {
            Checkpoint.save(tmp.resolve(MODEL_DIR), model, tokenizer);
            try (NDManager m = model.manager().newSubManager()) {
                SafeTensors.write(tmp.resolve(OPTIMIZER_FILE), optimizer.state(m));
            }
            ObjectNode s = Json.MAPPER.createObjectNode();
            s.put("step", state.step());
            s.put("data_position", state.dataPosition());
            s.put("elapsed_s", state.elapsedS());
            Json.writeAtomically(tmp.resolve(STATE_FILE), s);
        });
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingInt(TrainingCheckpoints::stepOf)).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes all but the newest {@code keep} checkpoints ({@code keep = 0} keeps all). */
    public void prune(int keep) {
        if (keep <= 0) return;
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) delete(all.get(i));
    }

    /** The state of a checkpoint directory; a malformed file is an error naming it. */
    public static State readState(Path checkpoint) {
        Path f = checkpoint.resolve(STATE_FILE);
        JsonNode n = Json.read(f);
        for (String k : List.of("step", "data_position", "elapsed_s")) {
            if (!n.path(k).isNumber()) throw new IllegalArgumentException(f + ": missing numeric '" + k + "'");
        }
        return new State(n.get("step").asInt(), n.get("data_position").asLong(), n.get("elapsed_s").asDouble());
    }

    /** The model directory inside a checkpoint. */
    public static Path modelDir(Path checkpoint) {
        return checkpoint.resolve(MODEL_DIR);
    }

    /** The optimizer state of a checkpoint, owned by {@code manager}. */
    public static Map<String, NDArray> readOptimizer(Path checkpoint, NDManager manager) {
        return SafeTensors.read(checkpoint.resolve(OPTIMIZER_FILE), manager);
    }

    private static void delete(Path tree) {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete old checkpoint " + tree + ": " + e.getMessage(), e);
        }
    }

    private static int stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
