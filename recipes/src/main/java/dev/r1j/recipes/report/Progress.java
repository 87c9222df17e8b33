package dev.r1j.recipes.report;

/**
 * A progress display for one task: steps done of a total, rate, ETA and a short extra text (e.g. the reward).
 * Made by a {@link ProgressFactory}; close it when the task ends.
 *
 * <pre>{@code
 * try (Progress p = ctx.progress().start("grpo", 200)) {
 *     for (...) { ...; p.step(); p.extra("reward 0.41"); }
 * }
 * }</pre>
 */
public interface Progress extends AutoCloseable {
    /** One more step done. */
    void step();

    /** Sets the number of steps done. */
    void stepTo(long done);

    /** Replaces the extra text shown after the rate and ETA. */
    void extra(String text);

    @Override
    void close();
}
