package dev.r1j.recipes.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes scalars into a TensorBoard event file ({@code events.out.tfevents.<time>.r1j}), the format
 * {@code tensorboard --logdir} reads, without TensorFlow: each record is TFRecord-framed (little-endian 64-bit
 * length, masked CRC-32C of the length, the bytes, masked CRC-32C of the bytes) and holds an {@code Event} protocol
 * buffer encoded here by hand: {@code wall_time} (field 1, double), {@code step} (2, int64), {@code file_version}
 * (3, string; the first record, {@code "brain.Event:2"}) or {@code summary} (5) with one {@code Summary.Value}
 * ({@code tag} 1, {@code simple_value} 2 as float). The CRC is the JDK's {@link CRC32C}. Hand-written because the only
 * Java library that writes these files is TensorFlow's own (hundreds of MB of native code for four fields).
 *
 * <pre>{@code
 * try (TensorBoardWriter w = TensorBoardWriter.create(runDir.resolve("tensorboard/02-grpo"))) {
 *     w.scalar("reward_mean", 1, System.currentTimeMillis() / 1000.0, 0.41);
 * }
 * }</pre>
 */
public final class TensorBoardWriter implements AutoCloseable {
    static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;

    private TensorBoardWriter(Path file) throws IOException {
        this.file = file;
        this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
    }

    /** Creates {@code dir} and a new event file in it, whose first record names the file version. */
    public static TensorBoardWriter create(Path dir) {
        Path file = null;
        try {
            Files.createDirectories(dir);
            long seconds = System.currentTimeMillis() / 1000;
            file = dir.resolve("events.out.tfevents." + seconds + ".r1j");
            TensorBoardWriter w = new TensorBoardWriter(file);
            ByteArrayOutputStream event = new ByteArrayOutputStream();
            doubleField(event, 1, seconds);
            bytesField(event, 3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
            w.record(event.toByteArray());
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + (file == null ? dir : file) + ": " + e.getMessage(), e);
        }
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    /** One scalar point: {@code tag} at {@code step}, at {@code wallTime} seconds since the epoch. */
    public void scalar(String tag, long step, double wallTime, double value) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytesField(v, 1, tag.getBytes(StandardCharsets.UTF_8));
        tag(v, 2, 5);
        writeLittleEndian(v, Float.floatToIntBits((float) value), 4);
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        doubleField(event, 1, wallTime);
        tag(event, 2, 0);
        varint(event, step);
        bytesField(event, 5, summary.toByteArray());
        try {
            record(event.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void record(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(le32(maskedCrc32c(length)));
        out.write(data);
        out.write(le32(maskedCrc32c(data)));
    }

    /** TFRecord's masked CRC-32C: the CRC rotated right by 15 bits plus a constant. */
    static int maskedCrc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static void tag(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, ((long) field << 3) | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void doubleField(ByteArrayOutputStream out, int field, double v) {
        tag(out, field, 1);
        writeLittleEndian(out, Double.doubleToLongBits(v), 8);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        tag(out, field, 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long bits, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
    }
}
