package dev.r1j.core.grpo;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.WeightSync;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code async_steps: k}: a generation thread samples and scores the batches of the next steps while the trainer
 * updates. The batch of step {@code s} is always generated from the weights after step {@code max(0, s - 1 - k)}
 * (staleness {@code min(k, s - 1)}), whatever the timing, so a run is as reproducible as a synchronous one: the
 * generator waits for that version to be published, and {@link #publish} (after the trainer's step {@code v}) first
 * waits until every batch that needs an older version is generated, then hands the weights over through the
 * {@link WeightSync} while nothing reads them. At most {@code k + 1} batches exist at a time (generated or being
 * generated beyond the one trained on).
 *
 * <p>Timing: {@code async/trainer_idle_s} is the trainer's wait for its batch and for the generator before a
 * publish; {@code async/generation_idle_s} the generator's wait for a version, both since the previous step.
 */
final class AsyncRollouts implements AutoCloseable {
    /** Samples and scores the batch of {@code step} from weights {@code version} (on the generation thread). */
    interface Generator {
        Rollout generate(int step, int version);
    }

    private final int k;
    private final int lastStep;
    private final Generator generator;
    private final WeightSync sync;
    private final Thread thread;
    private final TreeMap<Integer, Rollout> ready = new TreeMap<>();
    private int nextToGenerate;
    private int published;
    private boolean generating;
    private boolean closed;
    private Throwable failure;
    private long trainerIdleNs, generationIdleNs;

    /**
     * Publishes {@code policy} as version {@code stepsDone} and starts generating from step {@code stepsDone + 1 +
     * pending.size()}; {@code pending} are batches already generated (restored from a checkpoint), in step order.
     */
    AsyncRollouts(int k, int stepsDone, int lastStep, List<Rollout> pending, CausalLM policy, WeightSync sync,
            Generator generator) {
        if (k < 1) throw new IllegalArgumentException("async_steps must be >= 1 here, got " + k);
        this.k = k;
        this.lastStep = lastStep;
        this.generator = generator;
        this.sync = sync;
        for (Rollout r : pending) ready.put(r.step(), r);
        this.nextToGenerate = stepsDone + 1 + pending.size();
        sync.publish(policy, stepsDone);
        this.published = stepsDone;
        this.thread = new Thread(this::run, "grpo-generation");
        thread.setDaemon(true);
        thread.start();
    }

    /** The weight version the batch of {@code step} is generated from. */
    int versionFor(int step) {
        return Math.max(0, step - 1 - k);
    }

    private void run() {
        while (true) {
            int step;
            synchronized (this) {
                long t0 = System.nanoTime();
                while (!closed && (nextToGenerate > lastStep || published < versionFor(nextToGenerate))) {
                    if (nextToGenerate > lastStep) return; // every step's batch is generated
                    waitQuietly();
                }
                generationIdleNs += System.nanoTime() - t0;
                if (closed) return;
                step = nextToGenerate;
                generating = true;
            }
            try {
                Rollout r = generator.generate(step, versionFor(step));
                synchronized (this) {
                    ready.put(step, r);
                    nextToGenerate++;
                    generating = false;
                    notifyAll();
                }
            } catch (Throwable t) {
                synchronized (this) {
                    failure = t;
                    generating = false;
                    notifyAll();
                }
                return;
            }
        }
    }

    /** The batch of {@code step}, waiting for the generator if it is not ready. */
    synchronized Rollout take(int step) {
        long t0 = System.nanoTime();
        while (!ready.containsKey(step)) {
            rethrow();
            if (closed) throw new IllegalStateException("the generation thread is closed");
            waitQuietly();
        }
        trainerIdleNs += System.nanoTime() - t0;
        return ready.remove(step);
    }

    /**
     * After the trainer's step {@code version}: waits until every batch generated from an older version exists,
     * then publishes the policy. Returns the batches generated ahead at that moment (the checkpoint's pending ones).
     * When the generator has failed it returns those at once without publishing; {@link #take} then throws.
     */
    List<Rollout> publish(CausalLM policy, int version) {
        List<Rollout> pending;
        synchronized (this) {
            long t0 = System.nanoTime();
            int needed = Math.min(version + k, lastStep); // the last step whose batch reads version - 1
            while ((nextToGenerate <= needed || generating) && failure == null) waitQuietly();
            trainerIdleNs += System.nanoTime() - t0;
            pending = new ArrayList<>(ready.values());
            // the generator failed (e.g. no rollout server left): the step just taken stands and is checkpointed
            // with the batches generated so far; the failure surfaces at the next take, and no one reads new weights
            if (failure != null) return pending;
        }
        // outside the lock: the generator is parked on the version, and a snapshot copy can take a while
        sync.publish(policy, version);
        synchronized (this) {
            published = version;
            notifyAll();
        }
        return pending;
    }

    /** Trainer and generator idle seconds since the previous call, as {@code async/*} metrics. */
    synchronized double[] takeIdleSeconds() {
        double[] out = {trainerIdleNs / 1e9, generationIdleNs / 1e9};
        trainerIdleNs = 0;
        generationIdleNs = 0;
        return out;
    }

    private void rethrow() {
        if (failure == null) return;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        throw new IllegalStateException("generation failed: " + failure, failure);
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the generation thread", e);
        }
    }

    /** Stops the generator after its current batch and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
