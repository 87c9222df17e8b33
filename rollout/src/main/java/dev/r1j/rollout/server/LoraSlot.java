package dev.r1j.rollout.server;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.Transformer;
import java.nio.file.Path;

/**
 * vLLM's runtime LoRA routes for {@code recipe serve}: {@code POST /v1/load_lora_adapter} with
 * {@code {"lora_name", "lora_path"}} (a PEFT adapter directory) and {@code POST /v1/unload_lora_adapter} with
 * {@code {"lora_name"}}. Unlike vLLM, which serves many adapters beside the base model, this server has one slot:
 * while an adapter is loaded every forward adds it, so requests must name the adapter (the base model's name is
 * refused rather than silently served with the adapter on). The caller holds the server's weights lock alone.
 *
 * <pre>{@code
 * slot.load("policy-step-3", Path.of("/shared/sync/step-000003"));   // requests now name "policy-step-3"
 * slot.unload("policy-step-3");
 * }</pre>
 */
final class LoraSlot {
    private final Object modelLock;
    private final CausalLM model;
    private volatile String name;
    private LoraAdapters adapters;

    LoraSlot(Object modelLock, CausalLM model) {
        this.modelLock = modelLock;
        this.model = model;
    }

    /** The loaded adapter's name, or null. */
    String name() {
        return name;
    }

    void load(String loraName, Path dir) {
        if (!(model instanceof Transformer t)) {
            throw ApiException.invalid("lora_path", "this server's model does not take LoRA adapters");
        }
        if (name != null) {
            throw new ApiException(400, "invalid_request_error", "recipe serve holds one LoRA adapter at a time and '"
                    + name + "' is loaded; unload it first (POST /v1/unload_lora_adapter)", "lora_name", null);
        }
        LoraAdapters loaded;
        try {
            loaded = LoraAdapters.load(dir, t);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw ApiException.invalid("lora_path", "cannot load the adapter at " + dir + ": " + e.getMessage());
        }
        synchronized (modelLock) {
            t.setAdapters(loaded);
        }
        adapters = loaded;
        name = loraName;
    }

    void unload(String loraName) {
        if (name == null || !name.equals(loraName)) {
            throw new ApiException(404, "invalid_request_error", "The lora adapter '" + loraName + "' cannot be found.",
                    "lora_name", null);
        }
        synchronized (modelLock) {
            ((Transformer) model).setAdapters(null);
        }
        adapters.close();
        adapters = null;
        name = null;
    }
}
