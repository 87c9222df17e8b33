package dev.r1j.recipes.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds relative links in a repository's Markdown files that do not lead to a file or directory inside it: inline
 * links and images {@code [text](target)}, and reference definitions {@code [label]: target}. URLs (any
 * {@code scheme:}), pure anchors ({@code #...}) and text inside code (fenced blocks and backtick spans) are skipped;
 * a {@code #fragment} after a path is ignored. A target outside the repository counts as broken even when it exists
 * on this machine (a user's clone lacks {@code ../shared}). Build output ({@code target/}) and dot directories are
 * not scanned.
 *
 * <pre>{@code
 * List<String> broken = MarkdownLinks.broken(repoRoot);  // "rl-core/README.md:12: src/Foo.java (no such file)"
 * }</pre>
 */
final class MarkdownLinks {
    private static final Pattern INLINE = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");

    private MarkdownLinks() {}

    /** Every Markdown file under {@code root}, skipping build output and dot directories, in path order. */
    static List<Path> markdownFiles(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
                    .filter(p -> {
                        for (Path part : root.relativize(p)) {
                            String n = part.toString();
                            if (n.equals("target") || n.startsWith(".")) return false;
                        }
                        return true;
                    })
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broken links of every Markdown file under {@code root}, as {@code file:line: target (why)}. */
    static List<String> broken(Path root) {
        List<String> out = new ArrayList<>();
        Path realRoot = root.toAbsolutePath().normalize();
        for (Path file : markdownFiles(realRoot)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) continue;
                String text = CODE_SPAN.matcher(line).replaceAll("");
                List<String> targets = new ArrayList<>();
                Matcher m = INLINE.matcher(text);
                while (m.find()) targets.add(m.group(1));
                Matcher r = REFERENCE.matcher(text);
                if (r.matches()) targets.add(r.group(1));
                for (String target : targets) {
                    String why = problem(realRoot, file, target);
                    if (why != null) {
                        out.add(realRoot.relativize(file) + ":" + (i + 1) + ": " + target + " (" + why + ")");
                    }
                }
            }
        }
        return out;
    }

    /** Why {@code target}, linked from {@code file}, is broken, or {@code null} when it is fine or not checked. */
    private static String problem(Path root, Path file, String target) {
        if (target.startsWith("#") || SCHEME.matcher(target).find()) return null;
        int hash = target.indexOf('#');
        String path = hash >= 0 ? target.substring(0, hash) : target;
        if (path.isEmpty()) return null;
        Path resolved = file.getParent().resolve(path.replace("%20", " ")).normalize();
        if (!resolved.startsWith(root)) return "outside the repository";
        if (!Files.exists(resolved)) return "no such file";
        return null;
    }
}
