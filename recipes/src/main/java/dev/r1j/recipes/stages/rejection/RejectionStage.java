package dev.r1j.recipes.stages.rejection;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.RunPaths;
import dev.r1j.recipes.stages.StartModel;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.recipes.stages.StageSampler;
import dev.r1j.sft.RejectionOptions;
import dev.r1j.sft.RejectionSampler;
import dev.r1j.verifiers.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rejection sampling with the sft library's {@link RejectionSampler} and a {@code LocalSampler} (or the {@code rollout.servers} fleet) on the start model:
 * writes the kept completions as an SFT dataset to {@code output}, logs the counts and the acceptance rate to
 * {@code metrics.jsonl} (one line, step 1) and records them in the results table. The model passes through
 * unchanged. A resumed run samples again from scratch (the same seed gives the same file).
 */
public final class RejectionStage implements Stage {
    private final RejectionStageOptions options;

    RejectionStage(RejectionStageOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path start = StartModel.resolve(options.model(), ctx);
        options.engine().apply();
        long seed = options.rejection().seed();
        Verifier verifier = VerifierSpec.build(options.verifiers());
        Verifier format = options.format() == null ? null : VerifierSpec.build(List.of(options.format()));
        Path output = RunPaths.resolve(options.output(), ctx);
        List<RejectionSampler.Row> rows = new ArrayList<>();
        RejectionSampler.Report total;
        try (NDManager manager = Djl.newManager(options.engine().resolveDevice());
             LoadedModel lm = Checkpoint.load(start, manager);
             Sampler sampler = StageSampler.open(options.rollout(), start, lm.model(), lm.tokenizer(), ctx.stageDir(),
                     ctx.out(), null)) {
            List<PromptExample> prompts = options.dataset().load(ctx, "dataset");
            int size = options.rejection().promptsPerBatch();
            int[] sums = new int[6];
            try (Progress bar = ctx.progress().start(ctx.stageId(), prompts.size())) {
                // one sampler batch per call, seeded as the library seeds batch b of one whole call: seed + b
                for (int b = 0, from = 0; from < prompts.size(); b++, from += size) {
                    RejectionOptions o = options.rejection().withSeed(seed + b);
                    RejectionSampler.Report r = new RejectionSampler(sampler, verifier, format, lm.tokenizer(), o)
                            .collect(prompts.subList(from, Math.min(prompts.size(), from + size)), rows);
                    add(sums, r);
                    bar.stepTo(Math.min(prompts.size(), from + size));
                    bar.extra(String.format("kept %d", sums[4]));
                }
            }
            total = new RejectionSampler.Report(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
        }
        RejectionSampler.write(rows, output);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("acceptance_rate", total.acceptanceRate());
        m.put("verified_rate", total.samples() == 0 ? 0.0 : (double) total.verified() / total.samples());
        m.put("prompts", total.prompts());
        m.put("samples", total.samples());
        m.put("accepted", total.accepted());
        m.put("kept", total.kept());
        m.put("prompts_with_kept", total.promptsWithKept());
        ctx.metrics().log(1, m);
        ctx.recordResult(options.label() != null ? options.label() : ctx.stageId(), Map.of(
                "acceptance_rate", total.acceptanceRate(), "rs_kept", (double) total.kept()));
        ctx.out().printf("%s: accepted %d of %d samples (%.3f), kept %d rows for %d of %d prompts in %s%n",
                ctx.stageId(), total.accepted(), total.samples(), total.acceptanceRate(), total.kept(),
                total.promptsWithKept(), total.prompts(), output);
    }

    private static void add(int[] s, RejectionSampler.Report r) {
        s[0] += r.prompts();
        s[1] += r.samples();
        s[2] += r.verified();
        s[3] += r.accepted();
        s[4] += r.kept();
        s[5] += r.promptsWithKept();
    }
}
