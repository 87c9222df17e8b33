package dev.r1j.recipes.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    static void writeRun(Path run) {
        Path f = run.resolve("metrics.jsonl");
        try (MetricsLog a = MetricsLog.open(f, "pretrain", 0)) {
            for (int s = 1; s <= 2000; s += 10) {
                a.log(s, Map.of("loss", 3.0 / Math.sqrt(s)));
            }
        }
        try (MetricsLog b = MetricsLog.open(f, "grpo", 2)) {
            for (int s = 1; s <= 40; s++) {
                b.log(s, Map.of("reward_mean", Math.min(1, s / 30.0) * (s % 2 == 0 ? 0.8 : 1.0), "accuracy", s / 50.0,
                        "kl", 0.001 * s, "loss", 1.0 / s));
            }
        }
    }

    static void writeEval(Path run, String dir, String label, double accuracy) throws Exception {
        Files.createDirectories(run.resolve("stages").resolve(dir));
        Files.writeString(run.resolve("stages").resolve(dir).resolve("eval.json"), "{\"label\": \"" + label
                + "\", \"accuracy\": " + accuracy + ", \"reward_mean\": " + accuracy + ", \"completions\": []}");
    }

    /** One page per stage, each stage on its own step axis; a grid of its metrics; charts with real content. */
    @Test
    void drawsOnePageOfChartsPerStage(@TempDir Path run) throws Exception {
        writeRun(run);
        List<Path> pages = Plots.draw(run.resolve("metrics.jsonl"), run.resolve("plots"));
        assertEquals(List.of("00-pretrain.png", "02-grpo.png"), pages.stream().map(p -> p.getFileName().toString()).toList());
        BufferedImage pretrain = ImageIO.read(pages.get(0).toFile());
        assertEquals(Plots.CHART_WIDTH, pretrain.getWidth(), "one chart: the loss");
        assertEquals(Plots.CHART_HEIGHT, pretrain.getHeight());
        BufferedImage grpo = ImageIO.read(pages.get(1).toFile());
        assertNotNull(grpo);
        assertEquals(2 * Plots.CHART_WIDTH, grpo.getWidth(), "four charts in two columns");
        assertEquals(2 * Plots.CHART_HEIGHT, grpo.getHeight());
        for (BufferedImage img : List.of(pretrain, grpo)) {
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < img.getHeight(); y += 2) {
                for (int x = 0; x < img.getWidth(); x += 2) {
                    colours.add(img.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 20, "a chart with axes, labels and lines has many colours: " + colours.size());
        }
        assertTrue(count(grpo, 20, 70, 160) > 200, "the smoothed line is drawn");
        assertEquals(0, count(grpo, 215, 80, 20), "no evaluation, no evaluation points");
    }

    /** The held-out evaluations before and after a stage appear on its reward and accuracy charts. */
    @Test
    void evaluationsAroundAStageArePlottedOnIt(@TempDir Path run) throws Exception {
        writeRun(run);
        writeEval(run, "01-eval", "base", 0.2);
        writeEval(run, "03-eval", "after grpo", 0.7);
        List<Path> pages = Plots.draw(run.resolve("metrics.jsonl"), run.resolve("plots"));
        BufferedImage grpo = ImageIO.read(pages.get(1).toFile());
        assertTrue(count(grpo, 215, 80, 20) > 50, "evaluation markers and line in their colour");
        BufferedImage pretrain = ImageIO.read(pages.get(0).toFile());
        assertEquals(0, count(pretrain, 215, 80, 20), "the loss chart has no evaluation figure to show");
        List<EvalPoint> evals = EvalPoint.read(run);
        assertEquals(List.of(1, 3), evals.stream().map(EvalPoint::stageIndex).toList());
        assertEquals(0.7, evals.get(1).values().get("accuracy"));
    }

    /** A mixture of experts' per-layer expert load (pretrain) and routing mismatch (GRPO) get charts of their own. */
    @Test
    void expertLoadAndRoutingMismatchArePlottedWhenLogged(@TempDir Path run) throws Exception {
        Path f = run.resolve("metrics.jsonl");
        try (MetricsLog a = MetricsLog.open(f, "pretrain", 0)) {
            for (int s = 1; s <= 30; s++) {
                a.log(s, Map.of("loss", 3.0 / s, "moe/layer1/load_max_over_mean", 1 + 2.0 / s,
                        "moe/layer1/load_entropy", 2.0 - 1.0 / s, "moe/seq_aux_loss", 1.0));
            }
        }
        try (MetricsLog b = MetricsLog.open(f, "grpo", 1)) {
            for (int s = 1; s <= 10; s++) b.log(s, Map.of("loss", 1.0 / s, "routing/mismatch_frac", 0.01 * s));
        }
        assertEquals(List.of("reward_mean", "accuracy", "completion_len_mean", "kl", "loss",
                "moe/layer1/load_max_over_mean", "moe/layer1/load_entropy", "routing/mismatch_frac"),
                Plots.withExpertMetrics(MetricsLog.read(f)));
        List<Path> pages = Plots.draw(f, run.resolve("plots"));
        BufferedImage pretrain = ImageIO.read(pages.get(0).toFile());
        assertEquals(2 * Plots.CHART_WIDTH, pretrain.getWidth(), "loss and two load charts: two columns");
        assertEquals(2 * Plots.CHART_HEIGHT, pretrain.getHeight());
        BufferedImage grpo = ImageIO.read(pages.get(1).toFile());
        assertEquals(2 * Plots.CHART_WIDTH, grpo.getWidth(), "loss and the routing mismatch");
        assertEquals(Plots.CHART_HEIGHT, grpo.getHeight());
    }

    @Test
    void smoothingIsTheDebiasedMovingAverage() {
        // hand-worked: s = 0.4, 0.24, 0.544, 0.3264 over 1 - 0.6^t = 0.4, 0.64, 0.784, 0.8704
        assertArrayEquals(new double[] {1.0, 0.375, 0.544 / 0.784, 0.375}, Smoothing.ema(new double[] {1, 0, 1, 0}, 0.6), 1e-12);
        assertArrayEquals(new double[] {3, 5}, Smoothing.ema(new double[] {3, 5}, 0), 0);
        assertEquals(0, Smoothing.weightFor(3));
        assertEquals(Smoothing.DEFAULT_WEIGHT, Smoothing.weightFor(100));
    }

    @Test
    void metricsHaveTitlesAndUnits() {
        assertEquals("Mean completion length", MetricInfo.of("completion_len_mean").title());
        assertEquals("tokens", MetricInfo.of("completion_len_mean").axisTitle());
        assertEquals("Reward format mean", MetricInfo.of("reward/format_mean").title());
    }

    @Test
    void emptyOrMissingMetricsDrawNothing(@TempDir Path dir) {
        assertTrue(Plots.draw(dir.resolve("none.jsonl"), dir.resolve("plots")).isEmpty());
        assertFalse(Files.exists(dir.resolve("plots")));
    }

    /** Pixels of exactly this colour. */
    static int count(BufferedImage img, int r, int g, int b) {
        int want = (r << 16) | (g << 8) | b;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == want) n++;
            }
        }
        return n;
    }
}
