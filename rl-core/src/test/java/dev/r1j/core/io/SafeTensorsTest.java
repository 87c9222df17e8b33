package dev.r1j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.testing.RootManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @RootManager private static NDManager manager;

    @TempDir
    Path dir;

    /** Builds a file exactly as the format's spec says, independently of {@link SafeTensors#write}. */
    static byte[] handWritten(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header).put(data);
        return buf.array();
    }

    static byte[] le16(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void readsAHandWrittenFileWithF32F16Bf16AndI64() throws IOException {
        ByteBuffer f32 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f32.putFloat(1.5f).putFloat(-2.25f).putFloat(3e-5f).putFloat(1e20f);
        // F16 bit patterns worked by hand: 1.0, -2.0, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0.
        byte[] f16 = le16(0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000);
        // BF16: 1.0, -3.5, 0x4049 = 3.140625, 0x7F80 = +inf.
        byte[] bf16 = le16(0x3F80, 0xC060, 0x4049, 0x7F80);
        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-7).putLong(1L << 40);
        byte[] data = concat(f32.array(), f16, bf16, i64.array());
        // Offsets are given out of name order and the header is left unpadded: both are legal.
        String header = "{\"w.f32\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b.bf16\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[28,36]},"
                + "\"a.f16\":{\"dtype\":\"F16\",\"shape\":[3,2],\"data_offsets\":[16,28]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[36,52]}}";
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, handWritten(header, data));

        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> t = SafeTensors.read(file, m);
            assertEquals(List.of("w.f32", "b.bf16", "a.f16", "ids"), new ArrayList<>(t.keySet()));
            assertEquals(new Shape(2, 2), t.get("w.f32").getShape());
            assertEquals(DataType.FLOAT32, t.get("w.f32").getDataType());
            assertArrayEquals(new float[] {1.5f, -2.25f, 3e-5f, 1e20f}, t.get("w.f32").toFloatArray());
            assertEquals(new Shape(3, 2), t.get("a.f16").getShape());
            assertEquals(DataType.FLOAT32, t.get("a.f16").getDataType());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, (float) Math.pow(2, -24), -0f},
                    t.get("a.f16").toFloatArray());
            assertEquals(DataType.FLOAT32, t.get("b.bf16").getDataType());
            assertArrayEquals(new float[] {1f, -3.5f, 3.140625f, Float.POSITIVE_INFINITY},
                    t.get("b.bf16").toFloatArray());
            assertEquals(DataType.INT64, t.get("ids").getDataType());
            assertArrayEquals(new long[] {-7, 1L << 40}, t.get("ids").toLongArray());
            assertEquals("b.bf16", t.get("b.bf16").getName());
        }
        assertEquals(Map.of("format", "pt"), SafeTensors.readHeader(file).metadata());
    }

    @Test
    void writesTheLayoutTheSpecDescribes() throws IOException {
        Path file = dir.resolve("out.safetensors");
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("zeta", m.create(new float[] {1, 2, 3}, new Shape(3)));
            tensors.put("alpha", m.create(new float[] {4, 5, 6, 7, 8, 9}, new Shape(2, 3)));
            tensors.put("scalar", m.create(2.5f));
            SafeTensors.write(file, tensors);
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertEquals(0, (8 + n) % 8, "data section must start 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.stripTrailing().endsWith("}"), "padding is trailing spaces");
        JsonNode json = new ObjectMapper().readTree(header);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("__metadata__", "alpha", "scalar", "zeta"), keys, "metadata first, then by name");
        assertEquals("pt", json.get("__metadata__").get("format").asText());
        // Offsets follow name order with no gaps.
        assertEquals("[0,24]", json.get("alpha").get("data_offsets").toString());
        assertEquals("[24,28]", json.get("scalar").get("data_offsets").toString());
        assertEquals("[28,40]", json.get("zeta").get("data_offsets").toString());
        assertEquals("[]", json.get("scalar").get("shape").toString());
        assertEquals(8 + n + 40, bytes.length);
        buf.position((int) (8 + n));
        float[] data = new float[10];
        buf.asFloatBuffer().get(data);
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 2.5f, 1, 2, 3}, data);
    }

    @Test
    void roundTripsRandomTensorsExactlyInF32AndWithinRoundingInBf16AndF16() {
        Random rnd = new Random(7);
        float[] values = new float[257];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rnd.nextGaussian() * 3);
        }
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> tensors = Map.of(
                    "w", m.create(values, new Shape(257)),
                    "ids", m.create(new long[] {3, -1, 99}),
                    "i32", m.create(new int[] {5, -6}));
            for (DType type : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                Path file = dir.resolve("rt-" + type + ".safetensors");
                SafeTensors.write(file, tensors, type, SafeTensors.PT_METADATA);
                assertEquals(type, SafeTensors.readHeader(file).tensors().get("w").dtype());
                Map<String, NDArray> back = SafeTensors.read(file, m);
                float[] got = back.get("w").toFloatArray();
                // Relative error bound of round-to-nearest, 2^-p for p significand bits (bf16: 8, f16: 11).
                double tol = type == DType.F32 ? 0 : type == DType.BF16 ? Math.pow(2, -8) : Math.pow(2, -11);
                for (int i = 0; i < values.length; i++) {
                    assertTrue(Math.abs(got[i] - values[i]) <= tol * Math.abs(values[i]) + 1e-7,
                            type + " value " + i + ": " + values[i] + " -> " + got[i]);
                }
                assertArrayEquals(new long[] {3, -1, 99}, back.get("ids").toLongArray());
                assertArrayEquals(new int[] {5, -6}, back.get("i32").toIntArray());
            }
        }
    }

    @Test
    void f16ConversionAgreesWithABruteForceNearestHalf() {
        // Every finite half, as a float, in increasing order of value for the non-negative ones.
        float[] grid = new float[0x7C00];
        for (int h = 0; h < 0x7C00; h++) {
            grid[h] = HalfFloats.f16ToFloat((short) h);
            if (h > 0) {
                assertTrue(grid[h] > grid[h - 1]);
            }
            assertEquals(h, HalfFloats.floatToF16(grid[h]) & 0xffff, "exact halves map back to themselves");
        }
        Random rnd = new Random(3);
        for (int i = 0; i < 20000; i++) {
            float f = (float) (Math.exp(rnd.nextDouble() * 24 - 18));
            int expected = nearest(grid, f);
            assertEquals(expected, HalfFloats.floatToF16(f) & 0xffff, "for " + f);
            assertEquals(expected | 0x8000, HalfFloats.floatToF16(-f) & 0xffff, "for " + -f);
        }
        assertEquals(0x7C00, HalfFloats.floatToF16(70000f) & 0xffff, "overflow is infinity");
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    }

    /** The nearest half to f (f >= 0), ties to the even bit pattern; beyond max it is infinity past the midpoint. */
    private static int nearest(float[] grid, float f) {
        int lo = 0;
        int hi = grid.length - 1;
        if (f >= grid[hi]) {
            double next = 65536.0; // where the next half would be
            return f - grid[hi] < next - f || (f - grid[hi] == next - f && (hi & 1) == 0) ? hi : 0x7C00;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (grid[mid] <= f) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double dl = (double) f - grid[lo];
        double dh = (double) grid[hi] - f;
        if (dl < dh) {
            return lo;
        }
        if (dh < dl) {
            return hi;
        }
        return (lo & 1) == 0 ? lo : hi;
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between bf16 1.0 (0x3F80) and 1 + 2^-7 (0x3F81): ties go to the even 0x3F80.
        assertEquals(0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f) & 0xffff);
        // 1 + 3*2^-8 lies between 0x3F81 and 0x3F82: tie to even 0x3F82.
        assertEquals(0x3F82, HalfFloats.floatToBf16(1f + 3 * 0x1p-8f) & 0xffff);
        assertEquals(0x3F81, HalfFloats.floatToBf16(1f + 0x1p-8f + 0x1p-20f) & 0xffff);
        assertEquals(0xC060, HalfFloats.floatToBf16(-3.5f) & 0xffff);
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private CheckpointFormatException readFails(Path file) {
        return assertThrows(CheckpointFormatException.class, () -> {
            try (NDManager m = manager.newSubManager()) {
                SafeTensors.read(file, m);
            }
        });
    }

    @Test
    void rejectsFilesThatAreNotSafetensors() throws IOException {
        Path tiny = writeBytes("tiny.safetensors", new byte[] {1, 2, 3});
        assertTrue(readFails(tiny).getMessage().contains("tiny.safetensors: not a safetensors file"));

        Path text = writeBytes("config.safetensors", "{\"model_type\": \"llama\"}\n".getBytes(StandardCharsets.UTF_8));
        String msg = readFails(text).getMessage();
        assertTrue(msg.contains("config.safetensors") && msg.contains("header length"), msg);

        byte[] longHeader = handWritten("{}", new byte[0]);
        ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        msg = readFails(writeBytes("past-end.safetensors", longHeader)).getMessage();
        assertTrue(msg.contains("past-end.safetensors") && msg.contains("runs past the end"), msg);

        msg = readFails(writeBytes("badjson.safetensors", handWritten("{\"a\": [1,", new byte[0]))).getMessage();
        assertTrue(msg.contains("badjson.safetensors") && msg.contains("not valid JSON"), msg);

        assertThrows(CheckpointFormatException.class, () -> SafeTensors.read(dir.resolve("missing.safetensors"),
                manager));
    }

    @Test
    void rejectsBadTensorEntriesNamingFileAndTensor() throws IOException {
        byte[] eight = new byte[8];
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", "unknown dtype 'F8_E4M3'");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "outside the data section");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "shape[0]");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "data_offsets");
        cases.put("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "'dtype'");
        cases.put("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = writeBytes("bad" + i++ + ".safetensors", handWritten(c.getKey(), eight));
            String msg = readFails(file).getMessage();
            assertTrue(msg.contains(file.toString()), msg);
            assertTrue(msg.contains("'w'") || msg.contains("'v'"), "names the tensor: " + msg);
            assertTrue(msg.contains(c.getValue()), "expected '" + c.getValue() + "' in: " + msg);
        }
        Path meta = writeBytes("meta.safetensors", handWritten("{\"__metadata__\":{\"step\":3}}", eight));
        assertTrue(readFails(meta).getMessage().contains("__metadata__.step must be a string"));
    }

    @Test
    void readsTensorsOneAtATimeWithoutDjl() throws IOException {
        Path file = dir.resolve("one.safetensors");
        try (NDManager m = manager.newSubManager()) {
            SafeTensors.write(file, Map.of("a", m.create(new float[] {1, 2}), "b", m.create(new float[] {3})),
                    DType.BF16, Map.of());
        }
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            assertArrayEquals(new float[] {3}, r.readFloats("b"));
            assertArrayEquals(new float[] {1, 2}, r.readFloats("a"));
            String msg = assertThrows(CheckpointFormatException.class, () -> r.readFloats("c")).getMessage();
            assertTrue(msg.contains("no tensor named 'c'"), msg);
            Iterator<String> names = r.header().tensors().keySet().iterator();
            assertEquals("a", names.next());
            assertTrue(r.header().metadata().isEmpty());
        }
    }
}
