package dev.r1j.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One token per character for the toy models: ids 0, 1, 2 are {@code <pad>}, {@code <bos>}, {@code <eos>}, then
 * the alphabet's characters (Unicode code points) in the order given, then {@code <unk>}, the unknown token the
 * Hugging Face library maps characters outside the alphabet to. The special tokens' text in the input is read as the
 * special token, as the Hugging Face library does with added tokens. A character outside the alphabet is an error
 * here (naming it and its index): the one place where R1J is stricter than {@code tokenizer.json}.
 *
 * <p>It saves as a real {@code tokenizer.json} (a {@code WordLevel} model over the characters, a {@code Split}
 * pre-tokenizer that isolates every character, a {@code TemplateProcessing} post-processor that prepends
 * {@code <bos>}, a {@code Fuse} decoder) that {@code transformers} and {@link HfTokenizer} load with the same ids:
 * {@code tokenizer(text)} in Python gives {@code <bos>} followed by {@link #encode}'s ids, which is what R1J feeds
 * the model. {@link #encode} itself adds no BOS (R1J's samplers and trainers prepend it once).
 *
 * <p>Tokenizers saved before {@code <unk>} existed load without it ({@link #hasUnk()} false, vocabulary one
 * smaller, matching their model's {@code vocab_size}).
 *
 * <pre>{@code
 * CharTokenizer tok = new CharTokenizer("0123456789+-*= ", null);
 * int[] ids = tok.encode("12+7=");     // [4, 5, 13, 10, 16]
 * tok.save(dir);                        // tokenizer.json + tokenizer_config.json
 * }</pre>
 */
public final class CharTokenizer implements Tokenizer {
    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    /** The unknown token, the last id: what {@code tokenizer.json} gives a character outside the alphabet. */
    public static final String UNK = "<unk>";
    private static final String[] SPECIALS = {PAD, BOS, EOS};
    /** Every character, newlines included, as its own piece (the pattern must not depend on '.' and line ends). */
    static final String SPLIT_REGEX = "[\\s\\S]";

    private final String alphabet;
    private final int[] codePoints;
    private final Map<Integer, Integer> ids = new HashMap<>();
    private final ChatTemplate template;
    private final boolean hasUnk;

    /**
     * @param alphabet the characters, each once, in id order
     * @param chatTemplate a Jinja chat template, or {@code null} for none
     */
    public CharTokenizer(String alphabet, String chatTemplate) {
        this(alphabet, chatTemplate, true);
    }

    private CharTokenizer(String alphabet, String chatTemplate, boolean hasUnk) {
        this.hasUnk = hasUnk;
        this.alphabet = alphabet;
        this.codePoints = alphabet.codePoints().toArray();
        for (int i = 0; i < codePoints.length; i++) {
            if (ids.put(codePoints[i], SPECIALS.length + i) != null) {
                throw new IllegalArgumentException("alphabet has '" + Character.toString(codePoints[i])
                        + "' twice (at index " + i + ")");
            }
        }
        if (codePoints.length == 0) {
            throw new IllegalArgumentException("alphabet is empty");
        }
        this.template = chatTemplate == null ? null : new ChatTemplate(chatTemplate);
    }

    /** The characters in id order (ids start at 3). */
    public String alphabet() {
        return alphabet;
    }

    /** Whether the vocabulary ends with {@code <unk>} (false only for tokenizers saved before it existed). */
    public boolean hasUnk() {
        return hasUnk;
    }

    /** The id of {@code <unk>}, or -1 when {@link #hasUnk()} is false. */
    public int unkId() {
        return hasUnk ? SPECIALS.length + codePoints.length : -1;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        int n = 0;
        int i = 0;
        outer:
        while (i < text.length()) {
            for (int s = 0; s < SPECIALS.length; s++) {
                if (text.startsWith(SPECIALS[s], i)) {
                    out[n++] = s;
                    i += SPECIALS[s].length();
                    continue outer;
                }
            }
            if (hasUnk && text.startsWith(UNK, i)) {
                out[n++] = unkId();
                i += UNK.length();
                continue;
            }
            int cp = text.codePointAt(i);
            Integer id = ids.get(cp);
            if (id == null) {
                // Hugging Face's WordLevel model maps it to <unk>; R1J refuses text it cannot represent (a data set
                // or prompt with characters the model never saw is a mistake to report, not to train on)
                throw new IllegalArgumentException("character '" + Character.toString(cp) + "' (U+"
                        + String.format("%04X", cp) + ") at index " + i + " is not in the alphabet");
            }
            out[n++] = id;
            i += Character.charCount(cp);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] tokenIds) {
        StringBuilder b = new StringBuilder(tokenIds.length);
        for (int id : tokenIds) {
            if (id < 0 || id >= vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                        + vocabSize() + ")");
            }
            if (id >= SPECIALS.length && id != unkId()) {
                b.appendCodePoint(codePoints[id - SPECIALS.length]);
            }
        }
        return b.toString();
    }

    @Override
    public int vocabSize() {
        return SPECIALS.length + codePoints.length + (hasUnk ? 1 : 0);
    }

    @Override
    public int bosId() {
        return 1;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public int padId() {
        return 0;
    }

    @Override
    public String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt) {
        if (template == null) {
            throw new IllegalStateException("this character tokenizer has no chat template");
        }
        return template.render(messages, addGenerationPrompt, Map.of("bos_token", BOS, "eos_token", EOS,
                "pad_token", PAD));
    }

    @Override
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(HfTokenizer.FILE), toTokenizerJson());
            Files.writeString(dir.resolve(TokenizerConfig.FILE), tokenizerConfig().toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code tokenizer_config.json}'s content: special tokens, that BOS and not EOS is added (as the
     * {@code tokenizer.json} post-processor does), template, and no space clean-up on decode.
     */
    TokenizerConfig tokenizerConfig() {
        ObjectNode c = TokenizerConfig.JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", BOS);
        c.put("eos_token", EOS);
        c.put("pad_token", PAD);
        if (hasUnk) {
            c.put("unk_token", UNK);
        }
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        c.put("clean_up_tokenization_spaces", false);
        c.put("model_max_length", 1_000_000);
        if (template != null) {
            c.put("chat_template", template.source());
        }
        return TokenizerConfig.parse(c.toString(), TokenizerConfig.FILE);
    }

    /** The Hugging Face {@code tokenizer.json} text of this tokenizer. */
    public String toTokenizerJson() {
        ObjectNode root = TokenizerConfig.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int s = 0; s < SPECIALS.length; s++) {
            addedToken(added, s, SPECIALS[s]);
        }
        if (hasUnk) {
            addedToken(added, unkId(), UNK);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", SPLIT_REGEX);
        pre.put("behavior", "Isolated");
        pre.put("invert", false);
        root.set("post_processor", bosPostProcessor());
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int s = 0; s < SPECIALS.length; s++) {
            vocab.put(SPECIALS[s], s);
        }
        for (int i = 0; i < codePoints.length; i++) {
            vocab.put(Character.toString(codePoints[i]), SPECIALS.length + i);
        }
        if (hasUnk) {
            vocab.put(UNK, unkId());
        }
        // A tokenizer without <unk> in its vocabulary (saved before it existed) errs on unknown characters, as here.
        model.put("unk_token", UNK);
        try {
            return TokenizerConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addedToken(ArrayNode added, int id, String content) {
        added.addObject().put("id", id).put("content", content).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }

    /**
     * The {@code TemplateProcessing} post-processor that makes {@code tokenizer(text)} start with {@code <bos>}
     * (Llama 3's form): {@code <bos> A} for one sequence, {@code <bos> A <bos> B} for a pair.
     */
    static ObjectNode bosPostProcessor() {
        ObjectNode p = TokenizerConfig.JSON.createObjectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = p.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = p.putObject("special_tokens").putObject(BOS);
        bos.put("id", BOS);
        bos.putArray("ids").add(1);
        bos.putArray("tokens").add(BOS);
        return p;
    }

    /**
     * The character tokenizer a {@code tokenizer.json} describes, or {@code null} when it is some other tokenizer
     * (then {@link HfTokenizer} runs it).
     */
    static CharTokenizer fromTokenizerJson(JsonNode root, TokenizerConfig config) {
        JsonNode model = root.path("model");
        if (!"WordLevel".equals(model.path("type").asText()) || !"Fuse".equals(root.path("decoder").path("type").asText())
                || !"Split".equals(root.path("pre_tokenizer").path("type").asText())
                || !SPLIT_REGEX.equals(root.path("pre_tokenizer").path("pattern").path("Regex").asText())
                || !root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()
                || !(root.path("post_processor").isNull() || root.path("post_processor").isMissingNode()
                        || bosPostProcessor().equals(root.path("post_processor")))) {
            return null; // a legacy file has no post-processor; any other one is not ours
        }
        Map<Integer, String> byId = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (byId.put(e.getValue().asInt(), e.getKey()) != null) {
                return null;
            }
        }
        for (int s = 0; s < SPECIALS.length; s++) {
            if (!SPECIALS[s].equals(byId.get(s))) {
                return null;
            }
        }
        StringBuilder alphabet = new StringBuilder();
        List<Integer> order = new ArrayList<>(byId.keySet());
        order.sort(null);
        boolean unk = UNK.equals(byId.get(order.size() - 1));
        if (unk) {
            order.remove(order.size() - 1);
        }
        for (int k = 0; k < order.size(); k++) {
            if (order.get(k) != k) {
                return null; // ids with gaps: not ours
            }
            if (k >= SPECIALS.length) {
                String piece = byId.get(k);
                if (piece.codePointCount(0, piece.length()) != 1) {
                    return null;
                }
                alphabet.append(piece);
            }
        }
        if (alphabet.length() == 0) {
            return null;
        }
        return new CharTokenizer(alphabet.toString(), config.chatTemplate(), unk);
    }
}
