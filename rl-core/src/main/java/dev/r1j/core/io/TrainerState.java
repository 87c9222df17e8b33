package dev.r1j.core.io;

import dev.r1j.core.data.EpochCursor;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training run stands, stored as {@code trainer_state.json} beside the weights so that a resumed run
 * continues exactly: optimizer steps done, the data cursor's position and the wall time already spent.
 *
 * @param stage          the trainer that wrote it ({@code sft}, {@code dpo}, ...); a resume checks it matches
 * @param step           optimizer steps completed
 * @param data           the data cursor's position after the last step
 * @param elapsedSeconds training time spent before this checkpoint
 * @param extra          trainer-specific values (numbers and strings), e.g. the best eval loss
 *
 * <pre>{@code
 * TrainerState s = new TrainerState("sft", 120, cursor.position(), 42.0, Map.of());
 * }</pre>
 */
public record TrainerState(String stage, int step, EpochCursor.Position data, double elapsedSeconds,
                           Map<String, Object> extra) {
    public TrainerState {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(data, "data");
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
