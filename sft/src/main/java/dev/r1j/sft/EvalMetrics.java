package dev.r1j.sft;

/**
 * The held-out loss measured after a training step.
 *
 * @param step   optimizer steps done when measured
 * @param loss   mean next-token loss over all target tokens of the held-out examples
 * @param tokens target tokens measured
 */
public record EvalMetrics(int step, double loss, long tokens) {}
