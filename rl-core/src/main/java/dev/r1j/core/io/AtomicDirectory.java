package dev.r1j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a directory so that readers see either the old complete directory or the new complete one, never a
 * half-written one: the content goes into a temporary sibling, files are flushed to disk, then the sibling is
 * renamed into place. An existing target is first renamed aside and deleted only after the new one is in.
 *
 * <pre>{@code
 * AtomicDirectory.write(Path.of("runs/x/checkpoint"), tmp -> {
 *     Files.writeString(tmp.resolve("config.json"), json);
 * });
 * }</pre>
 *
 * <p>A crash between the two renames leaves the previous content in {@code .NAME.old-*} beside the target; it is
 * never deleted before the new directory is complete. {@link #recover} turns whatever a crash left, at any point
 * of a write, back into a whole {@code NAME} (or none, when no complete one ever existed) and deletes the
 * leftovers it has shown to be unneeded.
 *
 * <p>Files are flushed to disk ({@code fsync}) before the rename so that a power loss cannot leave a renamed but
 * empty file. On a busy disk that costs ~0.1 s per file; tests that save many throwaway checkpoints may set the
 * system property {@code r1j.fsync=false} (the renames stay atomic).
 */
public final class AtomicDirectory {
    /** Fills a directory; may throw anything, in which case the temporary directory is removed. */
    @FunctionalInterface
    public interface Writer {
        void write(Path dir) throws IOException;
    }


    private AtomicDirectory() {}

    /** Writes {@code target} through {@code writer}, atomically replacing any existing directory there. */
    public static void write(Path target, Writer writer) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String name = abs.getFileName().toString();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path tmp = parent.resolve("." + name + ".tmp-" + tag);
        Path old = parent.resolve("." + name + ".old-" + tag);
        try {
            Files.createDirectories(parent);
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                throw new IllegalArgumentException(abs + " exists and is not a directory");
            }
            Files.createDirectory(tmp);
            try {
                writer.write(tmp);
                if (fsync()) {
                    syncTree(tmp);
                }
            } catch (IOException | RuntimeException | Error e) {
                deleteTree(tmp);
                throw e;
            }
            boolean hadOld = Files.exists(abs);
            if (hadOld) {
                move(abs, old);
            }
            try {
                move(tmp, abs);
            } catch (IOException e) {
                if (hadOld) {
                    move(old, abs); // put the previous content back before reporting
                }
                deleteTree(tmp);
                throw e;
            }
            if (fsync()) {
                syncDir(parent);
            }
            if (hadOld) {
                deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
        }
    }

    /**
     * Repairs what a crash during {@link #write} left beside {@code target}, before anyone reads it. The write's
     * steps, and what each crash point leaves ({@code TAG} is one write's random tag):
     * <ol>
     * <li>filling {@code .NAME.tmp-TAG}: the temporary is incomplete; {@code NAME}, if any, is the last whole one;
     * <li>after renaming {@code NAME} to {@code .NAME.old-TAG}, before renaming the temporary: no {@code NAME};
     * {@code .NAME.tmp-TAG} is complete (it was flushed before the first rename) and newer than the old one;
     * <li>after both renames: {@code NAME} is the new one, {@code .NAME.old-TAG} (perhaps half deleted) is stale.
     * </ol>
     * So: when {@code NAME} exists it is whole (it only ever appears by a rename of a complete directory) and every
     * {@code .NAME.tmp-*} and {@code .NAME.old-*} is deleted. Otherwise the newest complete leftover is renamed to
     * {@code NAME}: a {@code .NAME.tmp-TAG} whose {@code .NAME.old-TAG} exists (state 2), else a {@code .NAME.old-*}
     * (a state-2 leftover whose temporary was removed); then the rest is deleted. A {@code .NAME.tmp-*} without its
     * {@code .old} is never trusted (state 1: it may be partial). Recovery is itself crash-safe: its one rename is
     * atomic and everything else only deletes what is proven unneeded.
     *
     * <pre>{@code
     * for (String done : AtomicDirectory.recover(stageDir.resolve("checkpoint"))) System.out.println(done);
     * }</pre>
     *
     * @return what was done, one sentence each (empty when nothing was left over)
     */
    public static List<String> recover(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String name = abs.getFileName().toString();
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(parent)) return done;
        Map<String, Path> tmps = new TreeMap<>(), olds = new TreeMap<>();
        String tmpPrefix = "." + name + ".tmp-", oldPrefix = "." + name + ".old-";
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent)) {
            for (Path p : siblings) {
                String f = p.getFileName().toString();
                if (f.startsWith(tmpPrefix)) tmps.put(f.substring(tmpPrefix.length()), p);
                else if (f.startsWith(oldPrefix)) olds.put(f.substring(oldPrefix.length()), p);
            }
            if (tmps.isEmpty() && olds.isEmpty()) return done;
            if (!Files.exists(abs)) {
                Path best = null;
                for (Map.Entry<String, Path> old : olds.entrySet()) {
                    Path whole = tmps.getOrDefault(old.getKey(), old.getValue());
                    if (best == null || Files.getLastModifiedTime(whole).compareTo(Files.getLastModifiedTime(best)) > 0) {
                        best = whole;
                    }
                }
                if (best != null) {
                    move(best, abs);
                    syncDir(parent);
                    done.add("restored " + abs + " from " + best.getFileName() + ", left whole by an interrupted write");
                    tmps.values().remove(best);
                    olds.values().remove(best);
                }
            }
            List<Path> stale = new ArrayList<>(tmps.values());
            stale.addAll(olds.values());
            for (Path p : stale) {
                deleteTree(p);
                done.add("removed " + p.getFileName() + ", left over by an interrupted write of " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover " + abs + " from an interrupted write: " + e.getMessage(), e);
        }
        return done;
    }

    /**
     * {@link #recover} for every directory under {@code parent} that has leftovers of an interrupted write (a series
     * of atomically written directories, such as {@code checkpoints/step-000050}).
     */
    public static List<String> recoverAll(Path parent) {
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(parent)) return done;
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
            for (Path p : entries) {
                Matcher m = LEFTOVER.matcher(p.getFileName().toString());
                if (m.matches()) names.add(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + parent + ": " + e.getMessage(), e);
        }
        for (String n : names) done.addAll(recover(parent.resolve(n)));
        return done;
    }

    private static final Pattern LEFTOVER = Pattern.compile("\\.(.+)\\.(?:tmp|old)-[0-9a-f]{8}");

    /** Read per call so a test can switch it off for its own saves only. */
    private static boolean fsync() {
        return !"false".equalsIgnoreCase(System.getProperty("r1j.fsync"));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Same parent directory, so this only happens on odd file systems; a plain rename is still one step.
            Files.move(from, to);
        }
    }

    /** Recursively deletes {@code dir} (no-op when absent). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void syncTree(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    syncTree(p);
                } else if (Files.isRegularFile(p)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            }
        }
        syncDir(dir);
    }

    /** Flushes a directory's entries; not every platform allows opening a directory, so failure is tolerated. */
    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the rename itself is still atomic
        }
    }
}
