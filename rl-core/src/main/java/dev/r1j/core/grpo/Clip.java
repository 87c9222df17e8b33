package dev.r1j.core.grpo;

import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * The clip range of the importance ratio, {@code [1 - low, 1 + high]} (PPO, Schulman et al. 2017); a {@code high}
 * above {@code low} is DAPO's clip-higher (Yu et al. 2025). Recipe key {@code clip: {low, high}}.
 *
 * <pre>{@code
 * Clip dapo = new Clip(0.2, 0.28);
 * }</pre>
 */
public record Clip(
        @Help("lower clip epsilon: the ratio is kept >= 1 - low") @Default("0.2")
                @Alias(value = "epsilon", source = "TRL") @Alias(value = "clip_ratio_low", source = "veRL") double low,
        @Help("upper clip epsilon: the ratio is kept <= 1 + high (DAPO clip-higher: 0.28)") @Default("0.2")
                @Alias(value = "epsilon_high", source = "TRL")
                @Alias(value = "clip_ratio_high", source = "veRL") double high) {
    public Clip {
        if (!(low >= 0 && low < 1)) throw new IllegalArgumentException("clip.low must be in [0, 1), got " + low);
        if (!(high >= 0) || Double.isInfinite(high)) {
            throw new IllegalArgumentException("clip.high must be finite and >= 0, got " + high);
        }
    }
}
