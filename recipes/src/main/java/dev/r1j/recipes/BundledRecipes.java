package dev.r1j.recipes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Recipes shipped inside the jar, under the class-path folder {@code recipes/} (source:
 * {@code recipes/src/main/resources/recipes/}).
 *
 * <pre>{@code
 * BundledRecipes.read("r1-zero").map(RecipeSource::text);   // the YAML of r1-zero.yaml
 * }</pre>
 */
public final class BundledRecipes {
    private static final String FOLDER = "recipes/";

    private BundledRecipes() {}

    /** The bundled recipe {@code name}, also trying {@code name.yaml} and {@code name.yml}. */
    public static Optional<RecipeSource> read(String name) {
        if (name.contains("/") || name.contains("\\") || name.contains("..")) {
            return Optional.empty();
        }
        for (String candidate : List.of(name, name + ".yaml", name + ".yml")) {
            try (InputStream in = loader().getResourceAsStream(FOLDER + candidate)) {
                if (in != null) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    return Optional.of(new RecipeSource(candidate, "bundled:" + candidate, text));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled recipe " + candidate + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /** Names of every bundled recipe on the class path, sorted. */
    public static List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader().getResources(FOLDER);
            while (roots.hasMoreElements()) {
                URL url = roots.nextElement();
                if ("file".equals(url.getProtocol())) {
                    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                        files.filter(Files::isRegularFile).forEach(f -> names.add(f.getFileName().toString()));
                    }
                } else if ("jar".equals(url.getProtocol())) {
                    JarURLConnection c = (JarURLConnection) url.openConnection();
                    c.setUseCaches(false);
                    try (JarFile jar = c.getJarFile()) {
                        for (JarEntry e : new ArrayList<>(jar.stream().toList())) {
                            String n = e.getName();
                            if (n.startsWith(FOLDER) && !e.isDirectory() && n.indexOf('/', FOLDER.length()) < 0) {
                                names.add(n.substring(FOLDER.length()));
                            }
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list bundled recipes: " + e.getMessage(), e);
        }
        return List.copyOf(names);
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : BundledRecipes.class.getClassLoader();
    }
}
