package dev.r1j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DjlTest {
    /** PyTorch's grad mode of this thread: [before, inside withoutGradients, after]. */
    static List<Boolean> modes() {
        List<Boolean> out = new ArrayList<>();
        out.add(JniUtils.isGradMode());
        out.add(Djl.withoutGradients(JniUtils::isGradMode));
        out.add(JniUtils.isGradMode());
        return out;
    }

    @Test
    void withoutGradientsStopsRecordingOnAnyThreadAndRestoresTheMode() throws Exception {
        Djl.engine();
        // the engine's own thread has recording off, and keeps it off
        assertEquals(List.of(false, false, false), modes(), "engine thread");
        List<List<Boolean>> seen = new ArrayList<>();
        Thread other = new Thread(() -> seen.add(modes())); // PyTorch starts a new thread with recording on
        other.start();
        other.join();
        assertEquals(List.of(true, false, true), seen.get(0), "fresh thread");
        try (GradientCollector gc = Djl.engine().newGradientCollector()) {
            assertEquals(List.of(true, false, true), modes(), "inside a GradientCollector");
        }
        assertEquals(List.of(false, false, false), modes(), "after the collector");
    }
}
