package dev.r1j.recipes.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relative links in the repository's READMEs and docs lead to files that exist in a clone, so they can't rot. */
class MarkdownLinksTest {

    /** The repository root: the parent of this module's directory (surefire runs in {@code recipes/}). */
    static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("rl-core")),
                "not the repository root: " + root);
        return root;
    }

    @Test
    void everyRelativeLinkInTheRepositoryResolves() {
        Path root = repositoryRoot();
        List<Path> files = MarkdownLinks.markdownFiles(root);
        assertTrue(files.contains(root.resolve("README.md")) && files.contains(root.resolve("rl-core/README.md")),
                "the scan sees the READMEs: " + files);
        assertTrue(files.stream().anyMatch(p -> p.startsWith(root.resolve("docs"))), "and docs/: " + files);
        List<String> broken = MarkdownLinks.broken(root);
        assertEquals(List.of(), broken, "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void theTopReadmeLeadsToTheGrpoLossInOneHop() throws IOException {
        String readme = Files.readString(repositoryRoot().resolve("README.md"));
        assertTrue(readme.contains("(rl-core/src/main/java/dev/r1j/core/grpo/PolicyLoss.java)"), "a link to PolicyLoss");
        assertTrue(readme.contains("(rl-core/README.md)"), "a link to rl-core's README");
    }

    @Test
    void findsBrokenOutsideAndMissingTargetsAndSkipsCodeAndUrls(@TempDir Path dir) throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("mod/src"));
        Files.writeString(repo.resolve("mod/src/A.java"), "class A {}");
        Files.writeString(dir.resolve("outside.md"), "exists, but not in a clone");
        Files.writeString(repo.resolve("README.md"), String.join("\n",
                "# Title",
                "[ok](mod/src/A.java), [dir](mod/), [anchor](#title), [with anchor](mod/README.md#x)",
                "[web](https://example.com/x.md) ![img](missing.png \"a title\")",
                "`[in code](nowhere.md)` and [shared](../outside.md)",
                "```",
                "[in a fence](nowhere.md)",
                "```",
                "[ref]: mod/gone.md"));
        Files.writeString(repo.resolve("mod/README.md"), "[up](../README.md) [typo](src/B.java)");
        Files.createDirectories(repo.resolve("mod/target"));
        Files.writeString(repo.resolve("mod/target/README.md"), "[build output](nowhere.md)");
        assertEquals(List.of(
                        "README.md:3: missing.png (no such file)",
                        "README.md:4: ../outside.md (outside the repository)",
                        "README.md:8: mod/gone.md (no such file)",
                        "mod/README.md:1: src/B.java (no such file)"),
                MarkdownLinks.broken(repo));
    }
}
