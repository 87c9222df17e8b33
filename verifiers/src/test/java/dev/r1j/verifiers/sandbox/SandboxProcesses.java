package dev.r1j.verifiers.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Host-side view of processes running as the sandbox uid, to prove nothing outlives a run. */
public final class SandboxProcesses {
    private SandboxProcesses() {
    }

    /** Pids of live processes with real uid 65534 whose command line or environment contains {@code marker}. */
    public static List<Long> alive(String marker) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String status = Files.readString(p.resolve("status"));
                    if (!status.contains("\nUid:\t65534\t") || status.contains("\nState:\tZ")) {
                        continue;
                    }
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    if (cmd.contains(marker) || env.contains(marker)) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * Waits up to 15 s for every marked process to be gone; returns the survivors. Killed processes take a moment to
     * be reaped, longer at load 10-20 (3 s was too short there); the hostile programs that must not survive sleep 30 s
     * or more, so they are still caught.
     */
    public static List<Long> awaitNone(String marker) throws InterruptedException {
        List<Long> left = alive(marker);
        for (int i = 0; i < 150 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = alive(marker);
        }
        return left;
    }
}
