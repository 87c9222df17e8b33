package dev.r1j.core.model;

/**
 * The {@code rope_scaling} object of a Hugging Face {@code config.json}. Supported types: {@code default} (no
 * scaling) and {@code yarn} (as DeepSeek-V3 uses it). Fields a type does not use are {@code null}.
 *
 * <pre>{@code
 * RopeScaling yarn = RopeScaling.yarn(40.0, 4096, 1.0, 1.0);
 * }</pre>
 *
 * @param type "default" or "yarn"
 * @param factor context extension factor (yarn)
 * @param originalMaxPositionEmbeddings pre-training context length (yarn); null means max_position_embeddings
 * @param betaFast yarn high-rotation cut (default 32)
 * @param betaSlow yarn low-rotation cut (default 1)
 * @param mscale yarn magnitude scale for the rotary part
 * @param mscaleAllDim yarn magnitude scale applied to all dims; with MLA it also scales the softmax
 * @param attentionFactor explicit cos/sin scale overriding the yarn formula
 */
public record RopeScaling(
        String type,
        Double factor,
        Integer originalMaxPositionEmbeddings,
        Double betaFast,
        Double betaSlow,
        Double mscale,
        Double mscaleAllDim,
        Double attentionFactor) {

    public RopeScaling {
        if (!"default".equals(type) && !"yarn".equals(type)) {
            throw new IllegalArgumentException(
                    "rope_scaling.type: expected \"default\" or \"yarn\", found \"" + type + "\" (not supported)");
        }
        if ("yarn".equals(type) && (factor == null || !(factor > 0))) {
            throw new IllegalArgumentException("rope_scaling.factor: expected a positive number for yarn, found " + factor);
        }
    }

    /** A yarn scaling with default betas. */
    public static RopeScaling yarn(double factor, int originalMaxPositionEmbeddings, double mscale, double mscaleAllDim) {
        return new RopeScaling("yarn", factor, originalMaxPositionEmbeddings, null, null, mscale, mscaleAllDim, null);
    }

    /** Yarn's magnitude correction: 0.1 * m * ln(scale) + 1 for scale > 1, else 1 (as in Hugging Face). */
    public static double yarnMscale(double scale, double m) {
        return scale <= 1 ? 1.0 : 0.1 * m * Math.log(scale) + 1.0;
    }
}
