package dev.r1j.verifiers.sandbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link BubblewrapSandbox} launches: the tools ({@code bwrap}, {@code setpriv}, {@code prlimit} from
 * util-linux), the unprivileged uid/gid the code runs as, and the host paths hidden behind empty tmpfs mounts.
 *
 * <pre>{@code
 * BubblewrapConfig cfg = BubblewrapConfig.defaults().withBwrap(Path.of("/opt/bwrap"));
 * }</pre>
 */
public record BubblewrapConfig(Path bwrap, Path setpriv, Path prlimit, int uid, List<Path> hiddenPaths) {

    /** uid/gid "nobody": root ignores RLIMIT_NPROC, so the code must not run as root. */
    public static final int NOBODY = 65534;

    public BubblewrapConfig {
        Objects.requireNonNull(bwrap, "bwrap");
        Objects.requireNonNull(setpriv, "setpriv");
        Objects.requireNonNull(prlimit, "prlimit");
        if (uid <= 0) {
            throw new IllegalArgumentException("sandbox uid must be an unprivileged uid > 0, got " + uid);
        }
        hiddenPaths = List.copyOf(hiddenPaths);
    }

    /**
     * Tools looked up on PATH (falling back to /usr/bin), uid 65534, and hidden: /root, /home, /tmp, /var/tmp,
     * /run, /mnt, /media, /srv, the JVM's working directory and the project root above it (the topmost
     * directory with a {@code .git} entry or a {@code pom.xml}).
     */
    public static BubblewrapConfig defaults() {
        return new BubblewrapConfig(which("bwrap"), which("setpriv"), which("prlimit"), NOBODY, defaultHiddenPaths());
    }

    public BubblewrapConfig withBwrap(Path path) {
        return new BubblewrapConfig(path, setpriv, prlimit, uid, hiddenPaths);
    }

    public BubblewrapConfig withHiddenPaths(List<Path> paths) {
        return new BubblewrapConfig(bwrap, setpriv, prlimit, uid, paths);
    }

    static List<Path> defaultHiddenPaths() {
        Set<Path> out = new LinkedHashSet<>();
        for (String p : List.of("/root", "/home", "/tmp", "/var/tmp", "/run", "/mnt", "/media", "/srv")) {
            out.add(Path.of(p));
        }
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        out.add(cwd);
        out.add(projectRoot(cwd));
        return new ArrayList<>(out);
    }

    /** The topmost ancestor of {@code start} that looks like a project (has .git or pom.xml); else start. */
    static Path projectRoot(Path start) {
        Path best = start;
        for (Path p = start; p != null && p.getParent() != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git")) || Files.exists(p.resolve("pom.xml"))) {
                best = p;
            }
        }
        return best;
    }

    static Path which(String tool) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, tool);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return Path.of("/usr/bin", tool);
    }
}
