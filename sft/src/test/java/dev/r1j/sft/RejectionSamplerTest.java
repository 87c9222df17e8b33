package dev.r1j.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.r1j.core.data.JsonlDataset;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.format.FormatVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rejection sampling with a scripted sampler whose outputs are known. */
class RejectionSamplerTest {
    @TempDir
    Path dir;

    /** Returns the scripted completions of each prompt and records how it was called. */
    static final class ScriptedSampler implements Sampler {
        final Map<String, List<Completion>> script;
        final List<List<String>> calls = new ArrayList<>();
        final List<SamplingParams> params = new ArrayList<>();

        ScriptedSampler(Map<String, List<Completion>> script) {
            this.script = script;
        }

        @Override
        public List<CompletionGroup> sample(List<String> prompts, SamplingParams p) {
            calls.add(prompts);
            params.add(p);
            List<CompletionGroup> out = new ArrayList<>();
            for (String prompt : prompts) {
                List<Completion> cs = script.get(prompt);
                assertEquals(p.groupSize(), cs.size(), "script matches samples_per_prompt");
                out.add(new CompletionGroup(prompt, new int[] {1}, cs));
            }
            return out;
        }
    }

    private static Completion c(String text) {
        return new Completion(new int[] {5}, text, null, FinishReason.EOS);
    }

    private static Completion truncated(String text) {
        return new Completion(new int[] {5}, text, null, FinishReason.LENGTH);
    }

    /** Reward 1 when the answer tag holds the reference answer. */
    static final Verifier ANSWER = new Verifier() {
        public String name() { return "answer"; }
        public Verdict verify(Sample s) {
            return Verdict.of(s.completion().contains(">" + s.reference().get("answer") + "<") ? 1.0 : 0.0, "");
        }
    };

    @Test
    void keepsVerifiedWellFormedDistinctCompletionsUpToTheCap() throws Exception {
        Map<String, List<Completion>> script = Map.of(
                "1+1=", List.of(c("<answer>2</answer>"), c("<answer>3</answer>"), c("<answer>2</answer>"),
                        c("so >2< it is"), c("<answer> 2 </answer>x"), c("I say <answer>2</answer>")),
                "2+2=", List.of(c("<answer>5</answer>"), c("<answer>5</answer>"), c("<answer>3</answer>"),
                        c("<answer>0</answer>"), c("<answer>1</answer>"), c("<answer>9</answer>")),
                "3+3=", List.of(truncated("<answer>6</answer>"), c("<answer>6</answer>"), c("<answer>6</answer>"),
                        c("<answer>6</answer>"), c("<answer>6</answer>"), c("<answer>6 </answer>")));
        List<PromptExample> prompts = List.of(
                new PromptExample("1+1=", null, null, Map.of("answer", "2"), "t:1"),
                new PromptExample("2+2=", null, null, Map.of("answer", "4"), "t:2"),
                new PromptExample("3+3=", null, null, Map.of("answer", "6"), "t:3"));
        ScriptedSampler sampler = new ScriptedSampler(script);
        FormatVerifier format = new FormatVerifier(FormatVerifier.Mode.REGEX, Pattern.compile("\\s*<answer>[^<]*</answer>\\s*"),
                false, 1000);
        RejectionOptions o = RejectionOptions.defaults().withSamples(6).withMaxPerPrompt(2).withPromptsPerBatch(2);
        Path out = dir.resolve("rs/sft.jsonl");
        RejectionSampler.Report r = new RejectionSampler(sampler, ANSWER, format, null, o).run(prompts, out);

        // 1+1=: verified = the two "<answer>2</answer>", "so >2< it is", "I say <answer>2</answer>" (4);
        //       well-formed among them: the two identical ones (2) -> one distinct row
        // 2+2=: nothing verified
        // 3+3=: verified = the five "6" ones; the truncated one is dropped -> 4 accepted, all the same text -> 1 row
        assertEquals(new RejectionSampler.Report(3, 18, 4 + 5, 2 + 4, 2, 2), r);
        assertEquals(6.0 / 18, r.acceptanceRate(), 1e-12);
        List<Map<String, Object>> rows = JsonlDataset.read(out).rows().stream().map(x -> x.fields()).toList();
        assertEquals(List.of(
                Map.of("prompt", "1+1=", "completion", "<answer>2</answer>", "reward", 1.0),
                Map.of("prompt", "3+3=", "completion", "<answer>6</answer>", "reward", 1.0)), rows);
        // the sampler saw prompts in batches of 2, with per-batch seeds and the configured sample count
        assertEquals(List.of(List.of("1+1=", "2+2="), List.of("3+3=")), sampler.calls);
        assertEquals(List.of(0L, 1L), sampler.params.stream().map(SamplingParams::seed).toList());
        // the written file is an SFT dataset
        List<TokenSequence> seqs = new SftEncoder(new dev.r1j.core.tokenizer.CharTokenizer("0123456789+=<>/answer",
                null), SftFormat.defaults()).encodeAll(dev.r1j.core.data.PromptDataset.load(out));
        assertEquals(2, seqs.size());
        assertEquals("<answer>2</answer>".length() + 1, seqs.get(0).targetCount(), "completion + EOS are targets");
    }

    @Test
    void theCapKeepsDistinctCompletionsInSamplingOrder() {
        Map<String, List<Completion>> script = Map.of("p", List.of(c("<answer>1</answer>"), c("<answer>1</answer>"),
                c("x <answer>1</answer>"), c("y <answer>1</answer>"), c("z <answer>1</answer>")));
        List<RejectionSampler.Row> rows = new ArrayList<>();
        RejectionSampler.Report r = new RejectionSampler(new ScriptedSampler(script), ANSWER, null, null,
                RejectionOptions.defaults().withSamples(5).withMaxPerPrompt(3))
                .collect(List.of(new PromptExample("p", null, null, Map.of("answer", "1"), "t:1")), rows);
        assertEquals(List.of("<answer>1</answer>", "x <answer>1</answer>", "y <answer>1</answer>"),
                rows.stream().map(RejectionSampler.Row::completion).toList());
        assertEquals(5, r.accepted());
        assertEquals(3, r.kept());
        assertEquals(1.0, r.acceptanceRate());
    }

    @Test
    void badOptionsAndMessageRowsWithoutATokenizerAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> RejectionOptions.defaults().withMaxPerPrompt(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RejectionOptions.defaults().withSamples(0));
        assertTrue(e.getMessage().contains("samples_per_prompt"), e.getMessage());
        PromptExample chat = new PromptExample(null, List.of(Map.of("role", "user", "content", "1+1=")), null,
                Map.of("answer", "2"), "data.jsonl:4");
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> new RejectionSampler(
                new ScriptedSampler(Map.of()), ANSWER, null, null, RejectionOptions.defaults()).collect(List.of(chat),
                new ArrayList<>()));
        assertTrue(m.getMessage().startsWith("data.jsonl:4"), m.getMessage());
        // with a tokenizer the messages are rendered with its chat template and sampled as that text
        ScriptedSampler s = new ScriptedSampler(Map.of("U:1+1=<eos>A:", List.of(c("<answer>2</answer>"))));
        List<RejectionSampler.Row> rows = new ArrayList<>();
        new RejectionSampler(s, ANSWER, null, SftDataTest.TOK, RejectionOptions.defaults().withSamples(1))
                .collect(List.of(chat), rows);
        assertEquals(List.of(new RejectionSampler.Row("U:1+1=<eos>A:", "<answer>2</answer>", 1.0)), rows);
    }
}
