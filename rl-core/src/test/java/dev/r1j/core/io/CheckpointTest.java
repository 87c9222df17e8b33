package dev.r1j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {
    static final int VOCAB = 40;
    static final String ALPHABET = "0123456789+-*/=() abcdefghij";
    @RootManager private static NDManager root;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        // Throwaway checkpoints: skip fsync (~0.1 s a file on a busy disk); WeightsTest covers the fsync path.
        System.setProperty("r1j.fsync", "false");
    }

    @AfterAll
    static void stop() {
        System.clearProperty("r1j.fsync");
    }

    static Stream<ModelConfig> configs() {
        return Stream.of(ModelConfig.tinyLlama(VOCAB), ModelConfig.tinyQwen2(VOCAB),
                ModelConfig.tinyDeepSeekV3(VOCAB, null), ModelConfig.tinyDeepSeekV3(VOCAB, 12));
    }

    static Tokenizer tokenizer() {
        return new CharTokenizer(ALPHABET, "{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}");
    }

    /** Logits of two left-padded rows, as float32 values. */
    static float[] logits(CausalLM model, NDManager m) {
        long[][] ids = {{0, 0, 5, 9, 3, 17, 22, 4}, {7, 1, 30, 2, 11, 8, 39, 6}};
        long[][] mask = {{0, 0, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
        NDArray out = model.forward(m.create(ids), m.create(mask), null);
        assertEquals(new Shape(2, 8, VOCAB), out.getShape());
        return out.toFloatArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void saveThenLoadGivesIdenticalLogits(ModelConfig config) {
        Path dir = tmp.resolve("ckpt");
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 11)) {
            float[] before = logits(model, m);
            Checkpoint.save(dir, model, tokenizer());
            try (LoadedModel loaded = Checkpoint.load(dir, m)) {
                assertEquals(config.modelType(), loaded.model().config().modelType());
                assertArrayEquals(before, logits(loaded.model(), m), "float32 weights round trip exactly");
                assertEquals(model.parameters().keySet(), loaded.model().parameters().keySet());
                CharTokenizer tok = assertInstanceOf(CharTokenizer.class, loaded.tokenizer());
                assertEquals(ALPHABET, tok.alphabet());
                assertEquals("12<eos>", tok.applyChatTemplate(List.of(Map.of("role", "user", "content", "12")),
                        false));
            }
            // The tokenizer's special ids are recorded in config.json, as transformers expects them.
            ModelConfig written = ModelConfig.read(dir.resolve(Checkpoint.CONFIG_FILE));
            assertEquals(1, written.bosTokenId());
            assertEquals(List.of(2), written.eosTokenId());
            assertEquals(0, written.padTokenId());
        }
        try (Stream<Path> s = list(tmp)) {
            assertEquals(List.of("ckpt"), s.map(p -> p.getFileName().toString()).toList(), "no temporary leftovers");
        }
    }

    @Test
    void shardedCheckpointRoundTrips() throws IOException {
        Path dir = tmp.resolve("sharded");
        ModelConfig config = ModelConfig.tinyDeepSeekV3(VOCAB, 12);
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 5)) {
            Checkpoint.save(dir, model, tokenizer(), DType.F32, 16 * 1024);
            assertFalse(Files.exists(dir.resolve(Weights.SINGLE_FILE)));
            assertTrue(Files.exists(dir.resolve(Weights.INDEX_FILE)));
            long shards;
            try (Stream<Path> s = list(dir)) {
                shards = s.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors"))
                        .count();
            }
            assertTrue(shards >= 3, "shards: " + shards);
            try (LoadedModel loaded = Checkpoint.load(dir, m)) {
                assertArrayEquals(logits(model, m), logits(loaded.model(), m));
            }
        }
    }

    @Test
    void bf16SaveRoundsWeightsToBf16() {
        Path dir = tmp.resolve("bf16");
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyLlama(VOCAB),
                m, 3)) {
            Checkpoint.save(dir, model, tokenizer(), DType.BF16, Weights.DEFAULT_MAX_SHARD_BYTES);
            assertEquals(DType.BF16, SafeTensors.readHeader(dir.resolve(Weights.SINGLE_FILE)).tensors()
                    .get("model.norm.weight").dtype());
            try (LoadedModel loaded = Checkpoint.load(dir, m)) {
                for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                    float[] want = e.getValue().toFloatArray();
                    float[] got = loaded.model().parameters().get(e.getKey()).toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        assertTrue(Math.abs(got[i] - want[i]) <= Math.abs(want[i]) * 0x1p-8f, e.getKey());
                        // bf16 keeps only the top 16 bits of a float.
                        assertEquals(0, Float.floatToRawIntBits(got[i]) & 0xffff, e.getKey());
                    }
                }
            }
        }
    }

    /** Hugging Face's state_dict names, written out by hand from modeling_llama / modeling_qwen2. */
    static List<String> hfNames(int layers, boolean qkvBias, boolean tied) {
        List<String> n = new ArrayList<>(List.of("model.embed_tokens.weight", "model.norm.weight"));
        if (!tied) {
            n.add("lm_head.weight");
        }
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            for (String proj : new String[] {"q", "k", "v", "o"}) {
                n.add(p + "self_attn." + proj + "_proj.weight");
                if (qkvBias && !proj.equals("o")) {
                    n.add(p + "self_attn." + proj + "_proj.bias");
                }
            }
            for (String proj : new String[] {"gate", "up", "down"}) {
                n.add(p + "mlp." + proj + "_proj.weight");
            }
            n.add(p + "input_layernorm.weight");
            n.add(p + "post_attention_layernorm.weight");
        }
        n.sort(null);
        return n;
    }

    @Test
    void writtenCheckpointListsExactlyTheHuggingFaceNames() {
        try (NDManager m = root.newSubManager()) {
            Object[][] cases = {{ModelConfig.tinyLlama(VOCAB), hfNames(2, false, false)},
                    {ModelConfig.tinyQwen2(VOCAB), hfNames(2, true, true)}};
            for (Object[] c : cases) {
                ModelConfig config = (ModelConfig) c[0];
                Path dir = tmp.resolve(config.modelType());
                try (Transformer model = Transformer.create(config, m, 1)) {
                    Checkpoint.save(dir, model, tokenizer());
                }
                List<String> names = new ArrayList<>(
                        SafeTensors.readHeader(dir.resolve(Weights.SINGLE_FILE)).tensors().keySet());
                assertEquals(c[1], names, config.modelType());
            }
            ModelConfig ds = ModelConfig.tinyDeepSeekV3(VOCAB, 12);
            Path dir = tmp.resolve("ds");
            try (Transformer model = Transformer.create(ds, m, 1)) {
                Checkpoint.save(dir, model, tokenizer());
            }
            List<String> names = new ArrayList<>(
                    SafeTensors.readHeader(dir.resolve(Weights.SINGLE_FILE)).tensors().keySet());
            assertEquals(new ArrayList<>(new TreeMap<>(Transformer.expectedShapes(ds)).keySet()), names);
            for (String hf : List.of("model.layers.1.mlp.experts.7.down_proj.weight",
                    "model.layers.1.mlp.gate.e_score_correction_bias", "model.layers.1.mlp.shared_experts.up_proj.weight",
                    "model.layers.0.self_attn.kv_a_proj_with_mqa.weight", "model.layers.2.self_attn.q_a_layernorm.weight",
                    "model.layers.0.mlp.gate_proj.weight")) {
                assertTrue(names.contains(hf), hf);
            }
        }
    }

    /** Random 16-bit patterns of moderate magnitude, and their float values decoded here from the definitions. */
    static float[] halfValues(Random r, int n, boolean bf16, short[] bitsOut) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int sign = r.nextBoolean() ? 1 : 0;
            int bits;
            if (bf16) {
                int exp = 117 + r.nextInt(8); // 2^-10 .. 2^-3
                bits = sign << 15 | exp << 7 | r.nextInt(128);
                v[i] = Float.intBitsToFloat(bits << 16);
            } else {
                int exp = 5 + r.nextInt(8); // 2^-10 .. 2^-3
                int mant = r.nextInt(1024);
                bits = sign << 15 | exp << 10 | mant;
                v[i] = (float) ((sign == 1 ? -1 : 1) * Math.pow(2, exp - 15) * (1 + mant / 1024.0));
            }
            bitsOut[i] = (short) bits;
        }
        return v;
    }

    /**
     * A checkpoint as another program writes it: config.json and a safetensors file built byte by byte here in
     * BF16 or F16, shuffled tensor order, unpadded header. It must load with exactly the encoded values.
     */
    @ParameterizedTest
    @ValueSource(strings = {"BF16", "F16"})
    void loadsAHandWrittenHalfPrecisionCheckpoint(String dtype) throws IOException {
        Path dir = tmp.resolve("hand-" + dtype);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
                 "vocab_size": %d, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128,
                 "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "tie_word_embeddings": false,
                 "attention_bias": false, "torch_dtype": "bfloat16", "transformers_version": "4.46.0",
                 "bos_token_id": 1, "eos_token_id": 2}
                """.formatted(VOCAB));
        tokenizer().save(dir);
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Random r = new Random(42);
        List<String> names = new ArrayList<>(Transformer.expectedShapes(config).keySet());
        java.util.Collections.shuffle(names, r);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteBuffer data = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : names) {
            long[] shape = Transformer.expectedShapes(config).get(name);
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            short[] bits = new short[n];
            values.put(name, halfValues(r, n, dtype.equals("BF16"), bits));
            int begin = data.position();
            for (short b : bits) {
                data.putShort(b);
            }
            header.append(",\"").append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":")
                    .append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(begin).append(',').append(data.position()).append("]}");
        }
        header.append('}');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + data.position()).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json).put(data.array(), 0, data.position());
        Files.write(dir.resolve("model.safetensors"), file.array());

        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> expected = new LinkedHashMap<>();
            values.forEach((name, v) -> expected.put(name,
                    m.create(v, new Shape(Transformer.expectedShapes(config).get(name)))));
            try (Transformer reference = Transformer.fromParameters(config, m, expected);
                    LoadedModel loaded = Checkpoint.load(dir, m)) {
                for (Map.Entry<String, float[]> e : values.entrySet()) {
                    assertArrayEquals(e.getValue(), loaded.model().parameters().get(e.getKey()).toFloatArray(),
                            e.getKey());
                }
                assertArrayEquals(logits(reference, m), logits(loaded.model(), m));
            }
        }
    }

    @Test
    void overwritingACheckpointReplacesIt() {
        Path dir = tmp.resolve("ckpt");
        try (NDManager m = root.newSubManager();
                Transformer a = Transformer.create(ModelConfig.tinyLlama(VOCAB), m, 1);
                Transformer b = Transformer.create(ModelConfig.tinyQwen2(VOCAB), m, 2)) {
            Checkpoint.save(dir, a, tokenizer());
            Checkpoint.save(dir, b, tokenizer());
            try (LoadedModel loaded = Checkpoint.load(dir, m)) {
                assertEquals("qwen2", loaded.model().config().modelType());
                assertArrayEquals(logits(b, m), logits(loaded.model(), m));
            }
        }
    }

    // ---- bad input: one clear error naming the file and the tensor ----

    private Path saved(String name, ModelConfig config) {
        Path dir = tmp.resolve(name);
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 9)) {
            Checkpoint.save(dir, model, tokenizer());
        }
        return dir;
    }

    private static String loadError(Path dir) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            try (NDManager m = root.newSubManager(); LoadedModel ignored = Checkpoint.load(dir, m)) {
                // only the error matters
            }
        });
        return e.getMessage();
    }

    @Test
    void incompleteDirectoriesNameWhatIsMissing() throws IOException {
        Path dir = saved("a", ModelConfig.tinyLlama(VOCAB));
        Files.delete(dir.resolve("config.json"));
        String msg = loadError(dir);
        assertTrue(msg.contains("incomplete checkpoint") && msg.contains("config.json"), msg);

        dir = saved("b", ModelConfig.tinyLlama(VOCAB));
        Files.delete(dir.resolve("model.safetensors"));
        Files.delete(dir.resolve("tokenizer.json"));
        msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("tokenizer.json"), msg);
        assertFalse(msg.contains("config.json"), msg);

        msg = loadError(tmp.resolve("nowhere"));
        assertTrue(msg.contains("does not exist"), msg);
    }

    @Test
    void shapeThatDisagreesWithConfigNamesFileAndTensor() throws IOException {
        Path dir = saved("shape", ModelConfig.tinyLlama(VOCAB));
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"intermediate_size\" : 64",
                "\"intermediate_size\" : 48").replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"));
        assertEquals(48, ModelConfig.read(config).intermediateSize(), "the test edited the config");
        String msg = loadError(dir);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertTrue(msg.contains("'model.layers.0.mlp.") && msg.contains("[64, 32]") && msg.contains("[48, 32]")
                || msg.contains("[32, 64]") && msg.contains("[32, 48]"), msg);
    }

    @Test
    void aWeightFileThatIsNotSafetensorsIsNamed() throws IOException {
        Path dir = saved("text", ModelConfig.tinyLlama(VOCAB));
        Files.writeString(dir.resolve("model.safetensors"), "this is not a tensor file at all\n");
        String msg = loadError(dir);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()) && msg.contains("not a safetensors file"),
                msg);
    }

    @Test
    void missingAndUnexpectedTensorsAreNamed() {
        ModelConfig config = ModelConfig.tinyLlama(VOCAB);
        Path dir = saved("names", config);
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> w = Weights.read(dir, m);
            w.remove("model.norm.weight");
            Weights.write(dir, w);
            String msg = loadError(dir);
            assertTrue(msg.contains("'model.norm.weight'") && msg.contains("lack"), msg);

            w = Weights.read(saved("names2", config), m);
            w.put("model.layers.7.mlp.up_proj.weight", m.zeros(new Shape(64, 32)));
            Path dir2 = tmp.resolve("names2");
            Weights.write(dir2, w);
            msg = loadError(dir2);
            assertTrue(msg.contains("'model.layers.7.mlp.up_proj.weight'")
                    && msg.contains(dir2.resolve("model.safetensors").toString()), msg);

            // transformers' own leftovers are skipped, as it skips them.
            w.remove("model.layers.7.mlp.up_proj.weight");
            w.put("model.layers.0.self_attn.rotary_emb.inv_freq", m.ones(new Shape(4)));
            Weights.write(dir2, w);
            try (LoadedModel ok = Checkpoint.load(dir2, m)) {
                assertEquals(Transformer.expectedShapes(config).keySet(), ok.model().parameters().keySet());
            }
        }
    }

    @Test
    void badConfigFieldIsNamed() throws IOException {
        Path dir = saved("cfg", ModelConfig.tinyLlama(VOCAB));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"vocab_size\": 40}");
        String msg = loadError(dir);
        assertTrue(msg.contains("config.json") && msg.contains("hidden_size"), msg);
    }

    private static Stream<Path> list(Path dir) {
        try {
            return Files.list(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
