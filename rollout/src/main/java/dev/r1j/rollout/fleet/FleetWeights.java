package dev.r1j.rollout.fleet;

import dev.r1j.core.io.AtomicDirectory;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The weight side of a {@link FleetSampler}: writes the policy to {@code sync_dir} and has the servers load it (each
 * after its requests in flight, none sent to it meanwhile), records the version each server holds, and deletes
 * versions no server needs any more.
 */
final class FleetWeights {
    private final FleetState fleet;

    FleetWeights(FleetState fleet) {
        this.fleet = fleet;
    }

    /**
     * Writes the policy to {@code sync_dir/step-NNNNNN} atomically (the whole checkpoint for {@code sglang}, the
     * adapters for {@code vllm_lora}) and has every server that is in load it, in parallel, each after its
     * requests in flight. A server that refuses is reported (with its answer) and not sampled from until a probe has
     * loaded the weights. Older version directories are deleted once no server needs them. With
     * {@code weight_sync: none} nothing happens.
     *
     * @throws FleetUnavailableException when no server loaded the weights (each server's answer named)
     */
    FleetSampler.SyncReport publish(CausalLM policy, Tokenizer tokenizer, long version) {
        if (fleet.options.weightSync() == RolloutOptions.WeightSync.NONE) {
            return new FleetSampler.SyncReport(0, 0, 0, 0, fleet.servers.size());
        }
        if (version < 0) throw new IllegalArgumentException("weight version must be >= 0, got " + version);
        long t0 = System.nanoTime();
        Path dir = fleet.syncDir.resolve(String.format(Locale.ROOT, "step-%06d", version));
        write(policy, tokenizer, dir);
        long t1 = System.nanoTime();
        List<InferenceServer> targets = new ArrayList<>();
        fleet.lock.lock();
        try {
            fleet.current = version;
            fleet.currentDir = dir;
            fleet.syncs++;
            for (InferenceServer s : fleet.servers) {
                if (!s.out && !s.loading) {
                    s.loading = true;
                    targets.add(s);
                }
            }
        } finally {
            fleet.lock.unlock();
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
        return new FleetSampler.SyncReport(version, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, loaded,
                fleet.servers.size());
    }

    private void write(CausalLM policy, Tokenizer tokenizer, Path dir) {
        if (fleet.options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA) {
            if (!(policy instanceof Transformer t) || t.adapters() == null) {
                throw new IllegalArgumentException("rollout.weight_sync: vllm_lora pushes LoRA adapters, but the "
                        + "policy has none (vLLM's HTTP API reloads adapters only; use sglang for full weights)");
            }
            AtomicDirectory.write(dir, tmp -> t.adapters().save(tmp, fleet.model));
        } else {
            Checkpoint.save(dir, policy, tokenizer);
        }
    }

    /**
     * Loads {@code dir} into {@code s}, which the caller marked loading: waits for its requests in flight first.
     * Returns null on success, else the refusal (also reported).
     */
    String loadNow(InferenceServer s, Path dir, long version) {
        fleet.lock.lock();
        try {
            while (s.outstanding > 0) fleet.changed.await(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fleet.lock.unlock();
        }
        String adapter = fleet.model + "-r1j-step-" + version;
        String refusal = null;
        try {
            s.load(fleet.options.weightSync(), dir, version, adapter, fleet.timeout);
        } catch (InferenceServer.WeightLoadException e) {
            refusal = "rollout server " + s.url + " did not load the weights of step " + version + ": " + e.getMessage();
        }
        fleet.lock.lock();
        try {
            s.loading = false;
            if (refusal == null) {
                s.version = version;
                if (fleet.options.weightSync() == RolloutOptions.WeightSync.VLLM_LORA) s.adapter = adapter;
                s.consecutiveFailures = 0;
            } else {
                s.lastError = refusal;
                fleet.say(refusal + " (not sampled from until it has)");
            }
            fleet.changed.signalAll();
        } finally {
            fleet.lock.unlock();
        }
        return refusal;
    }

    private void deleteOlder(Path keep) {
        try (Stream<Path> dirs = Files.list(fleet.syncDir)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("step-\\d+") && !p.equals(keep)).toList()) {
                deleteTree(d);
            }
        } catch (IOException e) {
            fleet.say("could not tidy " + fleet.syncDir + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> all = Files.walk(d)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
