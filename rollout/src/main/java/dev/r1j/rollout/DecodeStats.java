package dev.r1j.rollout;

/**
 * Where the time of one {@link LocalSampler} call went: the prefill forward, the decode forwards (model compute
 * plus copying the last logits to Java), Java-side token choice (sampling, log-probs, stop checks), and batch
 * compaction. {@code rowSteps} counts rows fed to decode forwards (live or not yet compacted away).
 *
 * <pre>{@code
 * sampler.sample(prompts, params);
 * DecodeStats s = sampler.lastStats();
 * double tokensPerSecond = s.generatedTokens() / (s.totalNanos() * 1e-9);
 * }</pre>
 */
public record DecodeStats(
        long prefillNanos,
        long forwardNanos,
        long sampleNanos,
        long compactNanos,
        long totalNanos,
        int steps,
        long rowSteps,
        long generatedTokens,
        int compactions) {}
