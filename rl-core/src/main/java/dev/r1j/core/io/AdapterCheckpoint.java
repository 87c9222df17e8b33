package dev.r1j.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.Transformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A LoRA adapter directory in PEFT's layout ({@code adapter_config.json} + {@code adapter_model.safetensors}) read
 * as a model: the base model named by {@code base_model_name_or_path} (a directory; a relative one is resolved
 * against the adapter's directory) is loaded and the adapter merged into its weights, which is what PEFT's
 * {@code AutoPeftModelForCausalLM.from_pretrained(dir)} gives too. {@link Checkpoint#load} reads such a directory this
 * way, so the model a LoRA stage leaves without {@code merge} is what every later stage and command reads. The base may
 * itself be an adapter directory (LoRA stages in a row): each adapter is merged on top of the model before it.
 *
 * <pre>{@code
 * AdapterCheckpoint.save(stageDir.resolve("final/adapter"), adapters, startModelDir);
 * try (LoadedModel m = Checkpoint.load(stageDir.resolve("final/adapter"), manager)) { ... }   // base + adapter
 * }</pre>
 */
public final class AdapterCheckpoint {
    /** Adapters on adapters deeper than this are taken for a cycle. */
    private static final int MAX_CHAIN = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterCheckpoint() {}

    /** Whether {@code dir} holds an adapter ({@code adapter_config.json}) and no full model ({@code config.json}). */
    public static boolean isAdapterDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(LoraAdapters.CONFIG_FILE))
                && !Files.isRegularFile(dir.resolve(Checkpoint.CONFIG_FILE));
    }

    /** Writes {@code adapters} into {@code dir} in PEFT's layout, naming {@code base} (absolute) as its base model. */
    public static void save(Path dir, LoraAdapters adapters, Path base) {
        adapters.save(dir, base.toAbsolutePath().normalize().toString());
    }

    /**
     * The base model directory that the adapter in {@code dir} names.
     *
     * @throws CheckpointFormatException when the field is missing or names no directory
     */
    public static Path baseOf(Path dir) {
        Path file = dir.resolve(LoraAdapters.CONFIG_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode base = root == null ? null : root.get("base_model_name_or_path");
        if (base == null || !base.isTextual() || base.asText().isBlank()) {
            throw new CheckpointFormatException(file + ": field 'base_model_name_or_path' names no base model "
                    + "directory, so the adapter cannot be read as a model");
        }
        Path p = dir.resolve(base.asText());
        if (!Files.isDirectory(p)) {
            throw new CheckpointFormatException(file + ": base_model_name_or_path '" + base.asText()
                    + "' is not a directory here (" + p.toAbsolutePath() + "); an adapter is read on top of its base");
        }
        return p;
    }

    /** The base model with the adapter in {@code dir} merged into its weights (see the class comment). */
    static LoadedModel load(Path dir, NDManager manager) {
        return load(dir, manager, 0);
    }

    private static LoadedModel load(Path dir, NDManager manager, int depth) {
        if (depth > MAX_CHAIN) {
            throw new CheckpointFormatException(dir + ": more than " + MAX_CHAIN + " adapters on adapters "
                    + "(base_model_name_or_path leads round in a cycle?)");
        }
        Path base = baseOf(dir);
        LoadedModel loaded = isAdapterDirectory(base) ? load(base, manager, depth + 1) : Checkpoint.load(base, manager);
        try {
            CausalLM model = loaded.model();
            if (!(model instanceof Transformer t)) {
                throw new IllegalArgumentException(dir + ": LoRA adapters apply to R1J's Transformer only");
            }
            try (LoraAdapters adapters = LoraAdapters.load(dir, t)) {
                t.setAdapters(adapters);
                t.mergeAdapters();
            }
            return loaded;
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }
}
