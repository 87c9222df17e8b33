package dev.r1j.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's {@code generation_config.json}, the file {@code transformers}' {@code generate()} reads its defaults
 * from: the special token ids (the same as in {@code config.json}) and, when the checkpoint comes from a run that
 * sampled, that run's sampling settings. Without sampling settings {@code transformers} decodes greedily.
 *
 * <pre>{@code
 * GenerationConfig g = GenerationConfig.ids(1, List.of(2), 0).withSampling(SamplingParams.greedy(64));
 * g.write(dir.resolve(GenerationConfig.FILE));
 * }</pre>
 *
 * @param bosTokenId BOS id, or {@code null}
 * @param eosTokenId EOS ids (empty for none)
 * @param padTokenId pad id, or {@code null}
 * @param sampling the run's sampling defaults (temperature, top-p, top-k, max new tokens), or {@code null}
 */
public record GenerationConfig(Integer bosTokenId, List<Integer> eosTokenId, Integer padTokenId,
        SamplingParams sampling) {
    public static final String FILE = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public GenerationConfig {
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
    }

    /** Only the special token ids: {@code transformers} then decodes greedily. */
    public static GenerationConfig ids(Integer bos, List<Integer> eos, Integer pad) {
        return new GenerationConfig(bos, eos, pad, null);
    }

    /** The same ids with {@code params}' temperature, top-p, top-k and max new tokens as the defaults. */
    public GenerationConfig withSampling(SamplingParams params) {
        return new GenerationConfig(bosTokenId, eosTokenId, padTokenId, params);
    }

    /** The JSON {@code transformers} reads: {@code do_sample} is true when the temperature is above 0. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        if (bosTokenId != null) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenId.size() == 1) {
            o.put("eos_token_id", eosTokenId.get(0));
        } else if (!eosTokenId.isEmpty()) {
            ArrayNode a = o.putArray("eos_token_id");
            eosTokenId.forEach(a::add);
        }
        if (padTokenId != null) {
            o.put("pad_token_id", padTokenId);
        }
        if (sampling != null) {
            boolean sample = sampling.temperature() > 0;
            o.put("do_sample", sample);
            if (sample) {
                o.put("temperature", sampling.temperature());
                o.put("top_p", sampling.topP());
                o.put("top_k", sampling.topK()); // 0: no top-k filter, in transformers as here
            }
            o.put("max_new_tokens", sampling.maxNewTokens());
        }
        return o;
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void write(Path file) {
        try {
            Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
