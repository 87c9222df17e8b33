package dev.r1j.verifiers.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Resource limits for one sandboxed run. Every limit is enforced by the OS (rlimits under an unprivileged
 * uid, a size-limited tmpfs) or by the supervising JVM (wall clock, captured output), never by the code
 * under test.
 *
 * <pre>{@code
 * SandboxLimits limits = SandboxLimits.defaults().withWallClock(Duration.ofSeconds(3));
 * }</pre>
 *
 * @param wallClock      real time after which the whole process tree is killed
 * @param cpuSeconds     RLIMIT_CPU of each process (SIGXCPU/SIGKILL beyond it)
 * @param memoryBytes    RLIMIT_AS (address space) of each process
 * @param maxProcesses   RLIMIT_NPROC of the sandbox uid; note the kernel counts every process and thread
 *                       of that uid on the machine, so concurrent runs share it
 * @param maxOutputBytes bytes kept of stdout and of stderr each; a run writing more is killed and marked
 * @param maxFileBytes   RLIMIT_FSIZE: the largest file a process may write
 * @param workDirBytes   size of the tmpfs that is the work directory (bounds total disk/RAM use by files)
 * @param maxOpenFiles   RLIMIT_NOFILE
 */
public record SandboxLimits(Duration wallClock, int cpuSeconds, long memoryBytes, int maxProcesses,
                            long maxOutputBytes, long maxFileBytes, long workDirBytes, int maxOpenFiles) {

    public static final Duration DEFAULT_WALL_CLOCK = Duration.ofSeconds(10);

    public SandboxLimits {
        Objects.requireNonNull(wallClock, "wallClock");
        if (wallClock.isNegative() || wallClock.isZero()) {
            throw new IllegalArgumentException("sandbox limit wallClock must be > 0, got " + wallClock);
        }
        positive("cpuSeconds", cpuSeconds);
        if (memoryBytes < 16L << 20) {
            throw new IllegalArgumentException("sandbox limit memoryBytes must be >= 16 MiB (an interpreter needs it), got "
                    + memoryBytes);
        }
        positive("maxProcesses", maxProcesses);
        positive("maxOutputBytes", maxOutputBytes);
        if (maxOutputBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("sandbox limit maxOutputBytes must fit in memory (< 2 GiB), got " + maxOutputBytes);
        }
        positive("maxFileBytes", maxFileBytes);
        positive("workDirBytes", workDirBytes);
        if (maxOpenFiles < 8) {
            throw new IllegalArgumentException("sandbox limit maxOpenFiles must be >= 8, got " + maxOpenFiles);
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("sandbox limit " + name + " must be > 0, got " + v);
        }
    }

    /** 10 s wall, 5 s CPU, 1 GiB address space, 64 processes, 1 MiB output, 16 MiB files, 64 MiB work dir, 64 fds. */
    /** The option keys {@link #fromOptions} reads, each with its help and its value in {@code limits}. */
    public static java.util.List<dev.r1j.verifiers.VerifierOption> options(SandboxLimits limits) {
        return java.util.List.of(
                new dev.r1j.verifiers.VerifierOption("timeout_seconds", String.valueOf(limits.wallClock.toMillis() / 1000.0),
                        "real time after which the whole process tree is killed"),
                new dev.r1j.verifiers.VerifierOption("cpu_seconds", String.valueOf(limits.cpuSeconds), "CPU time of each process"),
                new dev.r1j.verifiers.VerifierOption("memory_mb", String.valueOf(limits.memoryBytes >> 20),
                        "address space of each process, MiB"),
                new dev.r1j.verifiers.VerifierOption("max_processes", String.valueOf(limits.maxProcesses),
                        "processes and threads of the sandbox user"),
                new dev.r1j.verifiers.VerifierOption("max_output_bytes", String.valueOf(limits.maxOutputBytes),
                        "bytes kept of stdout and of stderr; more is killed"),
                new dev.r1j.verifiers.VerifierOption("max_file_mb", String.valueOf(limits.maxFileBytes >> 20),
                        "largest file a process may write, MiB"),
                new dev.r1j.verifiers.VerifierOption("work_dir_mb", String.valueOf(limits.workDirBytes >> 20),
                        "size of the work directory's tmpfs, MiB"),
                new dev.r1j.verifiers.VerifierOption("max_open_files", String.valueOf(limits.maxOpenFiles), "open files per process"));
    }

    public static SandboxLimits defaults() {
        return new SandboxLimits(DEFAULT_WALL_CLOCK, 5, 1L << 30, 64, 1L << 20, 16L << 20, 64L << 20, 64);
    }

    public SandboxLimits withWallClock(Duration d) {
        return new SandboxLimits(d, cpuSeconds, memoryBytes, maxProcesses, maxOutputBytes, maxFileBytes, workDirBytes, maxOpenFiles);
    }

    public SandboxLimits withCpuSeconds(int s) {
        return new SandboxLimits(wallClock, s, memoryBytes, maxProcesses, maxOutputBytes, maxFileBytes, workDirBytes, maxOpenFiles);
    }

    public SandboxLimits withMemoryBytes(long b) {
        return new SandboxLimits(wallClock, cpuSeconds, b, maxProcesses, maxOutputBytes, maxFileBytes, workDirBytes, maxOpenFiles);
    }

    public SandboxLimits withMaxProcesses(int n) {
        return new SandboxLimits(wallClock, cpuSeconds, memoryBytes, n, maxOutputBytes, maxFileBytes, workDirBytes, maxOpenFiles);
    }

    public SandboxLimits withMaxOutputBytes(long b) {
        return new SandboxLimits(wallClock, cpuSeconds, memoryBytes, maxProcesses, b, maxFileBytes, workDirBytes, maxOpenFiles);
    }

    /**
     * Reads limits from recipe options, starting from {@link #defaults()}. Keys: {@code timeout_seconds},
     * {@code cpu_seconds}, {@code memory_mb}, {@code max_processes}, {@code max_output_bytes},
     * {@code max_file_mb}, {@code work_dir_mb}, {@code max_open_files}. Other keys are ignored (the caller
     * validates its own); a non-numeric value is an error naming the key.
     */
    public static SandboxLimits fromOptions(Map<String, Object> options) {
        SandboxLimits d = defaults();
        double timeout = number(options, "timeout_seconds", d.wallClock.toMillis() / 1000.0);
        return new SandboxLimits(
                Duration.ofMillis(Math.round(timeout * 1000)),
                (int) number(options, "cpu_seconds", d.cpuSeconds),
                (long) (number(options, "memory_mb", d.memoryBytes >> 20) * (1L << 20)),
                (int) number(options, "max_processes", d.maxProcesses),
                (long) number(options, "max_output_bytes", d.maxOutputBytes),
                (long) (number(options, "max_file_mb", d.maxFileBytes >> 20) * (1L << 20)),
                (long) (number(options, "work_dir_mb", d.workDirBytes >> 20) * (1L << 20)),
                (int) number(options, "max_open_files", d.maxOpenFiles));
    }

    private static double number(Map<String, Object> options, String key, double dflt) {
        Object v = options.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '" + key + "' must be a number, got '" + v + "'");
        }
    }
}
