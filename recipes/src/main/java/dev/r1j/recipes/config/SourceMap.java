package dev.r1j.recipes.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@link Location} of every key of a recipe tree, by path ({@code stages[0].grpo.steps}). A path with no
 * entry of its own is located at its nearest ancestor, so errors about a missing key point at the object that
 * lacks it.
 */
public final class SourceMap {
    private final String defaultSource;
    private final Map<String, Location> locations = new HashMap<>();

    public SourceMap(String defaultSource) {
        this.defaultSource = defaultSource;
    }

    public void put(String path, Location location) {
        locations.put(path, location);
    }

    /** Drops the locations of {@code path} and everything below it (before an override replaces it). */
    public void removeSubtree(String path) {
        locations.keySet().removeIf(p -> p.equals(path) || ConfigPath.isBelow(p, path));
    }

    /** The location of {@code path} or of its nearest located ancestor; the file itself for the root. */
    public Location locate(String path) {
        String p = path;
        while (p != null && !p.isEmpty()) {
            Location l = locations.get(p);
            if (l != null) {
                return l;
            }
            p = ConfigPath.parent(p);
        }
        return new Location(defaultSource, 0);
    }

    public String defaultSource() {
        return defaultSource;
    }
}
