package dev.r1j.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.io.SafeTensors;
import dev.r1j.core.model.CausalLM;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen reference model's summed completion log-probs for every pair, computed once before training (one
 * forward per batch of pairs) and looked up by pair index in every epoch after: the reference never changes, so
 * recomputing it each epoch would only cost time. Saved with a training checkpoint so a resumed run needs no
 * reference model.
 *
 * <pre>{@code
 * ReferenceLogProbs ref = ReferenceLogProbs.compute(referenceModel, pairs, 16, tokenizer.padId());
 * float c = ref.chosen(7), r = ref.rejected(7);
 * }</pre>
 */
public final class ReferenceLogProbs {
    public static final String FILE = "reference_logps.safetensors";
    private final float[] chosen;
    private final float[] rejected;

    public ReferenceLogProbs(float[] chosen, float[] rejected) {
        if (chosen.length != rejected.length) {
            throw new IllegalArgumentException(chosen.length + " chosen but " + rejected.length + " rejected log-probs");
        }
        this.chosen = chosen.clone();
        this.rejected = rejected.clone();
    }

    /** Scores every pair with {@code reference}, {@code batchSize} pairs per forward, with autograd off. */
    public static ReferenceLogProbs compute(CausalLM reference, List<EncodedPair> pairs, int batchSize, int padId) {
        return dev.r1j.core.Djl.withoutGradients(() -> scoreAll(reference, pairs, batchSize, padId));
    }

    private static ReferenceLogProbs scoreAll(CausalLM reference, List<EncodedPair> pairs, int batchSize, int padId) {
        float[] c = new float[pairs.size()], r = new float[pairs.size()];
        for (int i = 0; i < pairs.size(); i += batchSize) {
            List<EncodedPair> part = pairs.subList(i, Math.min(pairs.size(), i + batchSize));
            try (NDManager m = reference.manager().newSubManager()) {
                float[] s = SequenceLogProbs.of(reference, EncodedPair.chosenThenRejected(part), padId, m).sums()
                        .toFloatArray();
                System.arraycopy(s, 0, c, i, part.size());
                System.arraycopy(s, part.size(), r, i, part.size());
            }
        }
        return new ReferenceLogProbs(c, r);
    }

    public int size() {
        return chosen.length;
    }

    public float chosen(int pair) {
        return chosen[pair];
    }

    public float rejected(int pair) {
        return rejected[pair];
    }

    /** The values for {@code pairs} (indices) as float32 {@code [N]} arrays: chosen, then rejected. */
    NDArray[] gather(int[] pairs, NDManager m) {
        float[] c = new float[pairs.length], r = new float[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            c[i] = chosen[pairs[i]];
            r[i] = rejected[pairs[i]];
        }
        return new NDArray[] {m.create(c), m.create(r)};
    }

    /** Writes {@code chosen} and {@code rejected} tensors into {@code dir/}{@link #FILE}. */
    public void save(Path dir) {
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("chosen", m.create(chosen));
            t.put("rejected", m.create(rejected));
            SafeTensors.write(dir.resolve(FILE), t);
        }
    }

    /** Reads what {@link #save} wrote; {@code expectedPairs} guards against a checkpoint of other data. */
    public static ReferenceLogProbs load(Path dir, int expectedPairs) {
        Path file = dir.resolve(FILE);
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            NDArray c = t.get("chosen"), r = t.get("rejected");
            if (c == null || r == null) throw new IllegalArgumentException(file + ": expected tensors 'chosen' and 'rejected'");
            ReferenceLogProbs out = new ReferenceLogProbs(c.toFloatArray(), r.toFloatArray());
            if (out.size() != expectedPairs) {
                throw new IllegalArgumentException(file + ": holds " + out.size() + " pairs, the data has "
                        + expectedPairs + " (a checkpoint of other data?)");
            }
            return out;
        }
    }
}
