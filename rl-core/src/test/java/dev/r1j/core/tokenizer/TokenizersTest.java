package dev.r1j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    static final String ALPHABET = "0123456789+-*/=() \n<>abcdefghijklmnopqrstuvwxyzé😀";

    @TempDir
    Path dir;

    @Test
    void charTokenizerIdsAreFixedAndRoundTrip() {
        CharTokenizer tok = new CharTokenizer("0123456789+-*= ", null);
        assertEquals(3 + 15 + 1, tok.vocabSize(), "specials, the alphabet, <unk>");
        assertEquals(0, tok.padId());
        assertEquals(1, tok.bosId());
        assertEquals(2, tok.eosId());
        assertEquals(18, tok.unkId());
        assertArrayEquals(new int[] {4, 5, 13, 10, 16}, tok.encode("12+7="));
        assertArrayEquals(new int[] {1, 4, 2, 0, 18}, tok.encode("<bos>1<eos><pad><unk>"), "special tokens in the text");
        assertEquals("12+7=19", tok.decode(new int[] {1, 4, 5, 13, 10, 16, 4, 12, 2, 0, 0, 18}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("1+x"));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("index 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {19}));
        e = assertThrows(IllegalArgumentException.class, () -> new CharTokenizer("abca", null));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
    }

    /** The saved tokenizer.json, run by the Hugging Face library itself, must give the same ids and text. */
    @Test
    void charTokenizerSavesATokenizerJsonTheHfLibraryReadsIdentically() throws IOException {
        CharTokenizer chars = new CharTokenizer(ALPHABET, "{% for m in messages %}<{{ m.role }}>{{ m.content }}"
                + "{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
        chars.save(dir);
        HfTokenizer hf = HfTokenizer.load(dir);
        assertEquals(chars.vocabSize(), hf.vocabSize());
        assertEquals(chars.bosId(), hf.bosId());
        assertEquals(chars.eosId(), hf.eosId());
        assertEquals(chars.padId(), hf.padId());
        List<String> samples = List.of("12+7=19", "  two  spaces ", "line\nbreak\n\n", "(3*4)-5/6",
                "<bos>12<eos>", "a<eos><pad>b", "café 😀 x", "<not special>", "", "=", "\n", "(1<unk>2)");
        try (HuggingFaceTokenizer library = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            for (String s : samples) {
                int[] ids = chars.encode(s);
                assertArrayEquals(ids, hf.encode(s), "encode of '" + s + "'");
                assertEquals(chars.decode(ids), hf.decode(ids), "decode of '" + s + "'");
                // tokenizer.json alone, as transformers runs it (special tokens added): BOS, then R1J's ids
                assertArrayEquals(withBos(ids), toInts(library.encode(s).getIds()), "library encode of '" + s + "'");
                assertArrayEquals(ids, toInts(library.encode(s, false, false).getIds()), "without specials: " + s);
            }
            // outside the alphabet: <unk> in the library, an error naming the character in R1J
            assertArrayEquals(new int[] {1, chars.unkId()}, toInts(library.encode("Ä").getIds()));
            assertThrows(IllegalArgumentException.class, () -> chars.encode("Ä"));
        }
        assertEquals("café 😀 x", hf.decode(chars.encode("<bos>café 😀 x<eos>")));
        List<Map<String, String>> chat = List.of(Map.of("role", "user", "content", "1+1"));
        assertEquals("<user>1+1<eos><assistant>", chars.applyChatTemplate(chat, true));
        assertEquals(chars.applyChatTemplate(chat, true), hf.applyChatTemplate(chat, true));

        Tokenizer loaded = Tokenizers.load(dir);
        CharTokenizer again = assertInstanceOf(CharTokenizer.class, loaded);
        assertEquals(ALPHABET, again.alphabet());
        assertEquals("<user>1+1<eos><assistant>", again.applyChatTemplate(chat, true));
    }

    /** R1J's tokenizers add no BOS themselves, whichever implementation loads the file: no BOS twice. */
    @Test
    void loadedTokenizersDoNotAddTheBosThePostProcessorDeclares() throws IOException {
        CharTokenizer chars = new CharTokenizer(ALPHABET, null);
        chars.save(dir);
        String json = Files.readString(dir.resolve("tokenizer.json"));
        assertTrue(json.contains("TemplateProcessing"), json);
        for (Tokenizer loaded : List.of(Tokenizers.load(dir), HfTokenizer.load(dir))) {
            int[] ids = loaded.encode("12+7=");
            assertEquals(5, ids.length, loaded.getClass().getSimpleName() + ": one id a character, no BOS");
            assertArrayEquals(chars.encode("12+7="), ids, loaded.getClass().getSimpleName());
            assertEquals(0, loaded.encode("").length, loaded.getClass().getSimpleName());
        }
        assertInstanceOf(CharTokenizer.class, Tokenizers.load(dir), "the post-processor is recognised as ours");
        TokenizerConfig config = TokenizerConfig.read(dir);
        assertEquals("<bos>", config.bosToken());
        assertEquals("<unk>", config.unkToken());
        assertEquals(Boolean.TRUE, config.raw().path("add_bos_token").booleanValue());
        assertEquals(Boolean.FALSE, config.raw().path("add_eos_token").booleanValue());
    }

    /** A tokenizer.json saved before <unk> and the post-processor existed still loads, and re-saves compatibly. */
    @Test
    void legacyCharTokenizerFilesLoadWithoutUnk() throws IOException {
        CharTokenizer current = new CharTokenizer("0123456789+=", null);
        current.save(dir);
        // the file as the previous version wrote it: no post-processor, no <unk> in vocab or added tokens
        com.fasterxml.jackson.databind.node.ObjectNode legacy = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        legacy.putNull("post_processor");
        ((com.fasterxml.jackson.databind.node.ObjectNode) legacy.get("model").get("vocab")).remove("<unk>");
        ((com.fasterxml.jackson.databind.node.ArrayNode) legacy.get("added_tokens")).remove(3);
        Path old = dir.resolve("old");
        Files.createDirectories(old);
        Files.writeString(old.resolve("tokenizer.json"), legacy.toString());
        Files.writeString(old.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        CharTokenizer loaded = assertInstanceOf(CharTokenizer.class, Tokenizers.load(old));
        assertFalse(loaded.hasUnk());
        assertEquals(3 + 12, loaded.vocabSize(), "the old model's vocab_size still fits");
        assertArrayEquals(current.encode("12+7=19"), loaded.encode("12+7=19"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loaded.encode("1x"));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("index 1"), e.getMessage());
        Path resaved = dir.resolve("resaved");
        loaded.save(resaved);
        CharTokenizer again = assertInstanceOf(CharTokenizer.class, Tokenizers.load(resaved));
        assertEquals(loaded.vocabSize(), again.vocabSize());
        try (HuggingFaceTokenizer library = HuggingFaceTokenizer.newInstance(resaved.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            assertArrayEquals(withBos(loaded.encode("3+4=7")), toInts(library.encode("3+4=7").getIds()));
        }
    }

    static int[] withBos(int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = 1;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    static int[] toInts(long[] ids) {
        return java.util.Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }

    /** A small BPE tokenizer.json in the shape Qwen's has (added special tokens, object-valued eos in config). */
    static void writeBpe(Path dir, String eosToken) throws IOException {
        String tokenizerJson = """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                   {"id": 9, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true},
                   {"id": 10, "content": "<|im_start|>", "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true},
                   {"id": 11, "content": "<|im_end|>", "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "WhitespaceSplit"},
                 "post_processor": null,
                 "decoder": null,
                 "model": {"type": "BPE", "dropout": null, "unk_token": "?", "continuing_subword_prefix": null,
                   "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                   "vocab": {"?": 0, "a": 1, "b": 2, "c": 3, "ab": 4, "abc": 5, "d": 6, "cd": 7, "x": 8},
                   "merges": ["a b", "ab c", "c d"]}}
                """;
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": null,
                 "eos_token": %s,
                 "pad_token": "<|endoftext|>",
                 "chat_template": "{%% for m in messages %%}{{ '<|im_start|>' + m.role + ' ' + m.content + '<|im_end|>' }}{%% endfor %%}",
                 "model_max_length": 32768}
                """.formatted(eosToken));
    }

    @Test
    void hfTokenizerRunsABpeTokenizerJsonWithoutAddingSpecials() throws IOException {
        writeBpe(dir, "{\"__type\": \"AddedToken\", \"content\": \"<|im_end|>\", \"special\": true}");
        Tokenizer tok = Tokenizers.load(dir);
        assertInstanceOf(HfTokenizer.class, tok);
        assertArrayEquals(new int[] {5, 4, 7, 1}, tok.encode("abc ab cd a"), "merges a+b, ab+c, c+d applied");
        assertArrayEquals(new int[] {10, 5, 11}, tok.encode("<|im_start|>abc<|im_end|>"));
        assertEquals(-1, tok.bosId());
        assertEquals(11, tok.eosId());
        assertEquals(9, tok.padId());
        assertEquals(12, tok.vocabSize());
        assertEquals("abc ab", tok.decode(new int[] {10, 5, 11, 4, 9}), "special tokens dropped");
        assertEquals("<|im_start|>user ab<|im_end|>", tok.applyChatTemplate(
                List.of(Map.of("role", "user", "content", "ab")), false));
        // No truncation or padding sneaks in from library defaults.
        String longText = "abc ".repeat(3000);
        assertEquals(3000, tok.encode(longText).length);

        Path copy = dir.resolve("copy");
        tok.save(copy);
        Tokenizer reloaded = Tokenizers.load(copy);
        assertArrayEquals(tok.encode("cd abc x"), reloaded.encode("cd abc x"));
        assertEquals(11, reloaded.eosId());
        assertEquals(tok.applyChatTemplate(List.of(Map.of("role", "user", "content", "x")), true),
                reloaded.applyChatTemplate(List.of(Map.of("role", "user", "content", "x")), true));
    }

    /** GPT-2's byte-to-printable-character table, as Qwen's and Llama-3's byte-level BPE use it. */
    static String[] byteToUnicode() {
        List<Integer> bs = new java.util.ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs.add(b);
        }
        String[] map = new String[256];
        for (int b : bs) {
            map[b] = Character.toString(b);
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (map[b] == null) {
                map[b] = Character.toString(256 + n++);
            }
        }
        return map;
    }

    /** A byte-level BPE like Qwen2.5's: bytes as tokens 0..255 (id = byte), two merges, one special token. */
    @Test
    void hfTokenizerHandlesByteLevelBpeLikeQwen() throws IOException {
        String[] map = byteToUnicode();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode vocab = json.createObjectNode();
        for (int b = 0; b < 256; b++) {
            vocab.put(map[b], b);
        }
        vocab.put("he", 256);
        vocab.put(map[' '] + "w", 257);
        String byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true,"
                + " \"use_regex\": true}";
        String tokenizerJson = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null,"
                + "\"added_tokens\": [{\"id\": 258, \"content\": \"<|endoftext|>\", \"single_word\": false,"
                + " \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}],"
                + "\"normalizer\": null, \"pre_tokenizer\": " + byteLevel + ", \"post_processor\": " + byteLevel
                + ", \"decoder\": " + byteLevel + ", \"model\": {\"type\": \"BPE\", \"dropout\": null,"
                + " \"unk_token\": null, \"continuing_subword_prefix\": \"\", \"end_of_word_suffix\": \"\","
                + " \"fuse_unk\": false, \"byte_fallback\": false, \"vocab\": " + json.writeValueAsString(vocab)
                + ", \"merges\": [\"h e\", " + json.writeValueAsString(map[' '] + " w") + "]}}";
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        // A small model_max_length must not truncate: encode() is for whole training sequences.
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"model_max_length\": 16}");
        Tokenizer tok = Tokenizers.load(dir);
        assertInstanceOf(HfTokenizer.class, tok);
        // "hello" -> he l l o; " world" -> Ġw o r l d (the space is byte-mapped, then merged with w).
        assertArrayEquals(new int[] {256, 'l', 'l', 'o', 257, 'o', 'r', 'l', 'd'}, tok.encode("hello world"));
        assertArrayEquals(new int[] {0xC3, 0xA9, ' ', 0xF0, 0x9F, 0x98, 0x80}, tok.encode("\u00e9 \ud83d\ude00"),
                "UTF-8 bytes as tokens");
        assertEquals("hello world", tok.decode(new int[] {256, 'l', 'l', 'o', 257, 'o', 'r', 'l', 'd', 258}));
        assertEquals("\u00e9 \ud83d\ude00", tok.decode(tok.encode("\u00e9 \ud83d\ude00")));
        assertEquals(258, tok.eosId());
        assertEquals(259, tok.vocabSize());
        String repeated = "hello world" + " hello world".repeat(49);
        assertEquals(9 + 10 * 49, tok.encode(repeated).length);
        assertEquals(repeated, tok.decode(tok.encode(repeated)));
    }

    @Test
    void badTokenizerFilesGiveOneClearError() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("missing tokenizer.json"), e.getMessage());

        writeBpe(dir, "\"<|nope|>\"");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("eos_token")
                && e.getMessage().contains("<|nope|>"), e.getMessage());

        writeBpe(dir, "5");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("field 'eos_token'"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json: not valid JSON"), e.getMessage());
    }

    @Test
    void tokenizerConfigReadsTemplateListsAndSeparateTemplateFiles() throws IOException {
        TokenizerConfig c = TokenizerConfig.parse("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
                + "{\"name\": \"default\", \"template\": \"D\"}], \"unk_token\": {\"content\": \"<unk>\"}}", "x.json");
        assertEquals("D", c.chatTemplate());
        assertEquals("<unk>", c.unkToken());
        assertEquals(Map.of("unk_token", "<unk>"), c.templateVariables());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}\n");
        TokenizerConfig read = TokenizerConfig.read(dir);
        assertEquals("</s>", read.eosToken());
        assertEquals("{{ messages[0].content }}\n", read.chatTemplate());
        assertTrue(read.toJson().contains("chat_template"), "the template is kept when saving");
    }
}
