package dev.r1j.rollout.fleet;

import dev.r1j.core.io.AtomicDirectory;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.RemoteEpisodes;
import dev.r1j.rollout.RemoteSampler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A {@link Sampler} over a fleet of OpenAI-compatible inference servers that the trainer keeps on-policy by pushing
 * its weights ({@link #publish}) through the engines' own HTTP routes (see {@link RolloutOptions.WeightSync}).
 *
 * <p><b>Spreading.</b> Each prompt group is one request ({@code n = group_size}) with the seed
 * {@link RemoteSampler#promptSeed promptSeed(seed, index)}, so a group retried elsewhere is asked the same question.
 * A free slot goes to the eligible server with the fewest requests outstanding (at most {@code max_in_flight} each).
 * A server is eligible when it is in, not loading weights, and has loaded the current weight version.
 *
 * <p><b>Faults.</b> A request that fails (connection refused or reset, {@code timeout_s} passed, a 5xx, a malformed
 * answer, no per-token log-probs) goes back to the queue and is sent to another server; the server is taken out
 * after {@code max_failures} failures in a row. A request the server refuses (a 4xx other than 404/408/429) is not
 * the server's fault and fails the batch at once, naming the server and its answer. A probe every
 * {@code probe_every_s} brings back servers that are out (and retries a missed weight load): it checks
 * {@code /v1/models} and loads the current weights before the server is sampled from again. Each group's result is
 * written once, by the request that produced it; a late answer of a timed-out request is dropped, so a batch never
 * loses nor duplicates a completion. When no server can take work for {@code timeout_s}, {@link #sample} throws a
 * {@link FleetUnavailableException} naming every server's last error.
 *
 * <p><b>Weight versions.</b> Every completion carries {@link Completion#weightVersion()}: the version the server had
 * loaded when the request was sent. A load waits for that server's requests in flight (and sends it no new ones
 * meanwhile), so the tag is exact.
 *
 * <pre>{@code
 * try (FleetSampler fleet = FleetSampler.open(options, "qwen2.5-0.5b", runDir.resolve("weight-sync"), out)) {
 *     fleet.publish(policy, tokenizer, 0);                 // the servers now serve the trainer's weights
 *     List<CompletionGroup> groups = fleet.sample(prompts, params);
 *     ... update ...
 *     fleet.publish(policy, tokenizer, 1);
 * }
 * }</pre>
 */
public final class FleetSampler implements Sampler {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    private final RolloutOptions options;
    private final String model;
    private final Path syncDir;
    private final PrintWriter log;
    private final List<InferenceServer> servers;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ScheduledExecutorService prober;
    // guarded by lock
    private long current;
    private Path currentDir;
    private boolean closed;
    private long retries;
    private long syncs;

    private FleetSampler(RolloutOptions options, String model, Path syncDir, PrintWriter log) {
        this.options = options;
        this.model = model;
        this.syncDir = syncDir;
        this.log = log;
        this.timeout = Duration.ofMillis(Math.max(1, Math.round(options.timeoutS() * 1000)));
        this.servers = options.servers().stream().map(u -> new InferenceServer(baseUrl(u), model, timeout)).toList();
        this.current = options.weightSync() == RolloutOptions.WeightSync.NONE ? 0 : InferenceServer.UNKNOWN;
        if (options.weightSync() == RolloutOptions.WeightSync.NONE) servers.forEach(s -> s.version = 0);
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-prober");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks everything before any work: {@code syncDir} is writable (unless {@code weight_sync: none}), and every
     * server answers {@code GET /v1/models} (tried {@value #START_ATTEMPTS} times, a second apart) listing
     * {@code model}. With {@code weight_sync: none} the servers' weights are version 0 and sampling starts at once;
     * otherwise nothing is sampled until the first {@link #publish}.
     *
     * @param model the model id the servers must list (requests name it)
     * @param log where taking servers out, bringing them back and missed loads are reported, one line each
     * @throws IllegalArgumentException naming the directory, or the server with what was tried and what it answered
     */
    public static FleetSampler open(RolloutOptions options, String model, Path syncDir, PrintWriter log) {
        if (!options.remote()) throw new IllegalArgumentException("rollout.servers is empty: nothing to open");
        if (options.weightSync() != RolloutOptions.WeightSync.NONE) checkWritable(syncDir);
        FleetSampler fleet = new FleetSampler(options, model, syncDir, log);
        try {
            for (InferenceServer s : fleet.servers) fleet.checkAtStart(s);
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
        long every = Math.max(1, Math.round(options.probeEveryS() * 1000));
        fleet.prober.scheduleWithFixedDelay(fleet::probe, every, every, TimeUnit.MILLISECONDS);
        return fleet;
    }

    /** {@code http://host:port} of a server URL given with or without {@code /v1} and trailing slashes. */
    static String baseUrl(String url) {
        String base = url.trim().replaceAll("/+$", "");
        return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
    }

    private static void checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new IllegalArgumentException("rollout.sync_dir " + dir + " is not writable (" + e
                    + "); the trainer writes the policy there for the servers to load");
        }
    }

    private void checkAtStart(InferenceServer s) {
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

    private void checkModel(InferenceServer s, List<String> ids) {
        if (!ids.contains(model)) {
            throw new IllegalArgumentException("rollout server " + s.url + " serves " + ids + ", not '" + model
                    + "' (GET /v1/models); start it on the same model (recipe serve --name " + model
                    + ") or set rollout.model to the served name");
        }
    }

    /** The servers' base URLs, in the order given. */
    public List<String> servers() {
        return servers.stream().map(s -> s.url).toList();
    }

    /** The weight version the fleet samples with (that of the last {@link #publish}). */
    public long version() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    /** Counters since the fleet opened: servers in, requests retried elsewhere, weight pushes. */
    public record Stats(int serversIn, int serversCurrent, long retries, long syncs) {}

    public Stats stats() {
        lock.lock();
        try {
            int in = 0, cur = 0;
            for (InferenceServer s : servers) {
                if (!s.out) in++;
                if (!s.out && s.version == current) cur++;
            }
            return new Stats(in, cur, retries, syncs);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------- sampling

    /** One sample() call's groups. */
    private static final class Batch {
        final List<String> prompts;
        final SamplingParams params;
        final RemoteEpisodes episodes; // multi-turn, null: single-turn
        final CompletionGroup[] results;
        final ArrayDeque<Integer> pending = new ArrayDeque<>();
        final int[] attempts;
        int done;
        int inFlight;
        RuntimeException fatal;

        Batch(List<String> prompts, SamplingParams params, RemoteEpisodes episodes) {
            this.prompts = prompts;
            this.params = params;
            this.episodes = episodes;
            this.results = new CompletionGroup[prompts.size()];
            this.attempts = new int[prompts.size()];
            for (int i = 0; i < prompts.size(); i++) pending.add(i);
        }
    }

    /**
     * One group per prompt, in prompt order, each completion tagged with the weight version that produced it.
     * Thread-safe: batches sampled concurrently share the servers' slots.
     *
     * @throws FleetUnavailableException when no server could take work for {@code timeout_s}
     * @throws IllegalStateException when a server refuses a request (a 4xx), naming it and its answer
     */
    @Override
    public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
        return sample(prompts, params, null);
    }

    /**
     * A sampler over this fleet that runs multi-turn episodes with {@code tools} ({@link RemoteEpisodes}: each group
     * is a chain of requests to one server, all on the weights it held when the group was sent, and retried whole
     * elsewhere if one fails). {@code tokenizer} is the served model's; the caller keeps owning the runner. Closing
     * the returned sampler closes this fleet. {@code tools} null: this fleet itself.
     */
    public Sampler withTools(ToolRunner tools, Tokenizer tokenizer) {
        if (tools == null) return this;
        RemoteEpisodes episodes = RemoteEpisodes.of(tools, tokenizer);
        return new Sampler() {
            @Override
            public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
                return FleetSampler.this.sample(prompts, params, episodes);
            }

            @Override
            public void close() {
                FleetSampler.this.close();
            }
        };
    }

    private List<CompletionGroup> sample(List<String> prompts, SamplingParams params, RemoteEpisodes episodes) {
        Batch b = new Batch(List.copyOf(prompts), params, episodes);
        lock.lock();
        try {
            long stuckSince = -1;
            while (b.done < b.results.length) {
                if (b.fatal != null) throw b.fatal;
                if (closed) throw new IllegalStateException("the rollout fleet is closed");
                dispatch(b);
                if (b.done == b.results.length) break;
                if (b.inFlight == 0 && servers.stream().noneMatch(s -> s.loading)) {
                    long now = System.nanoTime();
                    if (stuckSince < 0) stuckSince = now;
                    else if (now - stuckSince > timeout.toNanos()) throw unavailable();
                } else {
                    stuckSince = -1;
                }
                changed.await(200, TimeUnit.MILLISECONDS);
            }
            if (b.fatal != null) throw b.fatal;
            return List.of(b.results);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sampling on the rollout fleet", e);
        } finally {
            lock.unlock();
        }
    }

    private boolean eligible(InferenceServer s) {
        return !s.out && !s.loading && s.version == current && s.outstanding < options.maxInFlight();
    }

    /** Sends pending groups to the least-loaded eligible servers while there are both. Holds the lock. */
    private void dispatch(Batch b) {
        while (!b.pending.isEmpty() && b.fatal == null) {
            InferenceServer s = servers.stream().filter(this::eligible)
                    .min(Comparator.<InferenceServer>comparingInt(x -> x.outstanding).thenComparingLong(x -> x.dispatched))
                    .orElse(null);
            if (s == null) return;
            int index = b.pending.poll();
            s.outstanding++;
            s.dispatched++;
            b.inFlight++;
            b.attempts[index]++;
            long version = s.version;
            String name = options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA && s.adapter != null
                    ? s.adapter : model;
            CompletableFuture<CompletionGroup> f;
            try {
                f = s.remote.sampleAsync(name, b.prompts.get(index), b.params,
                        RemoteSampler.promptSeed(b.params.seed(), index), b.episodes);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((g, e) -> finished(b, s, index, version, g, e));
        }
    }

    private void finished(Batch b, InferenceServer s, int index, long version, CompletionGroup g, Throwable error) {
        lock.lock();
        try {
            s.outstanding--;
            b.inFlight--;
            Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String problem = e == null ? missingLogprobs(g) : null;
            if (e == null && problem == null) {
                List<Completion> tagged = g.completions().stream().map(c -> c.withWeightVersion(version)).toList();
                b.results[index] = new CompletionGroup(g.prompt(), g.promptTokenIds(), tagged);
                b.done++;
                s.consecutiveFailures = 0;
            } else if (e instanceof RemoteSampler.ErrorStatusException r && refusal(r.status())) {
                b.fatal = new IllegalStateException("rollout server " + s.url + " refused prompt " + index + " of the "
                        + "batch: " + r.getMessage(), r);
            } else {
                failed(s, problem != null ? problem : String.valueOf(e.getMessage()));
                retries++;
                if (b.attempts[index] > options.maxFailures() * servers.size()) {
                    b.fatal = new FleetUnavailableException("prompt " + index + " of the batch failed "
                            + b.attempts[index] + " times on the rollout servers; last: " + s.url + ": " + s.lastError);
                } else {
                    b.pending.addFirst(index);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A 4xx that another server would answer the same way: the request's fault, not the server's. */
    private static boolean refusal(int status) {
        return status / 100 == 4 && status != 404 && status != 408 && status != 429;
    }

    private static String missingLogprobs(CompletionGroup g) {
        for (Completion c : g.completions()) {
            if (c.logprobs() == null) return "the answer has no per-token log-probs (logprobs.token_logprobs)";
        }
        return null;
    }

    /** Counts a failure of {@code s}; takes it out after max_failures in a row. Holds the lock. */
    private void failed(InferenceServer s, String message) {
        s.consecutiveFailures++;
        s.lastError = message;
        if (!s.out && s.consecutiveFailures >= options.maxFailures()) {
            s.out = true;
            s.version = InferenceServer.UNKNOWN; // it may come back restarted, on its start weights
            say("rollout server " + s.url + " taken out after " + s.consecutiveFailures + " failures in a row; last: "
                    + message + " (probed every " + options.probeEveryS() + " s)");
        }
    }

    private FleetUnavailableException unavailable() {
        StringBuilder sb = new StringBuilder("no rollout server could take work for " + options.timeoutS() + " s:");
        for (InferenceServer s : servers) {
            sb.append(' ').append(s.url).append(s.out ? " (out" : s.version != current ? " (missed weights of v" + current
                    : " (in").append(s.lastError != null ? ": " + s.lastError : "").append(");");
        }
        return new FleetUnavailableException(sb.toString());
    }

    // ---------------------------------------------------------------------------------------------- weights

    /** What one {@link #publish} cost and reached. */
    public record SyncReport(long version, double writeSeconds, double loadSeconds, int loaded, int servers) {}

    /**
     * Writes the policy to {@code sync_dir/step-NNNNNN} atomically (the whole checkpoint for {@code sglang}, the
     * adapters for {@code vllm_lora}) and has every server that is in load it, in parallel, each after its
     * requests in flight. A server that refuses is reported (with its answer) and not sampled from until a probe has
     * loaded the weights. Older version directories are deleted once no server needs them. With
     * {@code weight_sync: none} nothing happens.
     *
     * @throws FleetUnavailableException when no server loaded the weights (each server's answer named)
     */
    public SyncReport publish(CausalLM policy, Tokenizer tokenizer, long version) {
        if (options.weightSync() == RolloutOptions.WeightSync.NONE) return new SyncReport(0, 0, 0, 0, servers.size());
        if (version < 0) throw new IllegalArgumentException("weight version must be >= 0, got " + version);
        long t0 = System.nanoTime();
        Path dir = syncDir.resolve(String.format(Locale.ROOT, "step-%06d", version));
        write(policy, tokenizer, dir);
        long t1 = System.nanoTime();
        List<InferenceServer> targets = new ArrayList<>();
        lock.lock();
        try {
            current = version;
            currentDir = dir;
            syncs++;
            for (InferenceServer s : servers) {
                if (!s.out && !s.loading) {
                    s.loading = true;
                    targets.add(s);
                }
            }
        } finally {
            lock.unlock();
        }
        List<CompletableFuture<String>> loads = targets.stream()
                .map(s -> CompletableFuture.supplyAsync(() -> loadNow(s, dir, version))).toList();
        List<String> refusals = new ArrayList<>();
        for (CompletableFuture<String> l : loads) {
            String r = l.join();
            if (r != null) refusals.add(r);
        }
        int loaded = targets.size() - refusals.size();
        if (loaded == 0) {
            throw new FleetUnavailableException("no rollout server loaded the weights of step " + version
                    + (refusals.isEmpty() ? " (every server is out)" : ": " + String.join("; ", refusals)));
        }
        deleteOlder(dir);
        return new SyncReport(version, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, loaded, servers.size());
    }

    private void write(CausalLM policy, Tokenizer tokenizer, Path dir) {
        if (options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA) {
            if (!(policy instanceof Transformer t) || t.adapters() == null) {
                throw new IllegalArgumentException("rollout.weight_sync: vllm_lora pushes LoRA adapters, but the "
                        + "policy has none (vLLM's HTTP API reloads adapters only; use sglang for full weights)");
            }
            AtomicDirectory.write(dir, tmp -> t.adapters().save(tmp, model));
        } else {
            Checkpoint.save(dir, policy, tokenizer);
        }
    }

    /**
     * Loads {@code dir} into {@code s}, which the caller marked loading: waits for its requests in flight first.
     * Returns null on success, else the refusal (also reported).
     */
    private String loadNow(InferenceServer s, Path dir, long version) {
        lock.lock();
        try {
            while (s.outstanding > 0) changed.await(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        String adapter = model + "-r1j-step-" + version;
        String refusal = null;
        try {
            s.load(options.weightSync(), dir, version, adapter, timeout);
        } catch (InferenceServer.WeightLoadException e) {
            refusal = "rollout server " + s.url + " did not load the weights of step " + version + ": " + e.getMessage();
        }
        lock.lock();
        try {
            s.loading = false;
            if (refusal == null) {
                s.version = version;
                if (options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA) s.adapter = adapter;
                s.consecutiveFailures = 0;
            } else {
                s.lastError = refusal;
                say(refusal + " (not sampled from until it has)");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return refusal;
    }

    private void deleteOlder(Path keep) {
        try (Stream<Path> dirs = Files.list(syncDir)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("step-\\d+") && !p.equals(keep)).toList()) {
                deleteTree(d);
            }
        } catch (IOException e) {
            say("could not tidy " + syncDir + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> all = Files.walk(d)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------------------------------------- probing

    /** Brings back servers that are out, and retries missed weight loads: model list first, then the weights. */
    private void probe() {
        List<InferenceServer> todo = new ArrayList<>();
        lock.lock();
        try {
            if (closed) return;
            for (InferenceServer s : servers) {
                boolean stale = options.weightSync() != RolloutOptions.WeightSync.NONE && currentDir != null
                        && s.version != current;
                if (!s.loading && (s.out || stale)) todo.add(s);
            }
        } finally {
            lock.unlock();
        }
        for (InferenceServer s : todo) {
            try {
                checkModel(s, s.models(PROBE_TIMEOUT));
            } catch (IOException | IllegalArgumentException e) {
                lock.lock();
                try {
                    s.lastError = e.getMessage();
                } finally {
                    lock.unlock();
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Path dir;
            long version;
            lock.lock();
            try {
                if (s.loading) continue;
                dir = currentDir;
                version = current;
                if (dir != null) s.loading = true;
            } finally {
                lock.unlock();
            }
            boolean ok = dir == null || loadNow(s, dir, version) == null;
            lock.lock();
            try {
                if (ok && s.out) {
                    s.out = false;
                    s.consecutiveFailures = 0;
                    if (dir == null) s.version = current;
                    say("rollout server " + s.url + " is back" + (dir != null ? " with the weights of step " + version : ""));
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void say(String line) {
        synchronized (log) {
            log.println(line);
            log.flush();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops probing; requests in flight finish on their own (their results are dropped). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        prober.shutdownNow();
    }
}
