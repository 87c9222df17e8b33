package dev.r1j.rollout.fleet;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.RemoteEpisodes;
import dev.r1j.rollout.RemoteSampler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    private final FleetState state;
    private final FleetWeights weights;
    private final FleetHealth health;
    private final FleetRouting routing;
    private final ScheduledExecutorService prober;

    private FleetSampler(RolloutOptions options, String model, Path syncDir, PrintWriter log) {
        this.state = new FleetState(options, model, syncDir, log);
        this.weights = new FleetWeights(state);
        this.health = new FleetHealth(state, weights);
        this.routing = new FleetRouting(state, health);
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-prober");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks everything before any work: {@code syncDir} is writable (unless {@code weight_sync: none}), and every
     * server answers {@code GET /v1/models} (tried {@value FleetHealth#START_ATTEMPTS} times, a second apart) listing
     * {@code model}. With {@code weight_sync: none} the servers' weights are version 0 and sampling starts at once;
     * otherwise nothing is sampled until the first {@link #publish}.
     *
     * @param model the model id the servers must list (requests name it)
     * @param log where taking servers out, bringing them back and missed loads are reported, one line each
     * @throws IllegalArgumentException naming the directory, or the server with what was tried and what it answered
     */
    public static FleetSampler open(RolloutOptions options, String model, Path syncDir, PrintWriter log) {
        if (!options.remote()) throw new IllegalArgumentException("rollout.servers is empty: nothing to open");
        if (options.weightSync() != RolloutOptions.WeightSync.NONE) FleetHealth.checkWritable(syncDir);
        FleetSampler fleet = new FleetSampler(options, model, syncDir, log);
        try {
            for (InferenceServer s : fleet.state.servers) fleet.health.checkAtStart(s);
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
        long every = Math.max(1, Math.round(options.probeEveryS() * 1000));
        fleet.prober.scheduleWithFixedDelay(fleet.health::probe, every, every, TimeUnit.MILLISECONDS);
        return fleet;
    }

    /** {@code http://host:port} of a server URL given with or without {@code /v1} and trailing slashes. */
    static String baseUrl(String url) {
        String base = url.trim().replaceAll("/+$", "");
        return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
    }

    /** The servers' base URLs, in the order given. */
    public List<String> servers() {
        return state.servers.stream().map(s -> s.url).toList();
    }

    /** The weight version the fleet samples with (that of the last {@link #publish}). */
    public long version() {
        state.lock.lock();
        try {
            return state.current;
        } finally {
            state.lock.unlock();
        }
    }

    /** Counters since the fleet opened: servers in, requests retried elsewhere, weight pushes. */
    public record Stats(int serversIn, int serversCurrent, long retries, long syncs) {}

    public Stats stats() {
        state.lock.lock();
        try {
            int in = 0, cur = 0;
            for (InferenceServer s : state.servers) {
                if (!s.out) in++;
                if (!s.out && s.version == state.current) cur++;
            }
            return new Stats(in, cur, state.retries, state.syncs);
        } finally {
            state.lock.unlock();
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
        return routing.sample(prompts, params, null);
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
                return routing.sample(prompts, params, episodes);
            }

            @Override
            public void close() {
                FleetSampler.this.close();
            }
        };
    }

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
        return weights.publish(policy, tokenizer, version);
    }

    /** Stops probing; requests in flight finish on their own (their results are dropped). */
    @Override
    public void close() {
        state.lock.lock();
        try {
            state.closed = true;
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
        prober.shutdownNow();
    }
}
