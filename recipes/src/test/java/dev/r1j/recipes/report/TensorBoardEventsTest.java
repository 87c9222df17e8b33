package dev.r1j.recipes.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event files are read back by an independent reader written from the formats' specifications: TFRecord
 * framing with a bit-by-bit CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and its mask, and a minimal
 * protocol-buffer decoder of {@code Event}/{@code Summary}/{@code Summary.Value}.
 */
public class TensorBoardEventsTest {
    /** One decoded Event: wall time, step, file_version (or null), and the scalar (tag, value) or null. */
    public record Event(double wallTime, long step, String fileVersion, String tag, Float value) {}

    @Test
    void crc32cMatchesThePublishedCheckValue() {
        // the CRC-32C check value of "123456789" (RFC 3720 / the CRC catalogue): 0xE3069283
        assertEquals(0xE3069283, crc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
        int c = crc32c("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8,
                TensorBoardWriter.maskedCrc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void writtenScalarsReadBackThroughTheFormat(@TempDir Path dir) throws Exception {
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.create(dir.resolve("02-grpo"))) {
            w.scalar("reward_mean", 1, 1_700_000_000.25, 0.125);
            w.scalar("reward/format_mean", 300, 1_700_000_100.5, -2.5);
            w.scalar("kl", 1L << 40, 1_700_000_200.0, 1e-3);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d+\\.r1j"), file.toString());
        List<Event> events = readRecords(file);
        assertEquals(4, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(new Event(1_700_000_000.25, 1, null, "reward_mean", 0.125f), events.get(1));
        assertEquals(new Event(1_700_000_100.5, 300, null, "reward/format_mean", -2.5f), events.get(2));
        assertEquals(new Event(1_700_000_200.0, 1L << 40, null, "kl", 1e-3f), events.get(3));
    }

    @Test
    void exportWritesOneRunPerStageWithHeldOutEvaluations(@TempDir Path run) throws Exception {
        PlotsTest.writeRun(run);
        PlotsTest.writeEval(run, "01-eval", "base", 0.2);
        PlotsTest.writeEval(run, "03-eval", "after grpo", 0.7);
        List<Path> files = TensorBoardExport.write(run);
        assertEquals(List.of("00-pretrain", "02-grpo"), files.stream().map(p -> p.getParent().getFileName().toString()).toList());
        List<Event> grpo = readRecords(files.get(1));
        assertEquals(1 + 40 * 4 + 4, grpo.size(), "version, 40 steps x 4 scalars, heldout accuracy/reward before and after");
        Event last = grpo.stream().filter(e -> "reward_mean".equals(e.tag()) && e.step() == 40).findFirst().orElseThrow();
        assertEquals((float) (Math.min(1, 40 / 30.0) * 0.8), last.value());
        List<Event> heldout = grpo.stream().filter(e -> "heldout/accuracy".equals(e.tag())).toList();
        assertEquals(Map.of(0L, 0.2f, 40L, 0.7f), Map.of(heldout.get(0).step(), heldout.get(0).value(),
                heldout.get(1).step(), heldout.get(1).value()));
        // rewritten, not appended, on a second export (a resumed run)
        TensorBoardExport.write(run);
        try (var s = Files.list(run.resolve("tensorboard/02-grpo"))) {
            assertEquals(1, s.count());
        }
    }

    /** Every record of a TFRecord file, CRCs checked, each decoded as an Event. */
    public static List<Event> readRecords(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(masked(crc32c(len)), b.getInt(), "length CRC of record " + out.size());
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = new byte[Math.toIntExact(n)];
            b.get(data);
            assertEquals(masked(crc32c(data)), b.getInt(), "data CRC of record " + out.size());
            out.add(decodeEvent(data));
        }
        return out;
    }

    private static Event decodeEvent(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double wall = 0;
        long step = 0;
        String version = null;
        String tag = null;
        Float value = null;
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 1) {
                wall = b.getDouble();
            } else if (field == 2 && wire == 0) {
                step = varint(b);
            } else if (field == 3 && wire == 2) {
                version = new String(bytes(b), StandardCharsets.UTF_8);
            } else if (field == 5 && wire == 2) {
                ByteBuffer summary = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
                long k = varint(summary);
                assertEquals((1 << 3) | 2, k, "Summary.value");
                ByteBuffer v = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                while (v.hasRemaining()) {
                    long vk = varint(v);
                    if (vk == ((1 << 3) | 2)) {
                        tag = new String(bytes(v), StandardCharsets.UTF_8);
                    } else if (vk == ((2 << 3) | 5)) {
                        value = v.getFloat();
                    } else {
                        throw new AssertionError("unexpected Summary.Value field key " + vk);
                    }
                }
            } else {
                throw new AssertionError("unexpected Event field " + field + " wire type " + wire);
            }
        }
        return new Event(wall, step, version, tag, value);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[Math.toIntExact(varint(b))];
        b.get(out);
        return out;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }

    /** CRC-32C bit by bit, from the definition (reflected, init and final xor 0xFFFFFFFF). */
    static int crc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte d : data) {
            crc ^= d & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    private static int masked(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }
}
