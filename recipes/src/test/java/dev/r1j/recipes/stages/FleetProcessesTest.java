package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.recipes.cli.Main;
import dev.r1j.rollout.fleet.FleetSampler;
import dev.r1j.rollout.fleet.RolloutOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet with real {@code recipe serve} processes (separate JVMs, killed with SIGKILL): the tiny r1-zero's GRPO
 * stage sampling on two of them, then a server killed mid-batch and one that comes back on the same port.
 */
class FleetProcessesTest {
    private static final Pattern SERVING = Pattern.compile("serving '.*' from .* at (http://127\\.0\\.0\\.1:\\d+)/v1");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A {@code recipe serve} JVM on {@code port} (0: a free one); its base URL once it is listening. */
    record Server(Process process, String url, StringBuilder log) implements AutoCloseable {
        static Server start(Path model, int port) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Dai.djl.pytorch.num_threads=1",
                    "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "serve", "--model", model.toString(), "--port", Integer.toString(port))
                    .redirectErrorStream(true);
            Process p = pb.start();
            StringBuilder log = new StringBuilder();
            CompletableFuture<String> url = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) url.complete(m.group(1));
                    }
                } catch (java.io.IOException ignored) {
                    // the process is gone
                }
                url.complete(null);
            }, "serve-log");
            reader.setDaemon(true);
            reader.start();
            String u = url.get(120, TimeUnit.SECONDS);
            if (u == null) throw new IllegalStateException("recipe serve did not start:\n" + log);
            return new Server(p, u, log);
        }

        int port() {
            return URI.create(url).getPort();
        }

        String logText() {
            synchronized (log) {
                return log.toString();
            }
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void grpoSamplesOnTwoServeProcessesThatFollowTheWeightsAndSurviveOneDying() throws Exception {
        TinyR1Zero local = new TinyR1Zero(tmp.resolve("local"));
        assertEquals(0, local.run(local.args("r1-zero.yaml")), local.err.toString());
        Path base = local.dir.resolve("base-model");
        assertTrue(Files.isDirectory(base));

        try (Server a = Server.start(base, 0); Server b = Server.start(base, 0)) {
            // the GRPO stage on the two processes (the base model is reused: the pretrain stage skips)
            TinyR1Zero fleet = new TinyR1Zero(tmp.resolve("local"));
            Path runDir = tmp.resolve("fleet-run");
            List<String> args = fleet.args("r1-zero.yaml", "--set", "run_dir=" + runDir, "--set", "stages[2].grpo.steps=3",
                    "--set", "stages[2].grpo.rollout.servers=[" + a.url() + ", " + b.url() + "]",
                    "--set", "stages[2].grpo.rollout.sync_dir=" + tmp.resolve("sync"),
                    "--set", "stages[3].eval.rollout.servers=[" + a.url() + ", " + b.url() + "]",
                    "--set", "stages[3].eval.rollout.model=base-model");
            assertEquals(0, fleet.run(args), fleet.err + "\n" + fleet.out);
            String out = fleet.out.toString();
            assertTrue(out.contains("sampling on 2 server(s)"), out);
            assertTrue(out.contains("model pushed to 2"), "the after-grpo eval samples on the fleet: " + out);
            List<JsonNode> completions = readJsonl(findFile(runDir, "completions.jsonl"));
            assertTrue(!completions.isEmpty());
            for (JsonNode c : completions) {
                assertEquals(c.get("step").asInt() - 1, c.get("weight_version").asInt(),
                        "sync_every 1: step t samples on the weights after step t-1: " + c);
            }
            for (Server s : List.of(a, b)) {
                assertTrue(s.logText().contains("step-000002"), "each server loaded the weights of step 2:\n" + s.logText());
            }
            List<JsonNode> metrics = readJsonl(runDir.resolve("metrics.jsonl"));
            assertTrue(metrics.stream().anyMatch(m -> m.has("time_sync_s") && m.get("rollout/servers_in").asInt() == 2),
                    metrics.toString());

            // a server killed mid-batch: the batch completes on the other, whole
            RolloutOptions o = new RolloutOptions(List.of(a.url(), b.url()), null, 2, 60, 2, 0.3, 1, null,
                    RolloutOptions.WeightSync.SGLANG);
            StringWriter said = new StringWriter();
            Path syncDir = tmp.resolve("sync2");
            try (FleetSampler sampler = FleetSampler.open(o, "base-model", syncDir, new PrintWriter(said, true));
                 var m = ai.djl.ndarray.NDManager.newBaseManager();
                 var policy = dev.r1j.core.io.Checkpoint.load(grpoFinal(runDir), m)) {
                sampler.publish(policy.model(), policy.tokenizer(), 7);
                List<String> prompts = new ArrayList<>();
                for (int i = 0; i < 24; i++) prompts.add((10 + i) + "+" + (i % 9) + "=");
                SamplingParams params = new SamplingParams(4, 48, 1.0, 1.0, 0, List.of(), 3);
                CompletableFuture<List<CompletionGroup>> batch = CompletableFuture.supplyAsync(
                        () -> sampler.sample(prompts, params));
                Thread.sleep(300);
                a.process().destroyForcibly(); // SIGKILL, mid-batch
                List<CompletionGroup> groups = batch.get(300, TimeUnit.SECONDS);
                assertEquals(prompts.size(), groups.size());
                for (int i = 0; i < prompts.size(); i++) {
                    assertEquals(prompts.get(i), groups.get(i).prompt());
                    assertEquals(4, groups.get(i).completions().size());
                    for (Completion c : groups.get(i).completions()) assertEquals(7, c.weightVersion());
                }
                assertTrue(sampler.stats().retries() > 0, "the kill hit requests in flight: " + said);

                // it comes back on the same port, on the base weights: it loads step 7 before it serves
                try (Server back = Server.start(base, a.port())) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (sampler.stats().serversCurrent() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
                    assertEquals(2, sampler.stats().serversCurrent(), said.toString());
                    JsonNode info = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(back.url() + "/get_model_info")).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    assertEquals(syncDir.resolve("step-000007").toAbsolutePath().toString(), info.get("model_path").asText());
                    assertEquals("7", info.get("weight_version").asText());
                    assertTrue(said.toString().contains("is back with the weights of step 7"), said.toString());
                }
            }
        }
    }

    /**
     * async_steps 1 on two {@code recipe serve} processes: step t samples on the weights after step t - 2 (each
     * completion says so, and the staleness metrics), the servers' log-probs of the stale weights show as the
     * sampler-vs-trainer gap that rollout_correction weighs (~0 on step 1, > 1e-3 after), and a run stopped at step 3
     * (a non-finite loss) resumes from its step-2 checkpoint, with step 3's batch generated on the fleet before the
     * stop, to the metrics of the uninterrupted run.
     */
    @Test
    void asyncStepsOnTwoServeProcessesAdvanceVersionsAndResumeLikeTheLocalRun() throws Exception {
        TinyR1Zero local = new TinyR1Zero(tmp.resolve("local"));
        assertEquals(0, local.run(local.args("r1-zero.yaml", "--set", "stages[2].grpo.steps=1")), local.err.toString());
        Path base = local.dir.resolve("base-model");

        try (Server a = Server.start(base, 0); Server b = Server.start(base, 0)) {
            TinyR1Zero straight = new TinyR1Zero(tmp.resolve("local"));
            Path straightRun = tmp.resolve("straight");
            assertEquals(0, straight.run(asyncOnFleet(straight, straightRun, 0, a, b)), straight.err + "\n" + straight.out);
            assertTrue(straight.out.toString().contains("sampling on 2 server(s)"), straight.out.toString());
            for (JsonNode c : readJsonl(straightRun.resolve("stages/02-grpo/completions.jsonl"))) {
                assertEquals(Math.max(0, c.get("step").asInt() - 2), c.get("weight_version").asInt(),
                        "async_steps 1: step t samples on the weights after step t-2: " + c);
            }
            List<com.fasterxml.jackson.databind.node.ObjectNode> lines = GrpoResumeTest.grpoLines(straightRun);
            assertEquals(List.of(0.0, 1.0, 1.0, 1.0), lines.stream().map(n -> n.get("rollout/staleness_max").asDouble()).toList());
            assertEquals(List.of(0.0, 1.0, 1.0, 1.0), lines.stream().map(n -> n.get("async/staleness").asDouble()).toList());
            for (var n : lines) {
                double gap = n.get("rollout_corr/logprob_diff_max").asDouble();
                boolean fresh = n.get("step").asInt() == 1;
                assertTrue(fresh ? gap < 1e-4 : gap > 1e-3, "step " + n.get("step") + ": max |trainer - server| " + gap);
                assertEquals(2, n.get("rollout/servers_in").asInt());
            }
            for (Server s : List.of(a, b)) {
                assertTrue(s.logText().contains("step-000004"), "each server loaded the weights of step 4:\n" + s.logText());
            }

            // the same run stopped by a non-finite loss at step 3, then resumed
            TinyR1Zero broken = new TinyR1Zero(tmp.resolve("local"));
            Path brokenRun = tmp.resolve("broken");
            assertEquals(1, broken.run(asyncOnFleet(broken, brokenRun, 8, a, b)));
            assertTrue(broken.err.toString().contains("GRPO step 3"), broken.err.toString());
            List<String> resume = asyncOnFleet(broken, brokenRun, 0, a, b);
            resume.add("--resume");
            assertEquals(0, broken.run(resume), broken.err + "\n" + broken.out);
            assertTrue(broken.out.toString().contains("pushed the weights of step 2 to 2 of 2 server(s)"),
                    broken.out.toString());
            List<com.fasterxml.jackson.databind.node.ObjectNode> resumed = GrpoResumeTest.grpoLines(brokenRun);
            assertEquals(GrpoResumeTest.steps(lines), GrpoResumeTest.steps(resumed));
            for (int i = 0; i < lines.size(); i++) {
                assertClose(GrpoResumeTest.withoutTiming(lines.get(i)), GrpoResumeTest.withoutTiming(resumed.get(i)),
                        "step " + (i + 1));
            }
            // step 3's batch came from the checkpoint (generated on the weights of step 1 before the stop)
            for (JsonNode c : readJsonl(brokenRun.resolve("stages/02-grpo/completions.jsonl"))) {
                assertEquals(Math.max(0, c.get("step").asInt() - 2), c.get("weight_version").asInt(), c.toString());
            }
        }
    }

    /**
     * The tiny r1-tool recipe (multi-turn episodes on the calculator) with its evals and GRPO stage on two
     * {@code recipe serve} processes: the base model's greedy eval on the fleet writes the same episodes as on the
     * trainer (eval.json, completion by completion), and GRPO trains on episodes sampled on the servers.
     */
    @Test
    void theToolRecipesEpisodesRunOnTwoServeProcesses() throws Exception {
        TinyR1Zero local = new TinyR1Zero(tmp.resolve("tool"));
        assertEquals(0, local.run(toolArgs(local, "--set", "stages[3].grpo.steps=1")), local.err + "\n" + local.out);
        Path base = local.dir.resolve("base-model");
        try (Server a = Server.start(base, 0); Server b = Server.start(base, 0)) {
            TinyR1Zero fleet = new TinyR1Zero(tmp.resolve("tool"));
            Path runDir = tmp.resolve("tool-fleet");
            String servers = "[" + a.url() + ", " + b.url() + "]";
            List<String> args = toolArgs(fleet, "--set", "run_dir=" + runDir,
                    "--set", "stages[1].eval.rollout.servers=" + servers,
                    "--set", "stages[1].eval.rollout.model=base-model",
                    "--set", "stages[3].grpo.rollout.servers=" + servers,
                    "--set", "stages[3].grpo.rollout.sync_dir=" + tmp.resolve("tool-sync"));
            assertEquals(0, fleet.run(args), fleet.err + "\n" + fleet.out);
            assertTrue(fleet.out.toString().contains("sampling on 2 server(s)"), fleet.out.toString());
            JsonNode want = JSON.readTree(local.runDir().resolve("stages/01-eval/eval.json").toFile());
            JsonNode got = JSON.readTree(runDir.resolve("stages/01-eval/eval.json").toFile());
            assertTrue(want.get("completions").size() > 0);
            assertEquals(want.get("completions"), got.get("completions"), "greedy episodes: fleet == trainer");
            List<com.fasterxml.jackson.databind.node.ObjectNode> lines = GrpoResumeTest.grpoLines(runDir);
            assertEquals(2, lines.size());
            for (var n : lines) {
                assertTrue(n.has("tools/turns_mean") && n.get("tools/turns_mean").asDouble() >= 1,
                        "the trainer got episodes from the servers: " + n);
            }
            for (JsonNode c : readJsonl(runDir.resolve("stages/03-grpo/completions.jsonl"))) {
                assertEquals(c.get("step").asInt() - 1, c.get("weight_version").asInt(), c.toString());
            }
        }
    }

    /**
     * The tiny r1-tool (pretrain, greedy and T=1 evals, grpo at stage 3, greedy and T=1 evals), its episodes cut to
     * fit the tiny model's context.
     */
    private static List<String> toolArgs(TinyR1Zero r, String... extra) {
        int grpoStage = 3;
        int lastStage = 5;
        List<String> args = r.args("r1-tool.yaml", grpoStage, lastStage);
        for (int stage = 1; stage <= lastStage; stage++) {
            args.addAll(List.of("--set", "stages[" + stage + "]." + (stage == grpoStage ? "grpo" : "eval")
                    + ".environment={name: calculator, max_turns: 3, max_total_tokens: 48}"));
        }
        args.addAll(List.of(extra));
        return args;
    }

    private static List<String> asyncOnFleet(TinyR1Zero r, Path runDir, int hugeFromCall, Server a, Server b) {
        List<String> args = r.args("r1-zero.yaml", GrpoResumeTest.grpo(hugeFromCall, 1));
        args.addAll(List.of("--set", "run_dir=" + runDir,
                "--set", "model.init=" + r.dir.resolve("base-model"),
                "--set", "stages[2].grpo.rollout.servers=[" + a.url() + ", " + b.url() + "]",
                "--set", "stages[2].grpo.rollout.sync_dir=" + runDir.resolve("sync"),
                "--set", "stages[2].grpo.rollout_correction={mode: tis, cap: 2}"));
        return args;
    }

    /**
     * Equal fields, numbers within 1e-5 relative: the servers batch requests as they arrive, so their log-probs
     * (the rollout_corr fields) can differ in the last float bits between two runs.
     */
    private static void assertClose(JsonNode want, JsonNode got, String where) {
        java.util.TreeSet<String> wantNames = new java.util.TreeSet<>(), gotNames = new java.util.TreeSet<>();
        want.fieldNames().forEachRemaining(wantNames::add);
        got.fieldNames().forEachRemaining(gotNames::add);
        assertEquals(wantNames, gotNames, where);
        want.fieldNames().forEachRemaining(f -> {
            JsonNode w = want.get(f), g = got.get(f);
            if (f.equals("time_sync_s")) return;
            if (w.isNumber()) {
                assertEquals(w.asDouble(), g.asDouble(), 1e-9 + 1e-5 * Math.abs(w.asDouble()), where + " " + f);
            } else {
                assertEquals(w, g, where + " " + f);
            }
        });
    }

    private static Path grpoFinal(Path runDir) throws Exception {
        try (var all = Files.walk(runDir)) {
            return all.filter(p -> p.getFileName().toString().equals("final") && p.getParent().toString().contains("grpo"))
                    .findFirst().orElseThrow(() -> new AssertionError("no grpo final model under " + runDir));
        }
    }

    private static Path findFile(Path root, String name) throws Exception {
        try (var all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " under " + root));
        }
    }

    private static List<JsonNode> readJsonl(Path f) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(f)) if (!line.isBlank()) rows.add(JSON.readTree(line));
        return rows;
    }
}
