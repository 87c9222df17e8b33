package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference sampler kept in the tests: no KV cache, every step recomputes a full forward over prompt + generated
 * tokens of the unfinished rows (left-padded). It draws with the same per-row random streams and the same
 * {@link NextToken} rules as {@link LocalSampler}, so both must produce identical completions; it is also the
 * baseline of {@code DecodeBenchmark}.
 */
final class NaiveSampler implements Sampler {
    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final LocalSampler encoder;

    NaiveSampler(CausalLM model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.encoder = new LocalSampler(model, tokenizer);
    }

    @Override
    public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
        int g = params.groupSize();
        List<int[]> promptIds = new ArrayList<>();
        for (String p : prompts) promptIds.add(encoder.encodePrompt(p));
        int promptLen = promptIds.stream().mapToInt(a -> a.length).max().orElseThrow();
        long pad = tokenizer.padId() >= 0 ? tokenizer.padId() : Math.max(tokenizer.eosId(), 0);
        StopStrings stops = new StopStrings(params.stop());
        Row[] rows = new Row[prompts.size() * g];
        for (int r = 0; r < rows.length; r++) rows[r] = new Row(r / g, r % g, params.seed(), params.maxNewTokens());
        for (int t = 0; ; t++) {
            List<Row> live = new ArrayList<>();
            for (Row r : rows) if (!r.done()) live.add(r);
            if (live.isEmpty()) break;
            int len = promptLen + t;
            long[] ids = new long[live.size() * len];
            long[] mask = new long[live.size() * len];
            for (int i = 0; i < live.size(); i++) {
                Row row = live.get(i);
                int[] prompt = promptIds.get(row.prompt);
                int[] gen = row.tokens();
                int start = promptLen - prompt.length;
                for (int s = 0; s < len; s++) {
                    boolean real = s >= start;
                    ids[i * len + s] = !real ? pad : s < promptLen ? prompt[s - start] : gen[s - promptLen];
                    mask[i * len + s] = real ? 1 : 0;
                }
            }
            float[] logits;
            try (NDManager step = model.manager().newSubManager()) {
                NDArray out = model.forward(step.create(ids, new Shape(live.size(), len)),
                        step.create(mask, new Shape(live.size(), len)), null);
                out.attach(step);
                logits = out.get(new NDIndex(":, -1, :")).toFloatArray();
            }
            int vocab = logits.length / live.size();
            for (int i = 0; i < live.size(); i++) {
                Row row = live.get(i);
                int tok = NextToken.sample(logits, i * vocab, vocab, params.temperature(), params.topP(), params.topK(), row.rng);
                row.append(tok, (float) NextToken.logSoftmaxAt(logits, i * vocab, vocab, tok, params.temperature()));
                String text = tokenizer.decode(row.tokens());
                int cut = stops.find(text);
                if (tok == tokenizer.eosId()) row.finish(FinishReason.EOS, null);
                else if (cut >= 0) row.finish(FinishReason.STOP, text.substring(0, cut));
                else if (row.length() == params.maxNewTokens()) row.finish(FinishReason.LENGTH, null);
            }
        }
        List<CompletionGroup> out = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            List<Completion> cs = new ArrayList<>();
            for (int j = 0; j < g; j++) cs.add(rows[p * g + j].toCompletion(tokenizer));
            out.add(new CompletionGroup(prompts.get(p), promptIds.get(p), cs));
        }
        return out;
    }
}
