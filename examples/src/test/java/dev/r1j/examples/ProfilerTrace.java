package dev.r1j.examples;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@code body} under PyTorch's profiler (its legacy trace: an array of complete events), read back as
 * events. Shared by {@link DecodeStepBenchmark} (top-level ops of a decode step) and {@link UpdateProfileBenchmark}
 * (self time by op over forward and backward).
 *
 * <pre>{@code
 * ProfilerTrace t = ProfilerTrace.of(() -> model.forward(ids, mask, cache));
 * for (ProfilerTrace.Event e : t.events()) ...
 * }</pre>
 *
 * @param events the complete events (those with a duration), in the trace's order
 * @param wallMs the body's wall time with the profiler on
 */
record ProfilerTrace(List<Event> events, double wallMs) {
    /** One op: its name, thread, start and duration in microseconds. */
    record Event(String name, String thread, double startUs, double durationUs) {}

    static ProfilerTrace of(Runnable body) {
        try {
            Path trace = Files.createTempFile("profile", ".json");
            JniUtils.startProfile(false, false, false);
            long t0 = System.nanoTime();
            body.run();
            double wallMs = (System.nanoTime() - t0) / 1e6;
            JniUtils.stopProfile(trace.toString());
            JsonNode root = new ObjectMapper().readTree(trace.toFile());
            Files.delete(trace);
            List<Event> events = new ArrayList<>();
            for (JsonNode e : root.isArray() ? root : root.get("traceEvents")) {
                if (!e.has("dur")) continue;
                events.add(new Event(e.get("name").asText(), e.path("tid").asText(), e.get("ts").asDouble(),
                        e.get("dur").asDouble()));
            }
            return new ProfilerTrace(events, wallMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
