package dev.r1j.rollout.fleet;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.rollout.RemoteEpisodes;
import dev.r1j.rollout.RemoteSampler;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The routing side of a {@link FleetSampler}: a batch's groups go to the eligible server with the fewest requests
 * outstanding; a failed request goes back to the queue (and counts against its server, {@link FleetHealth#failed}),
 * a refused one fails the batch; each group's result is written once, by the request that produced it, tagged with
 * the weight version its server held.
 */
final class FleetRouting {
    private final FleetState fleet;
    private final FleetHealth health;

    FleetRouting(FleetState fleet, FleetHealth health) {
        this.fleet = fleet;
        this.health = health;
    }

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

    List<CompletionGroup> sample(List<String> prompts, SamplingParams params, RemoteEpisodes episodes) {
        Batch b = new Batch(List.copyOf(prompts), params, episodes);
        fleet.lock.lock();
        try {
            long stuckSince = -1;
            while (b.done < b.results.length) {
                if (b.fatal != null) throw b.fatal;
                if (fleet.closed) throw new IllegalStateException("the rollout fleet is closed");
                dispatch(b);
                if (b.done == b.results.length) break;
                if (b.inFlight == 0 && fleet.servers.stream().noneMatch(s -> s.loading)) {
                    long now = System.nanoTime();
                    if (stuckSince < 0) stuckSince = now;
                    else if (now - stuckSince > fleet.timeout.toNanos()) throw unavailable();
                } else {
                    stuckSince = -1;
                }
                fleet.changed.await(200, TimeUnit.MILLISECONDS);
            }
            if (b.fatal != null) throw b.fatal;
            return List.of(b.results);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sampling on the rollout fleet", e);
        } finally {
            fleet.lock.unlock();
        }
    }

    private boolean eligible(InferenceServer s) {
        return !s.out && !s.loading && s.version == fleet.current && s.outstanding < fleet.options.maxInFlight();
    }

    /** Sends pending groups to the least-loaded eligible servers while there are both. Holds the lock. */
    private void dispatch(Batch b) {
        while (!b.pending.isEmpty() && b.fatal == null) {
            InferenceServer s = fleet.servers.stream().filter(this::eligible)
                    .min(Comparator.<InferenceServer>comparingInt(x -> x.outstanding).thenComparingLong(x -> x.dispatched))
                    .orElse(null);
            if (s == null) return;
            int index = b.pending.poll();
            s.outstanding++;
            s.dispatched++;
            b.inFlight++;
            b.attempts[index]++;
            long version = s.version;
            String name = fleet.options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA && s.adapter != null
                    ? s.adapter : fleet.model;
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
        fleet.lock.lock();
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
                health.failed(s, problem != null ? problem : String.valueOf(e.getMessage()));
                fleet.retries++;
                if (b.attempts[index] > fleet.options.maxFailures() * fleet.servers.size()) {
                    b.fatal = new FleetUnavailableException("prompt " + index + " of the batch failed "
                            + b.attempts[index] + " times on the rollout servers; last: " + s.url + ": " + s.lastError);
                } else {
                    b.pending.addFirst(index);
                }
            }
            fleet.changed.signalAll();
        } finally {
            fleet.lock.unlock();
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

    private FleetUnavailableException unavailable() {
        StringBuilder sb = new StringBuilder("no rollout server could take work for " + fleet.options.timeoutS() + " s:");
        for (InferenceServer s : fleet.servers) {
            sb.append(' ').append(s.url).append(s.out ? " (out"
                    : s.version != fleet.current ? " (missed weights of v" + fleet.current
                    : " (in").append(s.lastError != null ? ": " + s.lastError : "").append(");");
        }
        return new FleetUnavailableException(sb.toString());
    }
}
