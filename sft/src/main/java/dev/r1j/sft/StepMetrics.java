package dev.r1j.sft;

/**
 * What one optimizer step of {@link LmTrainer} measured; field names follow {@code metrics.jsonl}.
 *
 * @param step        1-based step number
 * @param loss        mean next-token loss of the step's batch (before the update)
 * @param lr          learning rate used
 * @param gradNorm    global gradient norm before clipping
 * @param tokens      target tokens in the batch
 * @param tokensPerS  real (non-pad) tokens processed per second in this step
 * @param elapsedS    seconds since training started
 * @param epoch       epochs completed plus the fraction of the current one
 */
public record StepMetrics(int step, double loss, double lr, double gradNorm, int tokens, double tokensPerS,
                          double elapsedS, double epoch) {}
