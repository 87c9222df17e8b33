package dev.r1j.recipes.stages.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.GenerationConfig;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.rollout.LocalSampler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of the toy arithmetic model means the same outside R1J: its {@code tokenizer.json}, run by the
 * Hugging Face {@code tokenizers} library alone (as {@code transformers} would: special tokens added), gives exactly
 * the ids R1J's sampler feeds and the pretraining stage trained on, BOS included and once; the special tokens agree
 * across {@code tokenizer.json}, {@code tokenizer_config.json}, {@code config.json} and
 * {@code generation_config.json}, which carries the sampling defaults.
 */
class HuggingFaceLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void toyModelCheckpointTokenisesIdenticallyThroughTokenizerJsonAlone() throws IOException {
        System.setProperty("r1j.fsync", "false");
        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        SamplingParams sampling = new SamplingParams(8, 64, 0.9, 0.95, 20, List.of(), 1L);
        try (NDManager m = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tok.vocabSize()), m, 3L)) {
            Checkpoint.save(dir, model, tok, sampling);
        }
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(40, 10, 10, 10));
        List<ArithmeticTask.CorpusLine> lines = task.corpus().subList(0, 40);
        try (NDManager m = Djl.newManager(); LoadedModel loaded = Checkpoint.load(dir, m);
                HuggingFaceTokenizer library = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                        Map.of("truncation", "false", "padding", "false"))) {
            LocalSampler sampler = new LocalSampler(loaded.model(), loaded.tokenizer());
            for (ArithmeticTask.CorpusLine line : lines) {
                long[] hf = library.encode(line.prompt()).getIds();
                int[] r1j = sampler.encodePrompt(line.prompt());
                assertArrayEquals(r1j, toInts(hf), "prompt " + line.prompt());
                assertEquals(tok.bosId(), r1j[0]);
                assertTrue(r1j.length < 2 || r1j[1] != tok.bosId(), "one BOS: " + Arrays.toString(r1j));
                // the training sequence is the same ids followed by EOS
                int[] trained = ArithmeticVocabulary.withBosEos(tok, line.text());
                assertArrayEquals(Arrays.copyOf(trained, trained.length - 1),
                        toInts(library.encode(line.text()).getIds()), "text " + line.text());
                assertEquals(line.text(), library.decode(library.encode(line.text()).getIds(), true), "decodes back");
            }
            long[] unknown = library.encode("12?").getIds();
            assertEquals(tok.unkId(), (int) unknown[3], "outside the alphabet: <unk> in the library");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampler.encodePrompt("12?"));
            assertTrue(e.getMessage().contains("'?'"), "and an error naming it in R1J: " + e.getMessage());
        }

        JsonNode tokenizerJson = JSON.readTree(dir.resolve("tokenizer.json").toFile());
        JsonNode tokenizerConfig = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        JsonNode generation = JSON.readTree(dir.resolve(GenerationConfig.FILE).toFile());
        JsonNode vocab = tokenizerJson.get("model").get("vocab");
        for (String kind : List.of("bos", "eos", "pad", "unk")) {
            String token = tokenizerConfig.get(kind + "_token").asText();
            int id = vocab.get(token).asInt();
            boolean added = false;
            for (JsonNode t : tokenizerJson.get("added_tokens")) {
                added |= t.get("content").asText().equals(token) && t.get("id").asInt() == id && t.get("special").asBoolean();
            }
            assertTrue(added, token + " is a special added token with id " + id);
            if (!kind.equals("unk")) {
                assertEquals(id, config.get(kind + "_token_id").asInt(), kind + " in config.json");
                assertEquals(id, generation.get(kind + "_token_id").asInt(), kind + " in generation_config.json");
            }
        }
        assertEquals("<unk>", tokenizerJson.get("model").get("unk_token").asText());
        assertEquals(vocab.size(), config.get("vocab_size").asInt(), "every token has an embedding row");
        assertTrue(tokenizerConfig.get("add_bos_token").asBoolean());
        assertFalse(tokenizerConfig.get("add_eos_token").asBoolean());
        JsonNode post = tokenizerJson.get("post_processor");
        assertEquals("TemplateProcessing", post.get("type").asText());
        assertEquals(config.get("bos_token_id").asInt(), post.get("special_tokens").get("<bos>").get("ids").get(0).asInt());
        assertTrue(generation.get("do_sample").asBoolean());
        assertEquals(0.9, generation.get("temperature").asDouble());
        assertEquals(0.95, generation.get("top_p").asDouble());
        assertEquals(20, generation.get("top_k").asInt());
        assertEquals(64, generation.get("max_new_tokens").asInt());
    }

    private static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }
}
