package dev.r1j.recipes.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run_state.json}: which stages of a run have finished and the model each left, so {@code --resume} skips
 * them; plus the results recorded so far ({@code results.json}), so the final table covers the whole run.
 */
final class RunState {
    record Done(int index, String id, String outputModel) {}

    private final Path runDir;
    private final Map<Integer, Done> done = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> results = new LinkedHashMap<>();

    private RunState(Path runDir) {
        this.runDir = runDir;
    }

    static RunState fresh(Path runDir) {
        return new RunState(runDir);
    }

    static RunState read(Path runDir) {
        RunState s = new RunState(runDir);
        Path state = runDir.resolve("run_state.json");
        if (Files.exists(state)) {
            for (JsonNode n : Json.read(state).path("completed")) {
                s.done.put(n.path("index").asInt(), new Done(n.path("index").asInt(), n.path("stage").asText(),
                        n.path("output_model").isNull() ? null : n.path("output_model").asText()));
            }
        }
        Path res = runDir.resolve("results.json");
        if (Files.exists(res)) {
            Json.read(res).fields().forEachRemaining(e -> {
                Map<String, Double> m = new LinkedHashMap<>();
                e.getValue().fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asDouble()));
                s.results.put(e.getKey(), m);
            });
        }
        return s;
    }

    /** The finished stage at {@code index}, if it is the same stage ({@code id}) as now. */
    Optional<Done> finished(int index, String id) {
        Done d = done.get(index);
        return d != null && d.id().equals(id) ? Optional.of(d) : Optional.empty();
    }

    void finish(int index, String id, Path outputModel) {
        done.put(index, new Done(index, id, outputModel == null ? null : outputModel.toString()));
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode arr = root.putArray("completed");
        for (Done d : done.values()) {
            ObjectNode n = arr.addObject();
            n.put("index", d.index());
            n.put("stage", d.id());
            n.put("output_model", d.outputModel());
        }
        Json.writeAtomically(runDir.resolve("run_state.json"), root);
    }

    synchronized void recordResult(String label, Map<String, Double> metrics) {
        results.put(label, new LinkedHashMap<>(metrics));
        Json.writeAtomically(runDir.resolve("results.json"), results);
    }

    synchronized Map<String, Map<String, Double>> results() {
        return new LinkedHashMap<>(results);
    }
}
