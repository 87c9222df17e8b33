package dev.r1j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes one <a href="https://github.com/huggingface/safetensors">safetensors</a> file: an 8-byte
 * little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}}), then the raw
 * little-endian tensor data, offsets relative to the end of the header.
 *
 * <p>Floating-point tensors (F64, F32, F16, BF16) are read as float32 arrays; the 16-bit formats are widened in
 * Java, because a BF16 NDArray aborts the JVM under DJL 0.36. Integer tensors keep an integer type (I64, I32, I8,
 * U8; I16 widens to int32; BOOL to boolean). Files are memory-mapped tensor by tensor, so a large file is never
 * held in memory whole.
 *
 * <pre>{@code
 * Map<String, NDArray> weights = SafeTensors.read(Path.of("model.safetensors"), manager);
 * SafeTensors.write(Path.of("out.safetensors"), weights);               // F32, {"format": "pt"}
 * SafeTensors.write(Path.of("half.safetensors"), weights, DType.BF16, Map.of("format", "pt"));
 * }</pre>
 */
public final class SafeTensors {
    /** The header of a file: where each tensor lies, and the free-form string metadata. */
    public record Header(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {}

    /** Where one tensor lies in a file: {@code [begin, end)} relative to the start of the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        /** Number of elements (1 for a scalar). */
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** Size in bytes of the data. */
        public long byteSize() {
            return end - begin;
        }
    }

    /** The header metadata Hugging Face writes for PyTorch checkpoints. */
    public static final Map<String, String> PT_METADATA = Map.of("format", "pt");

    /** The Rust implementation refuses headers above 100 MB; so do we, rather than allocating whatever a file claims. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensors() {}

    /** Reads every tensor of {@code file} into arrays owned by {@code manager}, in header order. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (Reader reader = open(file)) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (String name : reader.header().tensors().keySet()) {
                out.put(name, reader.read(name, manager));
            }
            return out;
        }
    }

    /** Reads and validates only the header of {@code file}. */
    public static Header readHeader(Path file) {
        try (Reader reader = open(file)) {
            return reader.header();
        }
    }

