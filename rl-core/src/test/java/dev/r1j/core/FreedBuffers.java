package dev.r1j.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Test support for issue 18: frees every Java direct buffer nothing references any more, now, so that a tensor
 * whose memory is such a buffer ({@code manager.create(javaData)} wraps it without copying) turns into garbage
 * at a known moment instead of at the next GC, which in a real run comes at a random step. Call {@link #now()}
 * between a forward and its backward pass: a gradient that changes is one read from freed memory.
 *
 * <pre>{@code
 * NDArray loss = ...forward...;
 * FreedBuffers.now();
 * collector.backward(loss);          // must give the gradient a run without the collection gives, bit for bit
 * }</pre>
 */
public final class FreedBuffers {
    private FreedBuffers() {}

    /**
     * Collects garbage until a sentinel direct buffer dropped here has been freed (its cleaner ran), so every
     * direct buffer that was unreachable before the call has been freed too.
     */
    public static void now() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long before = direct.getCount();
        ByteBuffer sentinel = ByteBuffer.allocateDirect(1);
        sentinel = null;
        for (int i = 0; i < 50 && direct.getCount() >= before + 1; i++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.gc(); // and once more for buffers whose wrappers the first round only made unreachable
    }

    /** A model that frees unreferenced direct buffers after every forward pass (and otherwise is {@code inner}). */
    public static CausalLM afterEveryForward(CausalLM inner) {
        return new CausalLM() {
            @Override
            public ModelConfig config() {
                return inner.config();
            }

            @Override
            public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache) {
                NDArray out = inner.forward(inputIds, attentionMask, cache);
                now();
                return out;
            }

            @Override
            public NDArray forwardPacked(NDArray inputIds, NDArray segmentIds) {
                NDArray out = inner.forwardPacked(inputIds, segmentIds);
                now();
                return out;
            }

            @Override
            public KVCache newCache(int batch, int maxLength) {
                return inner.newCache(batch, maxLength);
            }

            @Override
            public Map<String, NDArray> parameters() {
                return inner.parameters();
            }

            @Override
            public NDManager manager() {
                return inner.manager();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
