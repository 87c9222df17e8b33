package dev.r1j.sft;

import dev.r1j.core.data.PromptDataset;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns SFT examples (rows read by {@link PromptDataset}, which maps field names and applies prompt templates) into
 * {@link TokenSequence}s whose targets are the completion only: a {@code prompt}/{@code completion} pair (prompt tokens are context, completion tokens plus EOS are targets), or chat {@code messages} rendered with
 * the tokenizer's chat template where the assistant turns are the targets.
 *
 * <p>For chat, the text of each assistant turn is found by rendering the conversation up to that turn twice: up to
 * the previous message with the generation prompt (what the model sees when it is asked to answer), and including
 * the turn. The difference (the answer plus the template's end-of-turn text) is the target. Pieces are tokenized
 * separately and concatenated, exactly as a sampler tokenizes a prompt and then generates, so training and
 * generation see the same token boundaries. A template that rewrites earlier turns (Qwen3 drops their reasoning)
 * cannot be split this way and is reported.
 *
 * <pre>{@code
 * SftEncoder enc = new SftEncoder(tokenizer, SftFormat.defaults());
 * List<TokenSequence> train = enc.encodeAll(PromptDataset.load(Path.of("sft.jsonl")));
 * }</pre>
 */
public final class SftEncoder {
    private final Tokenizer tokenizer;
    private final SftFormat format;

    public SftEncoder(Tokenizer tokenizer, SftFormat format) {
        this.tokenizer = tokenizer;
        this.format = format;
    }

    /** Every example of {@code dataset}; errors name {@code file:line}. */
    public List<TokenSequence> encodeAll(PromptDataset dataset) {
        return encodeAll(dataset.examples());
    }

    public List<TokenSequence> encodeAll(List<PromptExample> examples) {
        List<TokenSequence> out = new ArrayList<>(examples.size());
        for (PromptExample e : examples) out.add(encode(e));
        return out;
    }

    /**
     * One example: a prompt with its completion, or chat messages (with the completion, when given, appended as the
     * final assistant turn).
     */
    public TokenSequence encode(PromptExample example) {
        try {
            if (example.messages() != null) {
                List<Map<String, String>> msgs = example.messages();
                if (example.completion() != null) {
                    msgs = new ArrayList<>(msgs);
                    msgs.add(Map.of("role", "assistant", "content", example.completion()));
                }
                return chat(msgs, false);
            }
            if (example.completion() == null) {
                throw new IllegalArgumentException("no completion to train on (SFT rows need 'completion', or "
                        + "'messages' with an assistant turn; map another field with completion_field)");
            }
            return promptCompletion(example.prompt(), example.completion());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(example.source() + ": " + e.getMessage(), e);
        }
    }

    /** Prompt as context, completion (+ EOS) as targets. */
    public TokenSequence promptCompletion(String prompt, String completion) {
        int[] p = withBos(tokenizer.encode(prompt));
        int[] c = tokenizer.encode(completion);
        if (format.addEos() && tokenizer.eosId() >= 0) {
            c = Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = tokenizer.eosId();
        }
        if (c.length == 0) throw new IllegalArgumentException("the completion encodes to no tokens");
        if (p.length == 0) throw new IllegalArgumentException("the prompt encodes to no tokens (and no BOS to start from)");
        return TokenSequence.completionOnly(p, c);
    }

    /** A conversation; the assistant turns are the targets. */
    public TokenSequence chat(List<Map<String, String>> messages) {
        return chat(messages, false);
    }

    /**
     * A conversation followed by {@code reply} as the assistant's answer; only the reply (and the template's
     * end-of-turn text) is a target, earlier assistant turns are context. What preference pairs with chat prompts
     * compare.
     */
    public TokenSequence chatReply(List<Map<String, String>> conversation, String reply) {
        List<Map<String, String>> msgs = new ArrayList<>(conversation);
        msgs.add(Map.of("role", "assistant", "content", reply));
        return chat(msgs, true);
    }

    private TokenSequence chat(List<Map<String, String>> messages, boolean lastTurnOnly) {
        int lastAssistant = -1;
        for (int i = 0; i < messages.size(); i++) if ("assistant".equals(messages.get(i).get("role"))) lastAssistant = i;
        List<int[]> pieces = new ArrayList<>();
        List<Boolean> isTarget = new ArrayList<>();
        String covered = ""; // the rendered text that earlier pieces already hold
        String full = null;
        for (int i = 0; i < messages.size(); i++) {
            if (!"assistant".equals(messages.get(i).get("role"))) continue;
            if (i == 0) throw new IllegalArgumentException("messages[0] is an assistant turn; it needs a prompt before it");
            String prefix = tokenizer.applyChatTemplate(messages.subList(0, i), true);
            full = tokenizer.applyChatTemplate(messages.subList(0, i + 1), false);
            if (!full.startsWith(prefix) || !prefix.startsWith(covered)) {
                throw new IllegalArgumentException("the chat template does not render messages[" + i + "] as an "
                        + "extension of the earlier turns, so the assistant text cannot be located; render the "
                        + "prompt yourself and use prompt/completion rows");
            }
            pieces.add(tokenizer.encode(prefix.substring(covered.length())));
            isTarget.add(false);
            pieces.add(tokenizer.encode(full.substring(prefix.length())));
            isTarget.add(!lastTurnOnly || i == lastAssistant);
            covered = full;
        }
        if (full == null) throw new IllegalArgumentException("messages have no assistant turn to train on");
        String all = tokenizer.applyChatTemplate(messages, false);
        if (all.length() > covered.length() && all.startsWith(covered)) {
            pieces.add(tokenizer.encode(all.substring(covered.length())));
            isTarget.add(false);
        }
        int n = 0;
        for (int[] p : pieces) n += p.length;
        int[] ids = new int[n];
        boolean[] target = new boolean[n];
        int at = 0;
        for (int k = 0; k < pieces.size(); k++) {
            int[] p = pieces.get(k);
            System.arraycopy(p, 0, ids, at, p.length);
            if (isTarget.get(k)) Arrays.fill(target, at, at + p.length, true);
            at += p.length;
        }
        int[] withBos = withBos(ids);
        if (withBos.length != ids.length) {
            boolean[] shifted = new boolean[withBos.length];
            System.arraycopy(target, 0, shifted, 1, target.length);
            target = shifted;
        }
        target[0] = false;
        return new TokenSequence(withBos, target);
    }

    private int[] withBos(int[] ids) {
        int bos = tokenizer.bosId();
        if (!format.addBos() || bos < 0 || (ids.length > 0 && ids[0] == bos)) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }
}
