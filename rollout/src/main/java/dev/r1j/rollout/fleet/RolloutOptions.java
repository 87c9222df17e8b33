package dev.r1j.rollout.fleet;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.OptionRecords;
import java.net.URI;
import java.util.HashSet;
import java.util.List;

/**
 * Where a stage samples: on the trainer itself ({@code servers: []}, the default) or on a fleet of OpenAI-compatible
 * inference servers ({@code recipe serve}, SGLang, vLLM) that get the policy's weights pushed after each step. A
 * stage nests it as {@code rollout:}; {@link FleetSampler} runs it.
 *
 * <pre>{@code
 * rollout:
 *   servers: [http://127.0.0.1:8001, http://127.0.0.1:8002]
 *   max_in_flight: 8
 *   sync_dir: /shared/r1j-sync
 * }</pre>
 */
public record RolloutOptions(
        @Help("OpenAI-compatible inference servers to sample on (recipe serve, SGLang, vLLM), e.g. "
                + "[http://127.0.0.1:8001]; []: sample on the trainer itself") @Default("[]") List<String> servers,
        @Help("the model id the servers list in /v1/models; null: the start model directory's name (what recipe "
                + "serve lists by default)") @Default("null") String model,
        @Help("prompt groups in flight per server; a free slot goes to the server with the least outstanding work")
                @Default("8") int maxInFlight,
        @Help("seconds a request may take before it is retried on another server") @Default("600") double timeoutS,
        @Help("consecutive failures after which a server is taken out (it is probed and rejoins with the current "
                + "weights)") @Default("3") int maxFailures,
        @Help("seconds between probes of a server that is out or missed a weight load") @Default("2")
                double probeEveryS,
        @Help("push the policy to the servers every N steps (1: every step, on-policy)") @Default("1") int syncEvery,
        @Help("directory the servers load pushed weights from (a shared filesystem across machines); null: "
                + "weight-sync/ in the stage directory") @Default("null") String syncDir,
        @Help("how weights reach the servers: sglang (POST /update_weights_from_disk, full weights; SGLang and "
                + "recipe serve) | vllm_lora (POST /v1/load_lora_adapter, LoRA adapters only) | none (never: the "
                + "servers keep their own weights, sampling goes off-policy)") @Default("sglang") WeightSync weightSync) {

    /** How the policy's weights reach the servers. */
    public enum WeightSync {
        /** SGLang's {@code POST /update_weights_from_disk} with the full checkpoint ({@code recipe serve} too). */
        SGLANG,
        /** vLLM's {@code POST /v1/load_lora_adapter} (and unload), requests naming the adapter: LoRA policies only. */
        VLLM_LORA,
        /** No pushing: the servers serve the weights they were started with. */
        NONE
    }

    public RolloutOptions {
        servers = servers == null ? List.of() : List.copyOf(servers);
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            String s = servers.get(i);
            URI u;
            try {
                u = URI.create(s == null ? "" : s.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("servers[" + i + "]: not a URL: '" + s + "'");
            }
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("servers[" + i + "]: expected an http://HOST:PORT URL, got '" + s + "'");
            }
            if (!seen.add(FleetSampler.baseUrl(s))) {
                throw new IllegalArgumentException("servers[" + i + "]: '" + s + "' is listed twice");
            }
        }
        if (model != null && model.isBlank()) throw new IllegalArgumentException("model must not be blank (null: the start model's name)");
        if (maxInFlight < 1) throw new IllegalArgumentException("max_in_flight must be >= 1, got " + maxInFlight);
        if (!(timeoutS > 0) || Double.isInfinite(timeoutS)) {
            throw new IllegalArgumentException("timeout_s must be a positive number of seconds, got " + timeoutS);
        }
        if (maxFailures < 1) throw new IllegalArgumentException("max_failures must be >= 1, got " + maxFailures);
        if (!(probeEveryS > 0) || Double.isInfinite(probeEveryS)) {
            throw new IllegalArgumentException("probe_every_s must be a positive number of seconds, got " + probeEveryS);
        }
        if (syncEvery < 1) throw new IllegalArgumentException("sync_every must be >= 1, got " + syncEvery);
        if (syncDir != null && syncDir.isBlank()) throw new IllegalArgumentException("sync_dir must not be blank (null: the stage directory's weight-sync/)");
        if (weightSync == null) throw new IllegalArgumentException("weight_sync must be given");
    }

    /** Every option at its default: sampling on the trainer. */
    public static RolloutOptions defaults() {
        return OptionRecords.defaults(RolloutOptions.class);
    }

    /** These options with {@code servers} (and everything else as it is). */
    public RolloutOptions withServers(List<String> urls) {
        return new RolloutOptions(urls, model, maxInFlight, timeoutS, maxFailures, probeEveryS, syncEvery, syncDir,
                weightSync);
    }

    /** Whether the stage samples on servers rather than on the trainer. */
    public boolean remote() {
        return !servers.isEmpty();
    }
}
