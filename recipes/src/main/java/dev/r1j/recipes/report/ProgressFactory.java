package dev.r1j.recipes.report;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Makes {@link Progress} displays, on me.tongfei:progressbar. On a terminal a live bar on standard error; without
 * one (CI, a pipe, a log file) a plain line every {@code interval} and at the end, with no carriage returns or
 * colours; or nothing. The environment variable {@code R1J_PROGRESS=bar|lines|none} overrides the choice.
 *
 * <pre>{@code
 * ProgressFactory f = ProgressFactory.auto();
 * try (Progress p = f.start("pretrain", 500)) { ... }
 * }</pre>
 */
public interface ProgressFactory {
    /** Starts a display for {@code total} steps of which {@code initial} are already done (after a resume). */
    Progress start(String task, long total, long initial);

    default Progress start(String task, long total) {
        return start(task, total, 0);
    }

    /** A bar on a terminal, lines every 10 s otherwise, as {@code R1J_PROGRESS} may override. */
    static ProgressFactory auto() {
        String mode = System.getenv("R1J_PROGRESS");
        mode = mode == null ? (System.console() != null ? "bar" : "lines") : mode.toLowerCase(Locale.ROOT);
        switch (mode) {
            case "none":
                return none();
            case "bar":
                return bar();
            default:
                return lines(System.err::println, Duration.ofSeconds(10));
        }
    }

    /** A live bar on standard error, for a terminal. */
    static ProgressFactory bar() {
        return (task, total, initial) -> wrap(base(task, total, initial, true)
                .setUpdateIntervalMillis(250)
                .build());
    }

    /** Plain lines (no {@code \r}, no colour) handed to {@code sink} every {@code interval} and when done. */
    static ProgressFactory lines(Consumer<String> sink, Duration interval) {
        return lines(sink, interval, 120);
    }

    /** Plain lines at most {@code width} characters wide (the extra text is kept; the bar and rate give way). */
    static ProgressFactory lines(Consumer<String> sink, Duration interval, int width) {
        return (task, total, initial) -> wrap(base(task, total, initial, false)
                .setUpdateIntervalMillis((int) Math.max(1, Math.min(Integer.MAX_VALUE, interval.toMillis())))
                .setConsumer(new DelegatingProgressBarConsumer(sink::accept, width))
                .build());
    }

    /** Shows nothing. */
    static ProgressFactory none() {
        return (task, total, initial) -> new Progress() {
            @Override
            public void step() {}

            @Override
            public void stepTo(long done) {}

            @Override
            public void extra(String text) {}

            @Override
            public void close() {}
        };
    }

    /** The terminal's width is given to the renderer by the library's console consumer (minus a margin). */
    private static ProgressBarBuilder base(String task, long total, long initial, boolean unicode) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setRenderer(new FittedRenderer(" steps", unicode))
                .startsFrom(initial, Duration.ZERO);
    }

    private static Progress wrap(ProgressBar bar) {
        return new Progress() {
            @Override
            public void step() {
                bar.step();
            }

            @Override
            public void stepTo(long done) {
                bar.stepTo(done);
            }

            @Override
            public void extra(String text) {
                bar.setExtraMessage(text == null || text.isEmpty() ? "" : " " + text); // the renderer adds no separator
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
