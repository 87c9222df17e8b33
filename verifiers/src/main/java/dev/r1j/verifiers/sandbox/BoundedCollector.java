package dev.r1j.verifiers.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Drains one output stream of a child, keeping at most {@code cap} bytes. Beyond the cap it calls the
 * overflow action once (which kills the tree) and keeps reading and discarding until EOF, so the child can
 * never block on a full pipe and a 1 GB writer never costs more than {@code cap} bytes of heap.
 */
final class BoundedCollector implements Runnable {
    private final InputStream in;
    private final int cap;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile boolean truncated;

    BoundedCollector(InputStream in, long cap, Runnable onOverflow) {
        this.in = in;
        this.cap = (int) cap;
        this.onOverflow = onOverflow;
    }

    @Override
    public void run() {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int room = cap - kept.size();
                if (n <= room) {
                    kept.write(buf, 0, n);
                } else {
                    if (room > 0) {
                        kept.write(buf, 0, room);
                    }
                    if (!truncated) {
                        truncated = true;
                        onOverflow.run();
                    }
                }
            }
        } catch (IOException e) {
            // the pipe broke because the tree was killed: what we have is all there is
        }
    }

    byte[] bytes() {
        return kept.toByteArray();
    }

    boolean truncated() {
        return truncated;
    }
}
