package dev.r1j.recipes.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scores a JSONL file of completions with one verifier: every input line comes back as its object with
 * {@code reward} (number) and {@code reason} (string) added, in input order. Lines are scored in parallel on a
 * fixed pool of {@code threads}, with at most {@code 4 × threads} lines in flight, so a file of any size streams
 * through in bounded memory.
 *
 * <p>Each line is an object with a string {@code completion}, an optional {@code prompt}, and reference fields
 * ({@code answer}; or {@code tests}, {@code entry_point}, …): the whole object except {@code completion} becomes the
 * {@link Sample}'s reference. A malformed line (not JSON, not an object, no string {@code completion}) is reported on
 * {@code err} with its line number and still written out, with reward 0 and a reason starting "malformed line";
 * a line that is not JSON at all is written as {@code {"line": N, "raw": "...", "reward": 0, "reason": ...}}.
 * A verifier that throws (it should not) gives reward 0 and a reason starting "error:". Blank lines are skipped.
 *
 * <pre>{@code
 * try (JsonlScorer scorer = new JsonlScorer(math, 4)) {
 *     JsonlScorer.Summary s = scorer.score(in, out, err, "in.jsonl");
 * }
 * }</pre>
 */
public final class JsonlScorer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final int MAX_REPORTED = 20;

    private final Verifier verifier;
    private final int threads;
    private final ExecutorService pool;

    /** Counts of one run; {@code malformedLines} and {@code errorLines} are 1-based line numbers. */
    public record Summary(int scored, List<Integer> malformedLines, List<Integer> errorLines, double rewardSum) {
        /** True when every line was well-formed and scored without a verifier error. */
        public boolean clean() {
            return malformedLines.isEmpty() && errorLines.isEmpty();
        }
    }

    public JsonlScorer(Verifier verifier, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.verifier = verifier;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "verify");
            t.setDaemon(true);
            return t;
        });
    }

    private record Outcome(int line, String json, String problem, boolean malformed, double reward) {}

    /** Reads every line of {@code in}, writes one line per non-blank input line to {@code out}, reports to {@code err}. */
    public Summary score(BufferedReader in, Writer out, PrintWriter err, String inputName) throws IOException {
        Deque<Future<Outcome>> inFlight = new ArrayDeque<>();
        List<Integer> malformed = new ArrayList<>();
        List<Integer> errors = new ArrayList<>();
        int scored = 0;
        double rewardSum = 0;
        int lineNo = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            final int n = lineNo;
            final String text = line;
            inFlight.add(pool.submit(() -> scoreLine(n, text)));
            if (inFlight.size() >= 4 * threads) {
                Outcome o = take(inFlight);
                rewardSum += write(o, out, err, inputName, malformed, errors);
                scored++;
            }
        }
        while (!inFlight.isEmpty()) {
            Outcome o = take(inFlight);
            rewardSum += write(o, out, err, inputName, malformed, errors);
            scored++;
        }
        out.flush();
        int unreported = malformed.size() + errors.size() - MAX_REPORTED;
        if (unreported > 0) {
            err.println(inputName + ": " + unreported + " more problem line(s) not shown");
        }
        err.flush();
        return new Summary(scored, List.copyOf(malformed), List.copyOf(errors), rewardSum);
    }

    private double write(Outcome o, Writer out, PrintWriter err, String inputName, List<Integer> malformed, List<Integer> errors)
            throws IOException {
        out.write(o.json());
        out.write('\n');
        if (o.problem() != null) {
            (o.malformed() ? malformed : errors).add(o.line());
            if (malformed.size() + errors.size() <= MAX_REPORTED) {
                err.println(inputName + " line " + o.line() + ": " + o.problem());
            }
        }
        return o.reward();
    }

    private static Outcome take(Deque<Future<Outcome>> inFlight) {
        try {
            return inFlight.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying", e);
        } catch (ExecutionException e) {
            // scoreLine catches everything a verifier throws, so this is a bug here.
            throw new IllegalStateException("verification failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }

    private Outcome scoreLine(int n, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String why = "malformed line: not JSON: " + e.getOriginalMessage();
            ObjectNode o = JSON.createObjectNode();
            o.put("line", n);
            o.put("raw", text);
            return done(n, o, 0.0, why, why, true);
        }
        if (!(node instanceof ObjectNode)) {
            String why = "malformed line: expected a JSON object, got " + node.getNodeType().toString().toLowerCase();
            ObjectNode o = JSON.createObjectNode();
            o.put("line", n);
            o.set("value", node);
            return done(n, o, 0.0, why, why, true);
        }
        ObjectNode obj = (ObjectNode) node;
        JsonNode completion = obj.get("completion");
        if (completion == null || !completion.isTextual()) {
            String why = "malformed line: " + (completion == null ? "missing" : "non-string") + " field 'completion'";
            return done(n, obj, 0.0, why, why, true);
        }
        JsonNode prompt = obj.get("prompt");
        Map<String, Object> reference = JSON.convertValue(obj, MAP);
        reference.remove("completion");
        reference.values().removeIf(v -> v == null);
        Verdict v;
        try {
            v = verifier.verify(new Sample(prompt != null && prompt.isTextual() ? prompt.asText() : "", completion.asText(), reference));
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
            }
            String why = "error: verifier '" + verifier.name() + "' threw " + e;
            return done(n, obj, 0.0, why, why, false);
        }
        if (v == null) {
            String why = "error: verifier '" + verifier.name() + "' returned no verdict";
            return done(n, obj, 0.0, why, why, false);
        }
        return done(n, obj, v.reward(), v.reason(), null, false);
    }

    private static Outcome done(int n, ObjectNode o, double reward, String reason, String problem, boolean malformed) {
        o.put("reward", reward);
        o.put("reason", reason);
        try {
            return new Outcome(n, JSON.writeValueAsString(o), problem, malformed, reward);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
