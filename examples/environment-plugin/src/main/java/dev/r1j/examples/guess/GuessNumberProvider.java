package dev.r1j.examples.guess;

import dev.r1j.env.Environment;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.EnvironmentProvider;
import java.util.Map;

/**
 * Registers {@code guess-number} (listed in {@code META-INF/services/dev.r1j.env.EnvironmentProvider}). Option:
 * {@code max} (default 100), the largest secret.
 *
 * <pre>{@code
 * environment: {name: guess-number, max_turns: 8, options: {max: 100}}
 * }</pre>
 */
public final class GuessNumberProvider implements EnvironmentProvider {
    @Override
    public String name() {
        return "guess-number";
    }

    @Override
    public String description() {
        return "guess a secret number: answers higher/lower, reward 1 and done when correct";
    }

    @Override
    public Environment create(EnvironmentConfig config) {
        Map<String, Object> o = config.options();
        for (String key : o.keySet()) {
            if (!key.equals("max")) throw new IllegalArgumentException("unknown option '" + key + "' for environment 'guess-number'; known: max");
        }
        Object max = o.getOrDefault("max", 100);
        if (!(max instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new IllegalArgumentException("option 'max' of environment 'guess-number' must be an integer, got '" + max + "'");
        }
        return new GuessNumberEnvironment(n.intValue());
    }
}
