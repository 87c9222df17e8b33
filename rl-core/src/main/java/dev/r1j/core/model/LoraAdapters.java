package dev.r1j.core.model;

import dev.r1j.core.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The LoRA adapters of a {@link Transformer}: for each targeted linear module an {@code A} {@code [r, in]} and a
 * {@code B} {@code [out, r]}, named and saved as PEFT does, so adapters move to and from the Python ecosystem:
 * {@code adapter_config.json} plus {@code adapter_model.safetensors} with tensors
 * {@code base_model.model.<module>.lora_A.weight} / {@code .lora_B.weight}, e.g.
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.
 *
 * <p>New adapters start as PEFT's do: {@code A} Kaiming-uniform ({@code U(-1/sqrt(in), 1/sqrt(in))}), {@code B}
 * zero, so the adapted model starts equal to the base. The arrays live in a sub-manager of the model's, freed by
 * {@link #close()}.
 *
 * <pre>{@code
 * LoraAdapters a = LoraAdapters.create(model, new LoraConfig(16, 32, 0, List.of("all-linear"), false), 42);
 * model.setAdapters(a);
 * ... train ...
 * a.save(Path.of("out/adapter"));                        // PEFT layout
 * Map<String, NDArray> merged = model.mergedParameters(); // a full Hugging Face state dict
 * }</pre>
 */
public final class LoraAdapters implements AutoCloseable {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PEFT's prefix of the wrapped model's parameter names. */
    static final String PREFIX = "base_model.model.";
    private static final Pattern LINEAR = Pattern.compile(".*_proj(_with_mqa)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoraConfig config;
    private final NDManager manager;
    /** module name → {A, B} */
    private final LinkedHashMap<String, NDArray[]> modules;
    private final LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();

    private LoraAdapters(LoraConfig config, NDManager manager, LinkedHashMap<String, NDArray[]> modules) {
        this.config = config;
        this.manager = manager;
        this.modules = modules;
        for (Map.Entry<String, NDArray[]> e : modules.entrySet()) {
            parameters.put(PREFIX + e.getKey() + ".lora_A.weight", e.getValue()[0]);
            parameters.put(PREFIX + e.getKey() + ".lora_B.weight", e.getValue()[1]);
        }
        parameters.forEach((name, a) -> {
            a.setName(name);
            a.setRequiresGradient(true);
        });
    }

    /**
     * The linear modules of a model of {@code config} that LoRA can target (every {@code *_proj}, including MoE
     * experts'), with their base weight shapes {@code [out, in]}, in state_dict order.
     */
    public static LinkedHashMap<String, long[]> linearModules(ModelConfig config) {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        ParameterLayout.shapes(config).forEach((name, shape) -> {
            if (!name.endsWith(".weight") || shape.length != 2) return;
            String module = name.substring(0, name.length() - ".weight".length());
            if (LINEAR.matcher(module.substring(module.lastIndexOf('.') + 1)).matches()) out.put(module, shape);
        });
        return out;
    }

    /**
     * New adapters on the modules of {@code model} that {@code config} targets.
     *
     * @throws IllegalArgumentException when a target matches no module, listing the model's module names
     */
    public static LoraAdapters create(Transformer model, LoraConfig config, long seed) {
        LinkedHashMap<String, long[]> linear = linearModules(model.config());
        for (String t : config.targetModules()) {
            if (!t.equals(LoraConfig.ALL_LINEAR) && linear.keySet().stream().noneMatch(m -> m.equals(t) || m.endsWith("." + t))) {
                throw new IllegalArgumentException("lora.target_modules: '" + t + "' matches no module of this "
                        + model.config().modelType() + " model; its linear modules are named " + shortNames(linear));
            }
        }
        DataType dtype = model.dtype();
        NDManager own = model.manager().newSubManager();
        LinkedHashMap<String, NDArray[]> modules = new LinkedHashMap<>();
        linear.forEach((module, shape) -> {
            if (!config.targets(module)) return;
            int out = (int) shape[0], in = (int) shape[1];
            float[] a = new float[config.r() * in];
            SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * module.hashCode()));
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) a[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
            modules.put(module, new NDArray[] {
                own.create(a, new Shape(config.r(), in)).toType(dtype, false),
                own.zeros(new Shape(out, config.r()), dtype)});
        });
        return new LoraAdapters(config, own, modules);
    }

    /**
     * Loads adapters in PEFT's layout from {@code dir} for {@code model}.
     *
     * @throws IllegalArgumentException naming the file and the field or tensor: a config that is not LoRA or uses
     *     what is not supported (rank/alpha patterns, DoRA), a tensor that is not a LoRA weight of one of the model's
     *     linear modules, or whose shape disagrees with the base weight (both shapes named)
     */
    public static LoraAdapters load(Path dir, Transformer model) {
        Path cfgFile = dir.resolve(CONFIG_FILE);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(cfgFile)) throw new IllegalArgumentException(cfgFile + ": no adapter config found");
        if (!Files.isRegularFile(weights)) throw new IllegalArgumentException(weights + ": no adapter weights found");
        LoraConfig config = readConfig(cfgFile);
        LinkedHashMap<String, long[]> linear = linearModules(model.config());
        NDManager own = model.manager().newSubManager();
        try {
            Map<String, NDArray> tensors = SafeTensors.read(weights, own);
            LinkedHashMap<String, NDArray[]> modules = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                String name = e.getKey();
                boolean isA = name.endsWith(".lora_A.weight");
                if (!name.startsWith(PREFIX) || !(isA || name.endsWith(".lora_B.weight"))) {
                    throw new IllegalArgumentException(weights + ": tensor '" + name + "' is not a LoRA weight "
                            + "(expected " + PREFIX + "<module>.lora_A.weight or .lora_B.weight)");
                }
                String module = name.substring(PREFIX.length(), name.length() - ".lora_A.weight".length());
                long[] base = linear.get(module);
                if (base == null) {
                    throw new IllegalArgumentException(weights + ": tensor '" + name + "' adapts '" + module
                            + "', which this " + model.config().modelType() + " model does not have; its linear modules"
                            + " are named " + shortNames(linear));
                }
                long[] expected = isA ? new long[] {config.r(), base[1]} : new long[] {base[0], config.r()};
                long[] found = e.getValue().getShape().getShape();
                if (!Arrays.equals(expected, found)) {
                    throw new IllegalArgumentException(weights + ": tensor '" + name + "' has shape "
                            + Arrays.toString(found) + " but the base weight '" + module + ".weight' has shape "
                            + Arrays.toString(base) + ", so r = " + config.r() + " needs " + Arrays.toString(expected));
                }
                NDArray a = e.getValue().toType(model.dtype(), false);
                a.attach(own);
                modules.computeIfAbsent(module, k -> new NDArray[2])[isA ? 0 : 1] = a;
            }
            LinkedHashMap<String, NDArray[]> ordered = new LinkedHashMap<>();
            for (String module : linear.keySet()) {
                NDArray[] ab = modules.get(module);
                if (ab == null) continue;
                if (ab[0] == null || ab[1] == null) {
                    throw new IllegalArgumentException(weights + ": module '" + module + "' has lora_"
                            + (ab[0] == null ? "B" : "A") + " but no lora_" + (ab[0] == null ? "A" : "B"));
                }
                ordered.put(module, ab);
            }
            if (ordered.isEmpty()) throw new IllegalArgumentException(weights + ": no LoRA tensors");
            return new LoraAdapters(config, own, ordered);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private static LoraConfig readConfig(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": expected a JSON object");
        String type = root.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) throw new IllegalArgumentException(file + ": peft_type is " + type + ", expected LORA");
        for (String unsupported : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode n = root.get(unsupported);
            if (n != null && !n.isNull() && n.size() > 0) {
                throw new IllegalArgumentException(file + ": " + unsupported + " is not supported (one r and alpha for "
                        + "every module)");
            }
        }
        if (root.path("use_dora").asBoolean(false)) throw new IllegalArgumentException(file + ": use_dora is not supported");
        if (root.path("fan_in_fan_out").asBoolean(false)) {
            throw new IllegalArgumentException(file + ": fan_in_fan_out is not supported (Conv1D models)");
        }
        if (!root.path("r").isIntegralNumber()) throw new IllegalArgumentException(file + ": field 'r': expected an integer");
        if (!root.path("lora_alpha").isNumber()) {
            throw new IllegalArgumentException(file + ": field 'lora_alpha': expected a number");
        }
        JsonNode t = root.path("target_modules");
        List<String> targets = new ArrayList<>();
        if (t.isTextual()) targets.add(t.asText());
        else if (t.isArray()) t.forEach(x -> targets.add(x.asText()));
        else throw new IllegalArgumentException(file + ": field 'target_modules': expected a list of module names");
        try {
            return new LoraConfig(root.get("r").asInt(), root.get("lora_alpha").asDouble(),
                    root.path("lora_dropout").asDouble(0), targets, root.path("use_rslora").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (float32) into {@code dir}. */
    public void save(Path dir, String baseModelNameOrPath) {
        try {
            Files.createDirectories(dir);
            ObjectNode c = JSON.createObjectNode();
            c.put("peft_type", "LORA");
            c.put("task_type", "CAUSAL_LM");
            c.put("base_model_name_or_path", baseModelNameOrPath);
            c.put("r", config.r());
            c.put("lora_alpha", config.alpha());
            c.put("lora_dropout", config.dropout());
            ArrayNode targets = c.putArray("target_modules");
            config.targetModules().forEach(targets::add);
            c.put("use_rslora", config.useRslora());
            c.put("bias", "none");
            c.put("fan_in_fan_out", false);
            c.put("inference_mode", true);
            c.put("init_lora_weights", true);
            c.putNull("modules_to_save");
            c.putObject("rank_pattern");
            c.putObject("alpha_pattern");
            Files.writeString(dir.resolve(CONFIG_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c));
            SafeTensors.write(dir.resolve(WEIGHTS_FILE), parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the adapter: " + e.getMessage(), e);
        }
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapter weights under PEFT's names (the live arrays, in module order, A before B). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The adapted module names, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public List<String> modules() {
        return List.copyOf(modules.keySet());
    }

    boolean adapts(String module) {
        return modules.containsKey(module);
    }

    /** {@code base + scaling * B A dropout(x)} for the module; dropout only while autograd records (training). */
    NDArray apply(String module, NDArray x, NDArray base) {
        NDArray[] ab = modules.get(module);
        if (ab == null) return base;
        NDArray in = x;
        if (config.dropout() > 0 && JniUtils.isGradMode()) {
            in = Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow();
        }
        NDArray low = Ops.linear(in, ab[0], null);
        return base.add(Scalars.mul(Ops.linear(low, ab[1], null), config.scaling())); // Scalars: see its Javadoc (autograd keeps the operand)
    }

    /** {@code W + scaling * B A} for an adapted module's base weight {@code w} (a new array in w's manager). */
    NDArray merge(String module, NDArray w) {
        NDArray[] ab = modules.get(module);
        // B A is as large as W: free it at once rather than with the adapters' manager
        try (NDArray ba = ab[1].matMul(ab[0]); NDArray scaled = Scalars.mul(ba, config.scaling())) {
            return w.add(scaled);
        }
    }

    private static String shortNames(LinkedHashMap<String, long[]> linear) {
        List<String> names = new ArrayList<>();
        for (String m : linear.keySet()) {
            String s = m.substring(m.lastIndexOf('.') + 1);
            if (m.contains(".experts.")) s = "experts.N." + s;
            else if (m.contains(".shared_experts.")) s = "shared_experts." + s;
            if (!names.contains(s)) names.add(s);
        }
        return String.join(", ", names);
    }

    @Override
    public void close() {
        manager.close();
    }
}
