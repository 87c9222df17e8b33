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
import java.util.Comparator;
import java.util.UUID;
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
 * never deleted before the new directory is complete.
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
