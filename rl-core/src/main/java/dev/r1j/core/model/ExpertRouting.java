package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * A hook into the expert choice of a mixture-of-experts model ({@link Transformer} with {@code deepseek_v3}'s MoE
 * layers): every MoE layer of every forward hands it the router's choice and uses the experts it returns. What the
 * hooks in R1J do with it: {@link ExpertLoadBalancer} counts each expert's load (DeepSeek-V3's auxiliary-loss-free
 * balancing) and adds the sequence-wise balance loss; {@link RoutingReplay} records the sampler's choices and makes
 * the trainer's forward use them (routing replay).
 *
 * <pre>{@code
 * model.setExpertRouting((layer, choice, tokens) -> choice);   // observe only: the router's own choice
 * }</pre>
 */
@FunctionalInterface
public interface ExpertRouting {

    /**
     * The tokens of one forward: {@code rows x length} new tokens, row-major, with their ids and whether each is a
     * real token (1) or padding (0).
     */
    record Tokens(int rows, int length, long[] ids, long[] real) {
        public int count() {
            return rows * length;
        }
    }

    /**
     * The experts MoE layer {@code layer} uses for {@code tokens}: {@code routerChoice} is the router's (row-major
     * {@code [tokens, k]}, best first); return it or a replacement of the same length. The gate weights of the
     * returned experts are still taken from the current router scores.
     */
    long[] route(int layer, long[] routerChoice, Tokens tokens);

    /** Whether {@link #scores} should be called (it costs a graph-carrying array per layer). */
    default boolean wantsScores() {
        return false;
    }

    /**
     * The router's sigmoid scores {@code [rows, length, experts]} (carrying the graph when autograd records) and the
     * experts used ({@code [tokens, k]}, as {@link #route} returned them). The array lives in the layer's scratch
     * manager: attach what must outlive the layer to a manager of your own.
     */
    default void scores(int layer, NDArray scores, long[] used, Tokens tokens) {}
}
