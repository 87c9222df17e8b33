package dev.r1j.recipes.stages.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoints;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.fleet.FleetUnavailableException;
import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.rollout.server.OpenAiServer;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grpo stage's fault handling around a server fleet: a push no server takes after a step is a warning (the step
 * stays logged and checkpointed), and sampling that the fleet cannot do stops the stage with a checkpoint of the
 * steps done and the data position of before the failed step.
 */
class FleetRolloutTest {
    static final CharTokenizer TOK = new CharTokenizer("abcdefghijklmnopqrstuvwxyz0123456789+=: \n", null);

    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter();

    /** Only what FleetRollout asks of a stage context. */
    StageContext ctx() {
        PrintWriter pw = new PrintWriter(out, true);
        return new StageContext() {
            public Recipe recipe() { throw new UnsupportedOperationException(); }
            public int stageIndex() { return 2; }
            public String stageId() { return "02-grpo"; }
            public Path runDir() { return tmp; }
            public Path stageDir() { return tmp.resolve("stage"); }
            public Optional<Path> inputModel() { return Optional.empty(); }
            public void setOutputModel(Path modelDir) {}
            public long seed() { return 0; }
            public boolean resuming() { return false; }
            public MetricsLog metrics() { throw new UnsupportedOperationException(); }
            public ProgressFactory progress() { return ProgressFactory.none(); }
            public PrintWriter out() { return pw; }
            public void recordResult(String label, Map<String, Double> metrics) {}
        };
    }

    Path checkpoint(NDManager m) {
        System.setProperty("r1j.fsync", "false");
        Path dir = tmp.resolve("tiny");
        try (Transformer t = Transformer.create(ModelConfig.tinyLlama(TOK.vocabSize()), m, 1)) {
            Checkpoint.save(dir, t, TOK);
        }
        return dir;
    }

    @Test
    void aPushNoServerTakesIsAWarningAndTheStepStands() throws Exception {
        try (NDManager m = Djl.newManager()) {
            Path dir = checkpoint(m);
            try (LoadedModel served = Checkpoint.load(dir, m); LoadedModel policy = Checkpoint.load(dir, m)) {
                OpenAiServer server = OpenAiServer.start(new LocalSampler(served.model(), served.tokenizer()), "tiny", 0,
                        ContinuousBatcher.Limits.defaults());
                RolloutOptions o = RolloutOptions.defaults().withServers(List.of(server.baseUri().toString()));
                try (FleetRollout fleet = FleetRollout.open(o, dir, ctx())) {
                    var sync = fleet.weightSync(policy.tokenizer());
                    sync.publish(policy.model(), 0); // the start weights
                    assertTrue(out.toString().contains("pushed the weights of step 0 to 1 of 1 server(s)"), out.toString());
                    server.close(); // gone before the push of step 1
                    sync.publish(policy.model(), 1);
                    Map<String, Object> row = fleet.afterStep(1, List.of());
                    assertTrue(out.toString().contains("warning: no rollout server loaded the weights of step 1"),
                            out.toString());
                    assertTrue(((Double) row.get("time_sync_s")) >= 0);
                } finally {
                    server.close();
                }
            }
        }
    }

    /**
     * Step 2's sampling fails: the stage saves the trainer's state after step 1 (its data position is before step
     * 2's prompts: the failed draw is rewound) and says so; when no step ran since a resumed checkpoint, that one
     * stands and nothing is written.
     */
    @Test
    void samplingTheFleetCannotDoStopsTheStageWithACheckpoint() throws Exception {
        try (NDManager m = Djl.newManager()) {
            Path dir = checkpoint(m);
            try (LoadedModel policy = Checkpoint.load(dir, m)) {
                Verifier v = new Verifier() {
                    public String name() { return "none"; }
                    public Verdict verify(dev.r1j.verifiers.Sample s) { return Verdict.of(0, "none"); }
                };
                List<Prompt> prompts = new ArrayList<>();
                for (int i = 0; i < 10; i++) prompts.add(new Prompt(i + "+1=", Map.of()));
                PromptSource source = new PromptSource(prompts, 0);
                TrainingCheckpoints ckpts = new TrainingCheckpoints(tmp.resolve("stage").resolve("checkpoints"));
                LocalSampler local = new LocalSampler(policy.model(), policy.tokenizer());
                int[] calls = {0};
                dev.r1j.core.sampling.Sampler failing = (ps, params) -> {
                    if (++calls[0] == 2) throw new FleetUnavailableException("no rollout server could take work for 600 s");
                    return local.sample(ps, params);
                };
                GrpoConfig cfg = GrpoConfig.builder().beta(0).groupSize(2).promptsPerStep(3).maxNewTokens(4).steps(5)
                        .build();
                int[] saves = {0};
                Runnable save = () -> saves[0]++; // the stage's save reads the trainer's resumePosition, checked below
                try (GrpoTrainer trainer = new GrpoTrainer(policy.model(), null, failing, v, cfg)) {
                    FleetRollout.stepOrCheckpoint(() -> trainer.step(source), trainer, 0, save, ckpts);
                    var afterStep1 = source.cursor();
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> FleetRollout.stepOrCheckpoint(() -> trainer.step(source), trainer, 0, save, ckpts));
                    assertTrue(e.getMessage().startsWith("step 2: no rollout server could take work")
                            && e.getMessage().contains("saved a checkpoint of step 1"), e.getMessage());
                    assertEquals(1, saves[0]);
                    assertEquals(afterStep1, source.cursor(), "the failed step's prompts are drawn again on resume");
                    assertEquals(3, trainer.resumePosition());
                }
                try (GrpoTrainer resumed = new GrpoTrainer(policy.model(), null, failing, v, cfg)) {
                    resumed.restore(3, null, 0);
                    calls[0] = 1; // the next call fails
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> FleetRollout.stepOrCheckpoint(() -> resumed.step(source), resumed, 3, save, ckpts));
                    assertTrue(e.getMessage().contains("no step was taken since the checkpoint of step 3, which stands"),
                            e.getMessage());
                    assertEquals(1, saves[0], "nothing new to save");
                }
            }
        }
    }
}
