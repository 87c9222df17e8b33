package dev.r1j.recipes.report;

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
    @Test
    void drawsOnePngPerPresentMetric(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog a = MetricsLog.open(f, "grpo", 0)) {
            for (int s = 1; s <= 40; s++) {
                a.log(s, Map.of("reward_mean", Math.min(1, s / 30.0), "kl", 0.001 * s, "loss", 1.0 / s));
            }
        }
        try (MetricsLog b = MetricsLog.open(f, "sft", 1)) {
            for (int s = 1; s <= 10; s++) {
                b.log(s, Map.of("loss", 2.0 / s, "accuracy", 0.1 * s));
            }
        }
        List<Path> pngs = Plots.draw(f, dir.resolve("plots"));
        assertEquals(List.of("reward_mean.png", "accuracy.png", "kl.png", "loss.png"),
                pngs.stream().map(p -> p.getFileName().toString()).toList());
        assertFalse(Files.exists(dir.resolve("plots/completion_len_mean.png")));
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertNotNull(img, p + " is a readable PNG");
            assertEquals(800, img.getWidth());
            assertEquals(500, img.getHeight());
            // A chart with axes, labels and lines has many colours; a blank or failed render has one or two.
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < img.getHeight(); y += 2) {
                for (int x = 0; x < img.getWidth(); x += 2) {
                    colours.add(img.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 20, p + " has " + colours.size() + " colours");
            assertTrue(Files.size(p) > 5_000, p + " is " + Files.size(p) + " bytes");
        }
        // The loss chart holds two series (two stages); the reward chart one. Different data, different pictures.
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(pngs.get(0)), Files.readAllBytes(pngs.get(3))));
    }

    @Test
    void emptyOrMissingMetricsDrawNothing(@TempDir Path dir) {
        assertTrue(Plots.draw(dir.resolve("none.jsonl"), dir.resolve("plots")).isEmpty());
        assertFalse(Files.exists(dir.resolve("plots")));
    }
}
