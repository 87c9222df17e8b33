package dev.r1j.core.io;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run's series of training checkpoints (the GRPO stage keeps its own this way), {@code checkpoints/step-000050/},
 * each one a {@link TrainingCheckpoint} (model files loadable on their own, {@code optimizer.safetensors},
 * {@code trainer_state.json} with step, data position and elapsed seconds) written atomically
 * ({@link AtomicDirectory}), so the newest one is always whole. This class adds what a long run needs on top: the
 * step-numbered names, finding the newest, and pruning old ones. The sampling RNG needs no saving: the trainer derives
 * it from the seed and the step.
 *
 * <pre>{@code
 * TrainingCheckpoints ckpts = new TrainingCheckpoints(stageDir.resolve("checkpoints"));
 * ckpts.save(new TrainerState("grpo", 10, source.cursor(), 12.5, Map.of()), model, tokenizer, optimizer);
 * Optional<Path> last = ckpts.latest();
 * }</pre>
 */
public final class TrainingCheckpoints {
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");

    private final Path dir;

    public TrainingCheckpoints(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Writes the checkpoint of {@code state.step()} and returns its directory. */
    public Path save(TrainerState state, CausalLM model, Tokenizer tokenizer, AdamW optimizer) {
        Path target = dir.resolve(String.format("step-%06d", state.step()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        TrainingCheckpoint.save(target, model, tokenizer, optimizer, state);
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
                    .filter(TrainingCheckpoint::exists)
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
