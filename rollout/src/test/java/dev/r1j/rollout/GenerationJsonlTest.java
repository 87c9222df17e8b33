package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationJsonlTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abc");

    @Test
    void readsPromptsAndMessagesAndCarriesFields(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"prompt\":\"ab\",\"answer\":\"3\"}\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"c\"}]}\n");
        List<GenerationJsonl.PromptRow> rows = GenerationJsonl.readPrompts(f, TOK);
        assertEquals(2, rows.size());
        assertEquals("ab", rows.get(0).prompt());
        assertEquals("3", rows.get(0).extra().get("answer").asText());
        assertEquals("u:c;a:", rows.get(1).prompt());

        CompletionGroup g = new CompletionGroup("ab", new int[] {1, 3, 4},
                List.of(new Completion(new int[] {5, 2}, "c", new float[] {-0.5f, -0.25f}, FinishReason.EOS)));
        JsonNode line = new ObjectMapper().readTree(GenerationJsonl.toJsonLine(g, rows.get(0).extra()));
        assertEquals("3", line.get("answer").asText());
        assertEquals("[1,3,4]", line.get("prompt_token_ids").toString());
        assertEquals("eos", line.at("/completions/0/finish_reason").asText());
        assertEquals(-0.25, line.at("/completions/0/logprobs/1").asDouble());
        assertEquals("[5,2]", line.at("/completions/0/token_ids").toString());
    }

    @Test
    void badLinesNameTheFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\":\"a\"}\n{\"question\":\"a\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GenerationJsonl.readPrompts(f, TOK));
        assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("'prompt'"), e.getMessage());
        Files.writeString(f, "{\"prompt\":\"a\"\n");
        e = assertThrows(IllegalArgumentException.class, () -> GenerationJsonl.readPrompts(f, TOK));
        assertTrue(e.getMessage().contains("bad.jsonl:1") && e.getMessage().contains("JSON"), e.getMessage());
    }
}
