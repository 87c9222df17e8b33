package dev.r1j.rollout.fleet;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the parts of a {@link FleetSampler} share: the options, the servers and their book-keeping, the weight version
 * the fleet samples with, one lock over all of it (and the condition signalled on every change), and the log.
 * {@link FleetRouting} spreads requests, {@link FleetWeights} pushes weights, {@link FleetHealth} takes servers out
 * and brings them back; each holds {@link #lock} while it reads or changes the fields marked guarded, here and in
 * {@link InferenceServer}, and makes its HTTP calls without it.
 */
final class FleetState {
    final RolloutOptions options;
    final String model;
    final Path syncDir;
    final List<InferenceServer> servers;
    final Duration timeout;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    private final PrintWriter log;
    // guarded by lock
    long current;
    Path currentDir;
    boolean closed;
    long retries;
    long syncs;

    FleetState(RolloutOptions options, String model, Path syncDir, PrintWriter log) {
        this.options = options;
        this.model = model;
        this.syncDir = syncDir;
        this.log = log;
        this.timeout = Duration.ofMillis(Math.max(1, Math.round(options.timeoutS() * 1000)));
        this.servers = options.servers().stream()
                .map(u -> new InferenceServer(FleetSampler.baseUrl(u), model, timeout)).toList();
        this.current = options.weightSync() == RolloutOptions.WeightSync.NONE ? 0 : InferenceServer.UNKNOWN;
        if (options.weightSync() == RolloutOptions.WeightSync.NONE) servers.forEach(s -> s.version = 0);
    }

    /** One line to the fleet's log (servers taken out, back, missed loads). */
    void say(String line) {
        synchronized (log) {
            log.println(line);
            log.flush();
        }
    }
}
