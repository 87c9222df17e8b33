package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolRunner;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Prompt + max_new_tokens must fit the model's context: checked up front by stages, and by the sampler itself. */
class PromptBudgetTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghij");
    static final HistoryLM LM = HistoryLM.random(TOK.vocabSize(), 2.0, 1.5, 3);

    static {
        LM.config = ModelConfig.llama(TOK.vocabSize(), 8, 16, 1, 2, 2, 12); // a context of 12 tokens
    }

    @AfterAll
    static void close() {
        LM.close();
    }

    @Test
    void theSamplerRefusesAPromptThatLeavesNoRoomForMaxNewTokens() {
        LocalSampler sampler = new LocalSampler(LM, TOK);
        // "abcdef" is 7 tokens with BOS: 7 + 5 = 12 fits exactly, 7 + 6 does not
        assertEquals(1, sampler.sample(List.of("abcdef"), SamplingParams.greedy(5)).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(List.of("ab", "abcdef"), SamplingParams.greedy(6)));
        assertEquals("prompt 1 ('abcdef'): the prompt is 7 tokens; with max_new_tokens 6 it does not fit the model's "
                + "context of 12 tokens (max_position_embeddings), which leaves room for prompts of at most 6 tokens: "
                + "shorten or drop the row, or lower max_new_tokens", e.getMessage());
    }

    @Test
    void theBudgetNamesWhereThePromptCameFromAndCountsAsTheSamplerFeeds() {
        PromptBudget budget = PromptBudget.of(new LocalSampler(LM, TOK), 4);
        budget.require("abcdefg", "data.jsonl:3"); // 8 tokens with BOS + 4 = 12
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> budget.require("abcdefgh", "data.jsonl:4"));
        assertEquals(true, e.getMessage().startsWith("data.jsonl:4: the prompt is 9 tokens; with max_new_tokens 4"),
                e.getMessage());
    }

    /** A multi-turn episode's budget is max_total_tokens, not max_new_tokens: the error names the option to lower. */
    @Test
    void aMultiTurnSamplerNamesTheEpisodeBudget() {
        try (ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(8))) {
            PromptBudget budget = PromptBudget.of(new LocalSampler(LM, TOK).withTools(tools), 2);
            budget.require("abc", "data.jsonl:1"); // 4 tokens with BOS + 8 = 12
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> budget.require("abcd", "data.jsonl:2"));
            assertEquals("data.jsonl:2: the prompt is 5 tokens; with environment.max_total_tokens 8 it does not fit "
                    + "the model's context of 12 tokens (max_position_embeddings), which leaves room for prompts of at "
                    + "most 4 tokens: shorten or drop the row, or lower environment.max_total_tokens", e.getMessage());
        }
    }

    @Test
    void aPromptTheTokenizerCannotEncodeIsNamedByWhereItCameFrom() {
        PromptBudget budget = PromptBudget.of(new LocalSampler(LM, TOK), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> budget.require("abz", "data.jsonl:7"));
        assertEquals(true, e.getMessage().startsWith("data.jsonl:7: "), e.getMessage());
        assertEquals(true, e.getMessage().contains("'z'"), e.getMessage());
    }

    @Test
    void aModelWithoutAConfigHasNoLimit() {
        HistoryLM lm = HistoryLM.random(TOK.vocabSize(), 2.0, 1.5, 4);
        try {
            PromptBudget.of(new LocalSampler(lm, TOK), 1_000_000).require("abcdefghij".repeat(50), "anywhere");
        } finally {
            lm.close();
        }
    }
}
