package dev.r1j.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routing replay for reinforcement learning on a mixture of experts (as slime's and veRL's "R3"): the experts the
 * sampler chose for every token and MoE layer are recorded, and the trainer's forward over the same sequences uses
 * those experts instead of its own router's choice (the gate weights of the replayed experts still come from the
 * current router, so the router keeps its gradient). Without it the trainer can score a token through other
 * experts than the ones that generated it, one more source of train/inference mismatch.
 *
 * <p>The sampler side ({@code rollout}'s {@code DecodeBatch}) asks for a {@link Track} per sequence and, after
 * every forward, appends each fed token with its row of {@link #lastForward()}. The trainer side matches a row of
 * its batch to a track by its real tokens (prompt and completion; the completion's last token is never fed to the
 * sampler, so a track has one position fewer than the trainer's row, and that last position keeps the router's
 * choice: it scores nothing). Set on the policy model for the whole run:
 *
 * <pre>{@code
 * RoutingReplay replay = new RoutingReplay(policy.config());
 * policy.setExpertRouting(replay);
 * replay.startRecording();             // before sampling
 * ... sampler.sample(...)  (a LocalSampler over policy records)
 * replay.startReplay(true);            // before the trainer's forwards; false only measures the mismatch
 * double share = replay.mismatchFraction();
 * }</pre>
 */
public final class RoutingReplay implements ExpertRouting {
    private enum Mode { RECORD, REPLAY, MEASURE }

    private final int layers;
    private final int[] slotOfLayer; // MoE layer -> index among MoE layers, -1 for dense layers
    private final int moeLayers;
    private final int k;
    private final long[][] lastForward;
    private final List<Track> tracks = new ArrayList<>();
    private Map<Key, Track> index = Map.of();
    private Mode mode = Mode.RECORD;

    public RoutingReplay(ModelConfig config) {
        if (config.deepseek() == null) {
            throw new IllegalArgumentException("routing_replay: a " + config.modelType()
                    + " model has no mixture-of-experts layers to replay (it fits deepseek_v3 models only)");
        }
        this.layers = config.numHiddenLayers();
        this.slotOfLayer = new int[layers];
        int n = 0;
        for (int i = 0; i < layers; i++) slotOfLayer[i] = config.isMoeLayer(i) ? n++ : -1;
        if (n == 0) {
            throw new IllegalArgumentException("routing_replay: this deepseek_v3 model has no mixture-of-experts layer"
                    + " (first_k_dense_replace = num_hidden_layers)");
        }
        this.moeLayers = n;
        this.k = config.deepseek().numExpertsPerTok();
        this.lastForward = new long[layers][];
    }

    /** Forgets every track; forwards from now on are recorded (the sampler's). */
    public void startRecording() {
        tracks.clear();
        index = Map.of();
        mode = Mode.RECORD;
    }

    /**
     * From now on forwards are matched to the recorded tracks: with {@code apply} they use the recorded experts
     * (a row with no track is an error), without it they keep their own and only the mismatch is measured.
     */
    public void startReplay(boolean apply) {
        Map<Key, Track> byTokens = new HashMap<>();
        for (Track t : tracks) {
            t.resetMeasurement();
            byTokens.put(new Key(t.tokens.stream().mapToLong(Long::longValue).toArray()), t);
        }
        index = byTokens;
        mode = apply ? Mode.REPLAY : Mode.MEASURE;
    }

    /** Whether forwards are being recorded (the sampler should then keep tracks). */
    public boolean recording() {
        return mode == Mode.RECORD;
    }

    /** The expert choice of the last recorded forward, by decoder layer ({@code [tokens * k]}, null for dense). */
    public long[][] lastForward() {
        return lastForward;
    }

    /** A new, empty track of one sequence, kept until the next {@link #startRecording}. */
    public Track newTrack() {
        Track t = new Track();
        tracks.add(t);
        return t;
    }

    /** Tracks recorded since the last {@link #startRecording}. */
    public int trackCount() {
        return tracks.size();
    }

    /**
     * The share of completion tokens (fed completion positions of the tracks the trainer's forwards met since
     * {@link #startReplay}) whose top-k experts, as sets, differ in at least one MoE layer between the sampler's
     * record and the trainer's router in at least one of those forwards (with {@code num_iterations > 1} the later
     * iterations' router has moved); NaN when no completion token was compared.
     */
    public double mismatchFraction() {
        long compared = 0, differ = 0;
        for (Track t : tracks) {
            if (t.mismatch == null) continue;
            for (int p = t.promptLength; p < t.mismatch.length; p++) {
                compared++;
                if (t.mismatch[p]) differ++;
            }
        }
        return compared == 0 ? Double.NaN : (double) differ / compared;
    }

    /** {@code routing/mismatch_frac} (see {@link #mismatchFraction}) and {@code routing/tracks}. */
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("routing/mismatch_frac", mismatchFraction());
        m.put("routing/tracks", tracks.size());
        return m;
    }

    @Override
    public long[] route(int layer, long[] routerChoice, Tokens tokens) {
        if (mode == Mode.RECORD) {
            lastForward[layer] = routerChoice;
            return routerChoice;
        }
        long[] out = mode == Mode.REPLAY ? routerChoice.clone() : routerChoice;
        int len = tokens.length();
        for (int r = 0; r < tokens.rows(); r++) {
            int[] positions = new int[len];
            long[] ids = new long[len];
            int n = 0;
            for (int i = 0; i < len; i++) {
                if (tokens.real()[r * len + i] == 0) continue;
                positions[n] = r * len + i;
                ids[n++] = tokens.ids()[r * len + i];
            }
            if (n == 0) continue;
            Track t = index.get(new Key(Arrays.copyOf(ids, n - 1)));
            if (t == null) t = index.get(new Key(Arrays.copyOf(ids, n)));
            if (t == null) {
                if (mode == Mode.REPLAY) {
                    throw new IllegalStateException("routing_replay: no recorded routing for a sequence of " + n
                            + " tokens (the sampler must be a LocalSampler over the policy model, which records it)");
                }
                continue;
            }
            int slot = slotOfLayer[layer];
            if (t.mismatch == null) t.mismatch = new boolean[t.tokens.size()];
            for (int p = 0; p < Math.min(n, t.tokens.size()); p++) {
                int tok = positions[p];
                long[] recorded = t.experts.get(p)[slot];
                if (!sameSet(recorded, routerChoice, tok * k)) t.mismatch[p] = true;
                if (mode == Mode.REPLAY) System.arraycopy(recorded, 0, out, tok * k, k);
            }
        }
        return out;
    }

    private boolean sameSet(long[] recorded, long[] choice, int offset) {
        for (long e : recorded) {
            boolean found = false;
            for (int s = 0; s < k; s++) found |= choice[offset + s] == e;
            if (!found) return false;
        }
        return true;
    }

    /** The fed tokens of one sampled sequence and, per position, the experts of every MoE layer. */
    public final class Track {
        private final List<Long> tokens = new ArrayList<>();
        private final List<long[][]> experts = new ArrayList<>();
        private int promptLength;
        private boolean[] mismatch;

        private Track() {}

        /**
         * Appends the token fed at flat index {@code tokenIndex} of the last forward ({@code row * length + column})
         * with its experts from {@link #lastForward()}.
         */
        public void append(long token, int tokenIndex) {
            long[][] perLayer = new long[moeLayers][];
            for (int layer = 0; layer < layers; layer++) {
                if (slotOfLayer[layer] < 0) continue;
                perLayer[slotOfLayer[layer]] = Arrays.copyOfRange(lastForward[layer], tokenIndex * k, tokenIndex * k + k);
            }
            tokens.add(token);
            experts.add(perLayer);
        }

        /** Marks the tokens appended so far as the prompt (the mismatch share counts completion tokens only). */
        public void endPrompt() {
            promptLength = tokens.size();
        }

        /** The experts recorded at fed position {@code position} for decoder layer {@code layer}. */
        public long[] experts(int position, int layer) {
            return experts.get(position)[slotOfLayer[layer]].clone();
        }

        public int length() {
            return tokens.size();
        }

        private void resetMeasurement() {
            mismatch = null;
        }
    }

    private record Key(long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(ids, other.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }
    }
}
