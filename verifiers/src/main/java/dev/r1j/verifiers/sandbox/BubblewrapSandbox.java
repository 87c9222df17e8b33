package dev.r1j.verifiers.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link Sandbox} built from bubblewrap, setpriv and prlimit (the combination measured to work on these
 * machines, where cgroups are read-only and everything runs as root):
 * <ul>
 *   <li>new pid, net, ipc and uts namespaces: no network at all (not even localhost), and when the command's
 *       main process ends the namespace's init dies and the kernel kills every process left in it;</li>
 *   <li>{@code --die-with-parent}: if the JVM dies the tree dies too; {@code --new-session}: no terminal access;</li>
 *   <li>the host root read-only, {@link BubblewrapConfig#hiddenPaths()} covered by empty root-owned tmpfs,
 *       /proc an empty tmpfs (no view of other processes, no /proc/self/mem), the work directory a
 *       size-limited tmpfs, the inputs a read-only bind;</li>
 *   <li>a cleared environment; uid/gid 65534 with no supplementary groups and no-new-privs (root would
 *       ignore RLIMIT_NPROC); rlimits on CPU, address space, processes, file size, open files, no core.</li>
 * </ul>
 * The JVM enforces the wall clock and the output cap by killing the tree. Any failure to set up or start
 * is a {@link SandboxException}.
 *
 * <pre>{@code
 * SandboxResult r = BubblewrapSandbox.createDefault()
 *         .run(SandboxRequest.of(List.of("/bin/sh", "-c", "id -u"), SandboxLimits.defaults()));
 * // r.stdoutText() is "65534\n"
 * }</pre>
 */
public final class BubblewrapSandbox implements Sandbox {
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Pipe pumps (2-3 per run); daemon threads so a stuck pipe never keeps the JVM alive. */
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sandbox-pump-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    /** Messages with which bwrap/setpriv/prlimit report that they could not set the sandbox up. */
    private static final List<String> SETUP_FAILURE_PREFIXES = List.of("bwrap: ", "setpriv: ", "prlimit: ");

    private final BubblewrapConfig config;

    public BubblewrapSandbox(BubblewrapConfig config) {
        this.config = config;
    }

    /** A sandbox with {@link BubblewrapConfig#defaults()}. */
    public static BubblewrapSandbox createDefault() {
        return new BubblewrapSandbox(BubblewrapConfig.defaults());
    }

    public BubblewrapConfig config() {
        return config;
    }

    @Override
    public SandboxResult run(SandboxRequest request) {
        for (Path tool : List.of(config.bwrap(), config.setpriv(), config.prlimit())) {
            if (!Files.isExecutable(tool)) {
                throw new SandboxException("sandbox tool not found or not executable: " + tool
                        + " (install bubblewrap and util-linux, e.g. scripts/setup-machine)");
            }
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory("r1j-sandbox-");
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Map.Entry<String, byte[]> f : request.inputFiles().entrySet()) {
                Path p = staging.resolve(f.getKey());
                Files.write(p, f.getValue());
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
            return launch(commandLine(request, staging), request);
        } catch (IOException e) {
            throw new SandboxException("cannot prepare or start the sandbox: " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    /** The full bwrap command line for a request whose inputs are staged in {@code staging}. */
    List<String> commandLine(SandboxRequest request, Path staging) {
        SandboxLimits lim = request.limits();
        List<String> c = new ArrayList<>();
        c.add(config.bwrap().toString());
        c.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session",
                "--ro-bind", "/", "/", "--dev", "/dev", "--tmpfs", "/proc"));
        List<Path> hidden = hiddenRoots();
        for (Path h : hidden) {
            c.addAll(List.of("--tmpfs", h.toString()));
        }
        for (Path bind : request.readOnlyBinds()) {
            Path abs = bind.toAbsolutePath().normalize();
            Path root = hidden.stream().filter(abs::startsWith).findFirst().orElse(null);
            if (root == null || root.equals(abs)) {
                continue; // already visible read-only through the root bind
            }
            // bwrap would create the intermediate directories 0700 (unreadable for the sandbox uid)
            for (Path p = root.resolve(root.relativize(abs).getName(0)); !p.equals(abs);
                 p = p.resolve(abs.getName(p.getNameCount()))) {
                c.addAll(List.of("--perms", "0755", "--dir", p.toString()));
            }
            c.addAll(List.of("--ro-bind", abs.toString(), abs.toString()));
        }
        c.addAll(List.of("--perms", "1777", "--size", Long.toString(lim.workDirBytes()), "--tmpfs", WORK_DIR,
                "--ro-bind", staging.toString(), INPUT_DIR,
                "--chdir", WORK_DIR, "--clearenv",
                "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
                "--setenv", "HOME", WORK_DIR, "--setenv", "TMPDIR", WORK_DIR, "--setenv", "LANG", "C.UTF-8"));
        for (Map.Entry<String, String> e : request.env().entrySet()) {
            c.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        c.add("--");
        c.addAll(List.of(config.setpriv().toString(), "--reuid=" + config.uid(), "--regid=" + config.uid(),
                "--clear-groups", "--no-new-privs", "--"));
        c.addAll(List.of(config.prlimit().toString(),
                "--cpu=" + lim.cpuSeconds(), "--as=" + lim.memoryBytes(), "--nproc=" + lim.maxProcesses(),
                "--fsize=" + lim.maxFileBytes(), "--nofile=" + lim.maxOpenFiles(), "--core=0", "--"));
        c.addAll(request.command());
        return c;
    }

    /** Existing hidden paths, minus those inside another hidden path (already covered); /tmp always. */
    private List<Path> hiddenRoots() {
        List<Path> all = new ArrayList<>();
        all.add(Path.of("/tmp")); // the work and input mounts live under it
        for (Path p : config.hiddenPaths()) {
            Path abs = p.toAbsolutePath().normalize();
            if (abs.getNameCount() > 0 && Files.isDirectory(abs)) {
                all.add(abs);
            }
        }
        all.sort(Comparator.comparingInt(Path::getNameCount));
        List<Path> roots = new ArrayList<>();
        for (Path p : all) {
            if (roots.stream().noneMatch(p::startsWith)) {
                roots.add(p);
            }
        }
        return roots;
    }

    private SandboxResult launch(List<String> command, SandboxRequest request) throws IOException {
        long t0 = System.nanoTime();
        Process proc;
        try {
            proc = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new SandboxException("cannot start " + config.bwrap() + ": " + e.getMessage(), e);
        }
        AtomicBoolean overflow = new AtomicBoolean();
        Runnable onOverflow = () -> {
            overflow.set(true);
            killTree(proc);
        };
        long cap = request.limits().maxOutputBytes();
        BoundedCollector out = new BoundedCollector(proc.getInputStream(), cap, onOverflow);
        BoundedCollector err = new BoundedCollector(proc.getErrorStream(), cap, onOverflow);
        Future<?> fo = PUMPS.submit(out);
        Future<?> fe = PUMPS.submit(err);
        Future<?> fi = PUMPS.submit(() -> {
            try (OutputStream stdin = proc.getOutputStream()) {
                stdin.write(request.stdin());
            } catch (IOException e) {
                // the program exited or closed stdin without reading it all: not our failure
            }
        });
        boolean timedOut = false;
        try {
            if (!proc.waitFor(request.limits().wallClock().toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killTree(proc);
            }
            // the namespace init has died, so every pipe writer is dead: the pumps finish promptly
            awaitPump(fo, proc);
            awaitPump(fe, proc);
            awaitPump(fi, proc);
            if (!proc.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(proc);
                throw new SandboxException("sandbox process did not terminate after being killed");
            }
        } catch (InterruptedException e) {
            killTree(proc);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for the sandbox", e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        int exit = proc.exitValue();
        byte[] stderr = err.bytes();
        if (!timedOut && !overflow.get() && exit != 0) {
            String text = new String(stderr, 0, Math.min(stderr.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
            for (String prefix : SETUP_FAILURE_PREFIXES) {
                if (text.startsWith(prefix)) {
                    throw new SandboxException("sandbox failed to start: " + text.lines().findFirst().orElse(text));
                }
            }
        }
        return new SandboxResult(timedOut || overflow.get() ? -1 : exit, out.bytes(), stderr,
                out.truncated(), err.truncated(), timedOut, overflow.get(), elapsed);
    }

    private static void awaitPump(Future<?> f, Process proc) throws InterruptedException {
        try {
            f.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            killTree(proc);
            f.cancel(true);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SandboxException("sandbox output pump failed", e.getCause());
        }
    }

    /** Kills bwrap and everything below it; killing the namespace init makes the kernel kill the rest. */
    private static void killTree(Process proc) {
        try (Stream<ProcessHandle> d = proc.toHandle().descendants()) {
            d.forEach(ProcessHandle::destroyForcibly);
        }
        proc.destroyForcibly();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover staging directory only holds our own inputs; nothing to fail the verdict over
        }
    }
}
