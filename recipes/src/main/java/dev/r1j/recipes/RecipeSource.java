package dev.r1j.recipes;

import dev.r1j.recipes.config.RecipeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The text of a recipe and the name errors use for it. {@link #find} takes a path, or the bare name of a recipe
 * bundled in the jar ({@code r1-zero.yaml}, or {@code r1-zero}).
 *
 * @param name the file name shown in messages ({@code r1-zero.yaml})
 * @param location the path read, or {@code bundled:r1-zero.yaml}
 * @param text the YAML
 */
public record RecipeSource(String name, String location, String text) {

    /** Reads a recipe file, or a bundled recipe when {@code fileOrName} is a bare name that is not a file here. */
    public static RecipeSource find(String fileOrName) {
        Path p = Path.of(fileOrName);
        if (Files.isRegularFile(p)) {
            try {
                return new RecipeSource(p.getFileName().toString(), p.toString(), Files.readString(p, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read recipe " + p + ": " + e.getMessage(), e);
            }
        }
        if (Files.isDirectory(p)) {
            throw new RecipeException("recipe " + p + " is a directory, not a YAML file");
        }
        boolean bare = p.getNameCount() == 1 && !fileOrName.contains("/");
        if (bare) {
            Optional<RecipeSource> bundled = BundledRecipes.read(fileOrName);
            if (bundled.isPresent()) {
                return bundled.get();
            }
        }
        List<String> names = BundledRecipes.names();
        throw new RecipeException("recipe file not found: " + p.toAbsolutePath().normalize()
                + (bare ? "; it is not a bundled recipe either (bundled: "
                        + (names.isEmpty() ? "none" : String.join(", ", names)) + ")" : ""));
    }
}
