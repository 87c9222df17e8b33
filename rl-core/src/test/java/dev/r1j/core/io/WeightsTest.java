package dev.r1j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.testing.RootManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
    @RootManager private static NDManager manager;

    @TempDir
    Path dir;

    private static Map<String, NDArray> tensors(NDManager m) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        // 100, 40, 60, 10 and 300 floats: 400, 160, 240, 40 and 1200 bytes.
        t.put("b.weight", m.arange(100f).reshape(10, 10));
        t.put("a.weight", m.arange(40f).mul(-1));
        t.put("c.bias", m.arange(60f).div(7));
        t.put("d.scale", m.ones(new Shape(10)));
        t.put("e.huge", m.arange(300f).reshape(3, 100));
        return t;
    }

    @Test
    void shardsInNameOrderUnderTheLimitAndReadsBack() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> t = tensors(m);
            List<Path> files = Weights.write(dir, t, DType.F32, 600);
            // Name order a(160) b(400) | c(240) d(40) | e(1200, alone although over the limit).
            List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                    "model-00003-of-00003.safetensors", Weights.INDEX_FILE), names);
            assertFalse(Files.exists(dir.resolve(Weights.SINGLE_FILE)));
            JsonNode index = new ObjectMapper().readTree(dir.resolve(Weights.INDEX_FILE).toFile());
            assertEquals(160 + 400 + 240 + 40 + 1200, index.get("metadata").get("total_size").asLong());
            List<String> keys = new ArrayList<>();
            index.get("weight_map").fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("a.weight", "b.weight", "c.bias", "d.scale", "e.huge"), keys);
            assertEquals("model-00001-of-00003.safetensors", index.get("weight_map").get("b.weight").asText());
            assertEquals("model-00002-of-00003.safetensors", index.get("weight_map").get("d.scale").asText());
            assertEquals("model-00003-of-00003.safetensors", index.get("weight_map").get("e.huge").asText());

            Map<String, NDArray> back = Weights.read(dir, m);
            assertEquals(t.keySet(), back.keySet());
            for (String n : t.keySet()) {
                assertEquals(t.get(n).getShape(), back.get(n).getShape(), n);
                assertArrayEquals(t.get(n).toFloatArray(), back.get(n).toFloatArray(), n);
            }
            assertArrayEquals(new long[] {3, 100}, Weights.describe(dir).get("e.huge").info().shape());

            // Rewriting small enough gives the single-file layout and removes the stale shards.
            List<Path> single = Weights.write(dir, Map.of("x", m.ones(new Shape(2))));
            assertEquals(List.of(dir.resolve(Weights.SINGLE_FILE)), single);
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(Weights.SINGLE_FILE), s.map(p -> p.getFileName().toString()).toList());
            }
            assertArrayEquals(new float[] {1, 1}, Weights.read(dir, m).get("x").toFloatArray());
        }
    }

    /** An index and two shards written byte by byte, as another program would. */
    @Test
    void readsAHandWrittenShardedCheckpoint() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-4f);
        Files.write(dir.resolve("part-a.safetensors"), SafeTensorsTest.handWritten(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", one.array()));
        Files.write(dir.resolve("part-b.safetensors"), SafeTensorsTest.handWritten(
                "{\"y\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[0,2]},"
                        + "\"unlisted\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}",
                SafeTensorsTest.le16(0x4000, 0x3F80)));
        Files.writeString(dir.resolve(Weights.INDEX_FILE), "{\"metadata\":{\"total_size\":10},\"weight_map\":"
                + "{\"y\":\"part-b.safetensors\",\"x\":\"part-a.safetensors\"}}");
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> w = Weights.read(dir, m);
            assertEquals(2, w.size(), "only the tensors the index lists");
            assertArrayEquals(new float[] {1.25f, -4f}, w.get("x").toFloatArray());
            assertArrayEquals(new float[] {2f}, w.get("y").toFloatArray());
            assertEquals(new Shape(1, 1), w.get("y").getShape());
        }
    }

    @Test
    void badShardedCheckpointsNameTheIndexAndTheProblem() throws IOException {
        Path index = dir.resolve(Weights.INDEX_FILE);
        String msg = assertThrows(CheckpointFormatException.class, () -> Weights.read(dir, manager)).getMessage();
        assertTrue(msg.contains("no weights") && msg.contains(Weights.SINGLE_FILE), msg);

        Files.writeString(index, "{\"weight_map\":{\"x\":\"model-00001-of-00002.safetensors\"}}");
        msg = assertThrows(CheckpointFormatException.class, () -> Weights.read(dir, manager)).getMessage();
        assertTrue(msg.contains(index.toString()) && msg.contains("'model-00001-of-00002.safetensors'")
                && msg.contains("does not exist"), msg);

        Files.writeString(index, "{\"weight_map\":{\"x\":\"../elsewhere.safetensors\"}}");
        msg = assertThrows(CheckpointFormatException.class, () -> Weights.read(dir, manager)).getMessage();
        assertTrue(msg.contains("not a file in the checkpoint directory"), msg);

        Files.write(dir.resolve("s.safetensors"), SafeTensorsTest.handWritten("{}", new byte[0]));
        Files.writeString(index, "{\"weight_map\":{\"x\":\"s.safetensors\"}}");
        msg = assertThrows(CheckpointFormatException.class, () -> Weights.read(dir, manager)).getMessage();
        assertTrue(msg.contains("'x'") && msg.contains("s.safetensors") && msg.contains("no such tensor"), msg);

        Files.writeString(index, "{\"weight_map\": 3");
        msg = assertThrows(CheckpointFormatException.class, () -> Weights.read(dir, manager)).getMessage();
        assertTrue(msg.contains(index.toString()) && msg.contains("not valid JSON"), msg);
    }

    @Test
    void atomicDirectoryReplacesWholeOrNotAtAll() throws IOException {
        Path target = dir.resolve("ckpt");
        AtomicDirectory.write(target, tmp -> Files.writeString(tmp.resolve("a.txt"), "first"));
        assertEquals("first", Files.readString(target.resolve("a.txt")));

        AtomicDirectory.write(target, tmp -> {
            Files.writeString(tmp.resolve("b.txt"), "second");
            Files.createDirectories(tmp.resolve("sub"));
            Files.writeString(tmp.resolve("sub/c.txt"), "nested");
        });
        assertFalse(Files.exists(target.resolve("a.txt")), "old content is gone");
        assertEquals("second", Files.readString(target.resolve("b.txt")));
        assertEquals("nested", Files.readString(target.resolve("sub/c.txt")));

        IOException failure = new IOException("disk full (simulated)");
        UncheckedIOException thrown = assertThrows(UncheckedIOException.class, () -> AtomicDirectory.write(target,
                tmp -> {
                    Files.writeString(tmp.resolve("partial.txt"), "half");
                    throw failure;
                }));
        assertTrue(thrown.getMessage().contains("disk full"), thrown.getMessage());
        assertEquals("second", Files.readString(target.resolve("b.txt")), "a failed write leaves the old directory");
        assertFalse(Files.exists(target.resolve("partial.txt")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("ckpt"), s.map(p -> p.getFileName().toString()).toList(), "no temporary leftovers");
        }
    }
}
