package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts the model cannot take are refused before any sampling, naming the dataset file and line. A stage whose prompts plus max_new_tokens exceed the model's context (128 tokens here: the toy base model's
 * max_position_embeddings) stops before sampling anything, naming the dataset file and line (before: accepted, and
 * sampled on positions the model never saw).
 */
class PromptTooLongTest {
    @Test
    void anEvalWhosePromptsLeaveNoRoomStopsNamingTheDatasetLine(@TempDir Path dir) {
        TinyR1Zero tiny = new TinyR1Zero(dir);
        int code = tiny.run(tiny.args("r1-zero.yaml", "--set", "stages[1].eval.max_new_tokens=126"));
        String err = tiny.err.toString();
        assertEquals(1, code, err);
        assertTrue(err.matches("(?s).*stage 2/4 'eval' failed: dataset: \\S*arith-test\\.jsonl:1: the prompt is \\d+ "
                + "tokens; with max_new_tokens 126 it does not fit the model's context of 128 tokens.*"), err);
        assertFalse(Files.exists(tiny.runDir().resolve("stages/01-eval/eval.json")));
    }

    @Test
    void aPromptWithACharacterOutsideTheAlphabetIsNamedByFileAndLine(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("odd.jsonl");
        Files.writeString(data, "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n{\"prompt\": \"1+\u00e4=\", \"answer\": \"2\"}\n");
        TinyR1Zero tiny = new TinyR1Zero(dir);
        int code = tiny.run(tiny.args("r1-zero.yaml", "--set", "stages[1].eval.dataset.path=" + data));
        String err = tiny.err.toString();
        assertEquals(1, code, err);
        assertTrue(err.contains("'eval' failed: dataset: " + data + ":2: character '\u00e4' (U+00E4) at index 2 is not "
                + "in the alphabet"), err);
    }
}