    /** Opens {@code file} and validates its header; read tensors one at a time, then close. */
    public static Reader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return new Reader(file, channel, parseHeader(file, channel));
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Writes {@code tensors} as F32 with metadata {@code {"format": "pt"}}. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        write(file, tensors, DType.F32, PT_METADATA);
    }

    /**
     * Writes {@code tensors}, sorted by name as Hugging Face does. Floating-point arrays are stored as
     * {@code floatType} (F32, F16 or BF16; rounding to nearest even); integer and boolean arrays keep their type.
     */
    public static void write(Path file, Map<String, NDArray> tensors, DType floatType, Map<String, String> metadata) {
        if (floatType != DType.F32 && floatType != DType.F16 && floatType != DType.BF16) {
            throw new IllegalArgumentException("float type must be F32, F16 or BF16, got " + floatType);
        }
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        Map<String, DType> types = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor may not be named " + METADATA_KEY);
            }
            NDArray array = e.getValue();
            DType dtype = storedType(e.getKey(), array.getDataType(), floatType);
            types.put(e.getKey(), dtype);
            long bytes = Math.multiplyExact(array.size(), (long) dtype.bytes());
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Pad with spaces so the data starts 8-byte aligned, as the Rust implementation does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
            writeFully(out, len);
            writeFully(out, ByteBuffer.wrap(headerBytes));
            for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
                writeFully(out, encode(e.getValue(), types.get(e.getKey())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** An open file whose header has been validated. Not thread-safe; close it to release the file. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final Header header;

        private Reader(Path file, FileChannel channel, Header header) {
            this.file = file;
            this.channel = channel;
            this.header = header;
        }

        public Header header() {
            return header;
        }

        /** Reads tensor {@code name} into an array owned by {@code manager} (float32 for floating types). */
        public NDArray read(String name, NDManager manager) {
            TensorInfo info = info(name);
            ByteBuffer data = map(info);
            Shape shape = new Shape(info.shape());
            int n = (int) info.numel();
            NDArray array;
            switch (info.dtype()) {
                case F64, F32, F16, BF16 -> array = manager.create(toFloats(data, info.dtype(), n), shape);
                case I64 -> {
                    long[] v = new long[n];
                    data.asLongBuffer().get(v);
                    array = manager.create(v, shape);
                }
                case I32 -> {
                    int[] v = new int[n];
                    data.asIntBuffer().get(v);
                    array = manager.create(v, shape);
                }
                case I16 -> {
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = data.getShort(2 * i);
                    }
                    array = manager.create(v, shape);
                }
                case I8 -> {
                    byte[] v = new byte[n];
                    data.get(v);
                    array = manager.create(v, shape);
                }
                case U8 -> {
                    ByteBuffer copy = ByteBuffer.allocateDirect(n);
                    copy.put(data).flip();
                    array = manager.create(copy, shape, DataType.UINT8);
                }
                case BOOL -> {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = data.get(i) != 0;
                    }
                    array = manager.create(v, shape);
                }
                default -> throw new IllegalStateException("unhandled " + info.dtype());
            }
            array.setName(name);
            return array;
        }

        /** Reads a floating-point tensor as float32 values in row-major order, without DJL. */
        public float[] readFloats(String name) {
            TensorInfo info = info(name);
            if (!info.dtype().isFloating()) {
                throw new CheckpointFormatException(
                        file + ": tensor '" + name + "' has dtype " + info.dtype() + ", not a floating-point type");
            }
            return toFloats(map(info), info.dtype(), (int) info.numel());
        }

        private TensorInfo info(String name) {
            TensorInfo info = header.tensors().get(name);
            if (info == null) {
                throw new CheckpointFormatException(file + ": no tensor named '" + name + "'");
            }
            return info;
        }

        private ByteBuffer map(TensorInfo info) {
            if (info.byteSize() > Integer.MAX_VALUE) {
                throw new CheckpointFormatException(
                        file + ": tensor '" + info.name() + "' is larger than 2 GiB, which this reader cannot map");
            }
            try {
                MappedByteBuffer mapped = channel.map(
                        FileChannel.MapMode.READ_ONLY, header.dataStart() + info.begin(), info.byteSize());
                return mapped.order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot map tensor '" + info.name() + "'", e);
            }
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private static float[] toFloats(ByteBuffer data, DType dtype, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> data.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) data.getDouble(8 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(data.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(data.getShort(2 * i));
                }
            }
            default -> throw new IllegalStateException(dtype + " is not floating");
        }
        return out;
    }

    private static DType storedType(String name, DataType type, DType floatType) {
        return switch (type) {
            case FLOAT32, FLOAT64, FLOAT16 -> floatType;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException(
                    "tensor '" + name + "': cannot store DJL type " + type + " in safetensors");
        };
    }

    private static ByteBuffer encode(NDArray array, DType dtype) {
        int n = Math.toIntExact(array.size());
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(n, dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32, F16, BF16 -> {
                float[] v = array.getDataType() == DataType.FLOAT32
                        ? array.toFloatArray()
                        : array.toType(DataType.FLOAT32, false).toFloatArray();
                if (dtype == DType.F32) {
                    buf.asFloatBuffer().put(v);
                } else {
                    for (int i = 0; i < n; i++) {
                        buf.putShort(2 * i,
                                dtype == DType.F16 ? HalfFloats.floatToF16(v[i]) : HalfFloats.floatToBf16(v[i]));
                    }
                }
            }
            case I64 -> buf.asLongBuffer().put(array.toLongArray());
            case I32 -> buf.asIntBuffer().put(array.toIntArray());
            case I8, U8 -> buf.put(array.toByteArray());
            case BOOL -> {
                boolean[] v = array.toBooleanArray();
                for (int i = 0; i < n; i++) {
                    buf.put(i, (byte) (v[i] ? 1 : 0));
                }
            }
            default -> throw new IllegalStateException("unhandled " + dtype);
        }
        buf.position(0);
        return buf;
    }

    private static Header parseHeader(Path file, FileChannel channel) {
        long fileSize;
        try {
            fileSize = channel.size();
            if (fileSize < 8) {
                throw notSafetensors(file, "it has " + fileSize + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > MAX_HEADER_BYTES) {
                throw notSafetensors(file, "header length " + Long.toUnsignedString(n)
                        + " is outside [2, " + MAX_HEADER_BYTES + "]");
            }
            if (8 + n > fileSize) {
                throw notSafetensors(file, "header length " + n + " runs past the end of the file ("
                        + fileSize + " bytes)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(channel, json, 8);
            return parseJson(file, json.array(), 8 + n, fileSize - 8 - n);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Header parseJson(Path file, byte[] bytes, long dataStart, long dataLength) {
        if (bytes[0] != '{') {
            throw notSafetensors(file, "the header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw notSafetensors(file, "the header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw notSafetensors(file, "the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                if (!e.getValue().isObject()) {
                    throw new CheckpointFormatException(file + ": " + METADATA_KEY + " must be an object of strings");
                }
                e.getValue().fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new CheckpointFormatException(file + ": " + METADATA_KEY + "." + m.getKey()
                                + " must be a string, got " + m.getValue().getNodeType());
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
            } else {
                tensors.put(e.getKey(), parseTensor(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkNoOverlap(file, tensors.values());
        return new Header(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata),
                dataStart);
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataLength) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new CheckpointFormatException(where + ": expected an object {dtype, shape, data_offsets}");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointFormatException(where + ": missing string field 'dtype'");
        }
        DType dtype = DType.fromHeader(dtypeNode.asText());
        if (dtype == null) {
            throw new CheckpointFormatException(where + ": unknown dtype '" + dtypeNode.asText()
                    + "' (known: " + DType.knownNames() + ")");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new CheckpointFormatException(where + ": missing array field 'shape'");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointFormatException(where + ": shape[" + i + "] must be a non-negative integer, got "
                        + d);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointFormatException(where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new CheckpointFormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataLength + " bytes");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.numel(), (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(where + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (expected != end - begin) {
            throw new CheckpointFormatException(where + ": data_offsets [" + begin + ", " + end + "] hold "
                    + (end - begin) + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + expected);
        }
        return info;
    }

    private static void checkNoOverlap(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.removeIf(t -> t.byteSize() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new CheckpointFormatException(file + ": tensors '" + prev.name() + "' [" + prev.begin() + ", "
                        + prev.end() + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end()
                        + ") overlap");
            }
        }
    }

    private static CheckpointFormatException notSafetensors(Path file, String why) {
        return new CheckpointFormatException(file + ": not a safetensors file: " + why);
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = channel.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
