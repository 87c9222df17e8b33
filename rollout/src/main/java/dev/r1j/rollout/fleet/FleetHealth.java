package dev.r1j.rollout.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The health side of a {@link FleetSampler}: the checks before any work ({@code sync_dir} writable, every server
 * reachable and listing the model), counting a server's failures and taking it out after {@code max_failures} in a
 * row, and the probe that brings servers back (model list first, then the current weights, through
 * {@link FleetWeights#loadNow}) and retries missed weight loads.
 */
final class FleetHealth {
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final int START_ATTEMPTS = 3;

    private final FleetState fleet;
    private final FleetWeights weights;

    FleetHealth(FleetState fleet, FleetWeights weights) {
        this.fleet = fleet;
        this.weights = weights;
    }

    static void checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new IllegalArgumentException("rollout.sync_dir " + dir + " is not writable (" + e
                    + "); the trainer writes the policy there for the servers to load");
        }
    }

    void checkAtStart(InferenceServer s) {
        String last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                checkModel(s, s.models(PROBE_TIMEOUT));
                return;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while contacting " + s.url);
            }
            if (attempt < START_ATTEMPTS) sleep(1000);
        }
        throw new IllegalArgumentException("rollout server " + s.url + " is unreachable: GET " + s.url
                + "/v1/models failed " + START_ATTEMPTS + " times, a second apart; last: " + last
                + " (is it started, e.g. `recipe serve --model DIR --port PORT`?)");
    }

    void checkModel(InferenceServer s, List<String> ids) {
        if (!ids.contains(fleet.model)) {
            throw new IllegalArgumentException("rollout server " + s.url + " serves " + ids + ", not '" + fleet.model
                    + "' (GET /v1/models); start it on the same model (recipe serve --name " + fleet.model
                    + ") or set rollout.model to the served name");
        }
    }

    /** Counts a failure of {@code s}; takes it out after max_failures in a row. Holds the lock. */
    void failed(InferenceServer s, String message) {
        s.consecutiveFailures++;
        s.lastError = message;
        if (!s.out && s.consecutiveFailures >= fleet.options.maxFailures()) {
            s.out = true;
            s.version = InferenceServer.UNKNOWN; // it may come back restarted, on its start weights
            fleet.say("rollout server " + s.url + " taken out after " + s.consecutiveFailures + " failures in a row; last: "
                    + message + " (probed every " + fleet.options.probeEveryS() + " s)");
        }
    }

    /** Brings back servers that are out, and retries missed weight loads: model list first, then the weights. */
    void probe() {
        List<InferenceServer> todo = new ArrayList<>();
        fleet.lock.lock();
        try {
            if (fleet.closed) return;
            for (InferenceServer s : fleet.servers) {
                boolean stale = fleet.options.weightSync() != RolloutOptions.WeightSync.NONE && fleet.currentDir != null
                        && s.version != fleet.current;
                if (!s.loading && (s.out || stale)) todo.add(s);
            }
        } finally {
            fleet.lock.unlock();
        }
        for (InferenceServer s : todo) {
            try {
                checkModel(s, s.models(PROBE_TIMEOUT));
            } catch (IOException | IllegalArgumentException e) {
                fleet.lock.lock();
                try {
                    s.lastError = e.getMessage();
                } finally {
                    fleet.lock.unlock();
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Path dir;
            long version;
            fleet.lock.lock();
            try {
                if (s.loading) continue;
                dir = fleet.currentDir;
                version = fleet.current;
                if (dir != null) s.loading = true;
            } finally {
                fleet.lock.unlock();
            }
            boolean ok = dir == null || weights.loadNow(s, dir, version) == null;
            fleet.lock.lock();
            try {
                if (ok && s.out) {
                    s.out = false;
                    s.consecutiveFailures = 0;
                    if (dir == null) s.version = fleet.current;
                    fleet.say("rollout server " + s.url + " is back"
                            + (dir != null ? " with the weights of step " + version : ""));
                }
                fleet.changed.signalAll();
            } finally {
                fleet.lock.unlock();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
