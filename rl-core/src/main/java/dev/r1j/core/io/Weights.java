package dev.r1j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face checkpoint directory: either one {@code model.safetensors}, or shards
 * {@code model-00001-of-0000N.safetensors} listed by {@code model.safetensors.index.json}
 * ({@code {"metadata": {"total_size": bytes}, "weight_map": {tensor: file}}}).
 *
 * <pre>{@code
 * Map<String, NDArray> w = Weights.read(dir, manager);
 * Weights.write(outDir, w, DType.F32, Weights.DEFAULT_MAX_SHARD_BYTES);
 * }</pre>
 */
public final class Weights {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** Hugging Face's default {@code max_shard_size} of "5GB" (decimal units, as it counts them). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** Where a tensor of the checkpoint lives. */
    public record Located(Path file, SafeTensors.TensorInfo info) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Weights() {}

    /** True when {@code dir} holds either weight layout. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE_FILE)) || Files.isRegularFile(dir.resolve(INDEX_FILE));
    }

    /**
     * Names, types and shapes of every tensor, read from the headers only. A single {@code model.safetensors} is
     * preferred over an index, as {@code transformers} does.
     */
    public static Map<String, Located> describe(Path dir) {
        Map<String, Located> out = new LinkedHashMap<>();
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            SafeTensors.readHeader(single).tensors().forEach((n, info) -> out.put(n, new Located(single, info)));
            return out;
        }
        Map<Path, List<String>> byFile = readIndex(dir);
        for (Map.Entry<Path, List<String>> e : byFile.entrySet()) {
            SafeTensors.Header header = SafeTensors.readHeader(e.getKey());
            for (String name : e.getValue()) {
                SafeTensors.TensorInfo info = header.tensors().get(name);
                if (info == null) {
                    throw new CheckpointFormatException(dir.resolve(INDEX_FILE) + ": weight_map puts tensor '" + name
                            + "' in " + e.getKey().getFileName() + ", which has no such tensor");
                }
                out.put(name, new Located(e.getKey(), info));
            }
        }
        return out;
    }

    /** Reads every tensor (floating types as float32) into arrays owned by {@code manager}. */
    public static Map<String, NDArray> read(Path dir, NDManager manager) {
        return read(dir, manager, null);
    }

    /** Reads the tensors named in {@code only} (all when {@code null}); names not in the checkpoint are skipped. */
    public static Map<String, NDArray> read(Path dir, NDManager manager, Set<String> only) {
        Map<String, Located> located = describe(dir);
        Map<Path, List<String>> byFile = new LinkedHashMap<>();
        located.forEach((name, loc) -> {
            if (only == null || only.contains(name)) {
                byFile.computeIfAbsent(loc.file(), f -> new ArrayList<>()).add(name);
            }
        });
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<Path, List<String>> e : byFile.entrySet()) {
            try (SafeTensors.Reader reader = SafeTensors.open(e.getKey())) {
                for (String name : e.getValue()) {
                    out.put(name, reader.read(name, manager));
                }
            }
        }
        return out;
    }

    /** Writes F32 weights, sharded above Hugging Face's default 5 GB. */
    public static List<Path> write(Path dir, Map<String, NDArray> tensors) {
        return write(dir, tensors, DType.F32, DEFAULT_MAX_SHARD_BYTES);
    }

    /**
     * Writes {@code tensors} into {@code dir} (which must exist): one {@code model.safetensors} when they fit in
     * {@code maxShardBytes}, else shards in name order plus the index. Stale weight files of either layout are
     * removed first. Returns the files written.
     */
    public static List<Path> write(Path dir, Map<String, NDArray> tensors, DType floatType, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        removeStale(dir);
        // Group in name order; a tensor larger than the limit gets a shard of its own, as in transformers.
        List<Map<String, NDArray>> shards = new ArrayList<>();
        Map<String, NDArray> current = new TreeMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, NDArray> e : new TreeMap<>(tensors).entrySet()) {
            long bytes = storedBytes(e.getValue(), floatType);
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new TreeMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        if (shards.size() == 1) {
            Path file = dir.resolve(SINGLE_FILE);
            SafeTensors.write(file, shards.get(0), floatType, SafeTensors.PT_METADATA);
            return List.of(file);
        }
        List<Path> files = new ArrayList<>();
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        Map<String, String> sortedMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            SafeTensors.write(file, shards.get(i), floatType, SafeTensors.PT_METADATA);
            files.add(file);
            shards.get(i).keySet().forEach(t -> sortedMap.put(t, name));
        }
        sortedMap.forEach(weightMap::put);
        Path indexFile = dir.resolve(INDEX_FILE);
        try {
            Files.writeString(indexFile, JSON.writeValueAsString(index) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(indexFile + ": cannot write: " + e.getMessage(), e);
        }
        files.add(indexFile);
        return Collections.unmodifiableList(files);
    }

    private static long storedBytes(NDArray array, DType floatType) {
        int elem = switch (array.getDataType()) {
            case FLOAT32, FLOAT64, FLOAT16 -> floatType.bytes();
            case INT64 -> 8;
            case INT32 -> 4;
            default -> 1;
        };
        return array.size() * elem;
    }

    /** Shard files by name, in first-appearance order, each with the tensors the index puts there. */
    private static Map<Path, List<String>> readIndex(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new CheckpointFormatException(dir + ": no weights: neither " + SINGLE_FILE + " nor " + INDEX_FILE
                    + " exists");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(index + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(index + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new CheckpointFormatException(index + ": missing or empty object 'weight_map' {tensor: file}");
        }
        Map<Path, List<String>> byFile = new LinkedHashMap<>();
        weightMap.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(index + ": weight_map." + e.getKey() + " must be a file name");
            }
            String fileName = e.getValue().asText();
            Path file = dir.resolve(fileName).normalize();
            if (!file.getParent().equals(dir.normalize()) || fileName.contains("/") || fileName.contains("\\")) {
                throw new CheckpointFormatException(index + ": weight_map." + e.getKey() + " names '" + fileName
                        + "', which is not a file in the checkpoint directory");
            }
            if (!Files.isRegularFile(file)) {
                throw new CheckpointFormatException(index + ": weight_map." + e.getKey() + " names shard '"
                        + fileName + "', which does not exist");
            }
            byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(e.getKey());
        });
        return byFile;
    }

    private static void removeStale(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.equals(SINGLE_FILE) || n.equals(INDEX_FILE)
                        || n.matches("model-\\d{5}-of-\\d{5}\\.safetensors")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot prepare for weights: " + e.getMessage(), e);
        }
    }
}
