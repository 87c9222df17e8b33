package dev.r1j.core.grpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Episode;
import dev.r1j.core.sampling.FinishReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The batches {@code async_steps} generated ahead of a checkpoint, as one JSON string (checkpoint key
 * {@code pending_rollouts}): per batch its step, weight version and raw sampler rounds (data position, prompt
 * count, groups with token ids, text, behaviour log-probs, finish reason, the weight version that produced each
 * completion and a multi-turn completion's episode). A resumed run scores them again (the
 * verifiers are deterministic) instead of generating them from weights it no longer has, so no pre-generated batch
 * is lost or generated twice.
 */
final class PendingRollouts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PendingRollouts() {}

    /** What a restored batch needs before it is scored again. */
    record Raw(int step, int version, List<Rollout.Round> rounds) {}

    static String toJson(List<Rollout> pending) {
        ArrayNode out = JSON.createArrayNode();
        for (Rollout r : pending) {
            ObjectNode o = out.addObject();
            o.put("step", r.step());
            o.put("version", r.version());
            ArrayNode rounds = o.putArray("rounds");
            for (Rollout.Round round : r.rounds()) {
                ObjectNode ro = rounds.addObject();
                ro.put("position", round.position());
                ro.put("count", round.count());
                ArrayNode groups = ro.putArray("groups");
                for (CompletionGroup g : round.groups()) {
                    ObjectNode go = groups.addObject();
                    go.put("prompt", g.prompt());
                    ints(go.putArray("prompt_token_ids"), g.promptTokenIds());
                    ArrayNode cs = go.putArray("completions");
                    for (Completion c : g.completions()) {
                        ObjectNode co = cs.addObject();
                        ints(co.putArray("token_ids"), c.tokenIds());
                        co.put("text", c.text());
                        if (c.logprobs() != null) {
                            ArrayNode lp = co.putArray("logprobs");
                            for (float f : c.logprobs()) lp.add(f);
                        }
                        co.put("finish_reason", c.finishReason().wireName());
                        co.put("weight_version", c.weightVersion());
                        if (c.episode() != null) episode(co.putObject("episode"), c.episode());
                    }
                }
            }
        }
        return out.toString();
    }

    /** Reads {@link #toJson}'s output; {@code where} names the checkpoint in errors. */
    static List<Raw> fromJson(String json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": pending_rollouts is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) throw new IllegalArgumentException(where + ": pending_rollouts must be a JSON array");
        List<Raw> out = new ArrayList<>();
        for (JsonNode o : root) {
            List<Rollout.Round> rounds = new ArrayList<>();
            for (JsonNode ro : field(o, "rounds", where)) {
                List<CompletionGroup> groups = new ArrayList<>();
                for (JsonNode go : field(ro, "groups", where)) {
                    List<Completion> cs = new ArrayList<>();
                    for (JsonNode co : field(go, "completions", where)) {
                        JsonNode lp = co.get("logprobs");
                        float[] logprobs = null;
                        if (lp != null && lp.isArray()) {
                            logprobs = new float[lp.size()];
                            for (int i = 0; i < logprobs.length; i++) logprobs[i] = (float) lp.get(i).asDouble();
                        }
                        JsonNode ep = co.get("episode");
                        cs.add(new Completion(ints(field(co, "token_ids", where)), field(co, "text", where).asText(),
                                logprobs, FinishReason.valueOf(
                                        field(co, "finish_reason", where).asText().toUpperCase(Locale.ROOT)),
                                ep == null || ep.isNull() ? null : episode(ep, where),
                                // checkpoints written before the field existed: sampled on the trainer's weights
                                co.path("weight_version").asLong(Completion.LOCAL)));
                    }
                    groups.add(new CompletionGroup(field(go, "prompt", where).asText(),
                            ints(field(go, "prompt_token_ids", where)), cs));
                }
                rounds.add(new Rollout.Round(field(ro, "position", where).asLong(), field(ro, "count", where).asInt(),
                        groups));
            }
            out.add(new Raw(field(o, "step", where).asInt(), field(o, "version", where).asInt(), rounds));
        }
        return out;
    }

    private static void episode(ObjectNode into, Episode e) {
        ArrayNode marks = into.putArray("observation");
        for (boolean b : e.observation()) marks.add(b ? 1 : 0);
        into.put("turns", e.turns());
        into.put("tool_calls", e.toolCalls());
        into.put("tool_errors", e.toolErrors());
        into.put("tool_timeouts", e.toolTimeouts());
        into.put("reward", e.reward());
    }

    private static Episode episode(JsonNode o, String where) {
        int[] marks = ints(field(o, "observation", where));
        boolean[] observation = new boolean[marks.length];
        for (int i = 0; i < marks.length; i++) observation[i] = marks[i] != 0;
        return new Episode(observation, field(o, "turns", where).asInt(), field(o, "tool_calls", where).asInt(),
                field(o, "tool_errors", where).asInt(), field(o, "tool_timeouts", where).asInt(),
                field(o, "reward", where).asDouble());
    }

    private static JsonNode field(JsonNode o, String name, String where) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + ": pending_rollouts entry lacks '" + name + "'");
        return v;
    }

    private static void ints(ArrayNode into, int[] xs) {
        for (int x : xs) into.add(x);
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
