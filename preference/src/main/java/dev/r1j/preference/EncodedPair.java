package dev.r1j.preference;

import dev.r1j.core.train.TokenSequence;
import dev.r1j.sft.SftEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A pair as token sequences: prompt + chosen and prompt + rejected, the completion tokens (and EOS, or the chat
 * template's end-of-turn text) as targets, encoded exactly as SFT encodes a prompt/completion row or a chat reply.
 *
 * <pre>{@code
 * EncodedPair e = EncodedPair.of(new SftEncoder(tokenizer, SftFormat.defaults()), pair, 1024);
 * }</pre>
 */
public record EncodedPair(TokenSequence chosen, TokenSequence rejected) {

    /** Encodes and truncates to {@code maxLength}; null when a side keeps no completion token after truncation. */
    public static EncodedPair of(SftEncoder encoder, PreferencePair pair, int maxLength) {
        TokenSequence c = encode(encoder, pair, pair.chosen()).truncate(maxLength);
        TokenSequence r = encode(encoder, pair, pair.rejected()).truncate(maxLength);
        return c.targetCount() == 0 || r.targetCount() == 0 ? null : new EncodedPair(c, r);
    }

    private static TokenSequence encode(SftEncoder encoder, PreferencePair pair, String completion) {
        return pair.messages() != null ? encoder.chatReply(pair.messages(), completion)
                : encoder.promptCompletion(pair.prompt(), completion);
    }

    /** The chosen sequences of {@code pairs}, then their rejected ones: one batch, one forward. */
    static List<TokenSequence> chosenThenRejected(List<EncodedPair> pairs) {
        List<TokenSequence> out = new ArrayList<>(2 * pairs.size());
        for (EncodedPair p : pairs) out.add(p.chosen());
        for (EncodedPair p : pairs) out.add(p.rejected());
        return out;
    }
}
