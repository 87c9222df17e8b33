package dev.r1j.recipes.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * Renders a progress line that fits the width it is given without losing the extra text (the metrics a user
 * watches): {@code task pct [bar] done/total (elapsed / eta) rate unit/s extra}. When the line is too wide the bar
 * goes first, then the rate, then the times; the library's own renderer instead cuts the end of the line, so at 80
 * columns {@code "reward 0.81 acc 0.75"} came out as {@code "reward 0.81 acc 0"}. Only when the extra text alone is
 * wider than the line is it cut, with an ellipsis.
 */
final class FittedRenderer implements ProgressBarRenderer {
    private final String unit;
    private final boolean unicode;

    /**
     * @param unit the step unit after the rate, e.g. {@code " steps"}
     * @param unicode a block-character bar ({@code │███  │}) rather than ASCII ({@code [===>  ]})
     */
    FittedRenderer(String unit, boolean unicode) {
        this.unit = unit;
        this.unicode = unicode;
    }

    @Override
    public String render(ProgressState s, int maxLength) {
        long max = Math.max(s.getMax(), 0);
        long current = s.getCurrent();
        double fraction = max > 0 ? Math.min(1.0, (double) current / max) : 0.0;
        String head = s.getTaskName() + " " + String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
        String counts = current + "/" + max;
        Duration elapsed = s.getTotalElapsed();
        Duration sinceStart = s.getElapsedAfterStart();
        long doneHere = current - s.getStart();
        String times = "(" + clock(elapsed) + " / " + (doneHere > 0 && max >= current
                ? clock(sinceStart.multipliedBy(max - current).dividedBy(doneHere)) : "?") + ")";
        double seconds = sinceStart.toMillis() / 1000.0;
        String rate = (doneHere > 0 && seconds >= 1 ? String.format(Locale.ROOT, "%.2f", doneHere / seconds) : "?")
                + unit + "/s";
        String extra = s.getExtraMessage() == null ? "" : s.getExtraMessage().strip();

        // drop the least useful parts until the line fits: bar, then rate, then times
        for (int level = 0; level < 4; level++) {
            List<String> parts = new ArrayList<>();
            parts.add(head);
            int barSlot = parts.size();
            parts.add(counts);
            if (level < 3) {
                parts.add(times);
            }
            if (level < 2) {
                parts.add(rate);
            }
            if (!extra.isEmpty()) {
                parts.add(extra);
            }
            String line = String.join(" ", parts);
            if (level == 0) {
                int barWidth = Math.min(30, maxLength - line.length() - 3); // brackets and a space
                if (barWidth >= 5) {
                    parts.add(barSlot, bar(fraction, barWidth));
                    return String.join(" ", parts);
                }
                continue;
            }
            if (line.length() <= maxLength || level == 3) {
                return line.length() <= maxLength ? line : line.substring(0, Math.max(0, maxLength - 1)) + "…";
            }
        }
        throw new AssertionError("unreachable");
    }

    private String bar(double fraction, int width) {
        int full = (int) Math.floor(fraction * width);
        StringBuilder b = new StringBuilder(width + 2).append(unicode ? '│' : '[');
        for (int i = 0; i < width; i++) {
            b.append(i < full ? (unicode ? '█' : '=') : i == full && !unicode && full > 0 ? '>' : ' ');
        }
        return b.append(unicode ? '│' : ']').toString();
    }

    private static String clock(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
