package dev.r1j.recipes.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Where a run came from, for {@code config.resolved.json}: the git commit of the R1J code that ran (found from the
 * location of its classes; null outside a git checkout), whether that tree had changes, and Java/DJL versions.
 */
public final class Provenance {
    private Provenance() {}

    public static ObjectNode describe() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        Path code = codeLocation();
        n.put("git_commit", code == null ? null : git(code, "rev-parse", "HEAD"));
        String status = code == null ? null : git(code, "status", "--porcelain", "--untracked-files=no");
        if (status == null) {
            n.putNull("git_dirty");
        } else {
            n.put("git_dirty", !status.isBlank());
        }
        n.put("java_version", System.getProperty("java.version"));
        n.put("java_vendor", System.getProperty("java.vendor"));
        n.put("djl_version", djlVersion());
        n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        n.put("processors", Runtime.getRuntime().availableProcessors());
        n.put("created_at", Instant.now().toString());
        return n;
    }

    /** DJL's version from its jar manifest, without starting the engine. */
    static String djlVersion() {
        try {
            Package p = Class.forName("ai.djl.ndarray.NDArray").getPackage();
            String v = p == null ? null : p.getSpecificationVersion();
            return v != null ? v : (p == null ? null : p.getImplementationVersion());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Path codeLocation() {
        try {
            Path p = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(p) ? p : p.getParent();
        } catch (Exception e) {
            return null;
        }
    }

    /** Output of a git command run in {@code dir}, or null when git is missing, fails or takes over 5 s. */
    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
