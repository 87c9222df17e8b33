package dev.r1j.recipes.cli;

import dev.r1j.recipes.verify.JsonlScorer;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code recipe verify --verifier NAME [--option k=v]... --input in.jsonl --output out.jsonl [--threads N]}.
 *
 * <p>Exit code 0 when every line was scored; 3 ({@link Main#EXIT_PARTIAL}) when some lines were malformed or the
 * verifier failed on them: the output is still complete (those lines carry reward 0 and a reason saying what was
 * wrong), but a script should not take it for a clean result; 1 when nothing could be done (unknown verifier,
 * missing input).
 */
@Command(name = "verify", description = {
        "Scores a JSONL file of completions with a verifier.",
        "Each line is an object with 'completion' (and 'prompt', 'answer', or 'tests', 'entry_point', ...); it comes "
                + "back with 'reward' and 'reason' added, in input order. Lines are scored in parallel.",
        "Exit codes: 0 all lines scored; 3 some lines malformed or not scored (written with reward 0, reported on "
                + "standard error with their line numbers); 1 error."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--verifier", required = true, paramLabel = "NAME", description = "A verifier name, e.g. math, format, code.")
    String verifier;

    @Mixin
    VerifierOptionFlag options;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL input ('-' for standard input).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "JSONL output ('-' for standard output).")
    String output;

    @Option(names = "--threads", paramLabel = "N", description = "Lines scored at once (default: the number of processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws IOException {
        if (threads < 1) {
            throw new CliException("--threads must be at least 1, got " + threads);
        }
        if (!"-".equals(input) && input.equals(output)) {
            throw new CliException("--output must differ from --input (" + input + ")");
        }
        Verifier v = VerifierRegistry.defaultRegistry().create(verifier, options.values());
        JsonlScorer.Summary s;
        try (BufferedReader in = reader(); Writer out = writer(); JsonlScorer scorer = new JsonlScorer(v, threads)) {
            s = scorer.score(in, out, main.err(), "-".equals(input) ? "stdin" : input);
        }
        String mean = s.scored() == 0 ? "-" : String.format(Locale.ROOT, "%.4f", s.rewardSum() / s.scored());
        StringBuilder msg = new StringBuilder("verified " + s.scored() + " line(s) with '" + verifier + "': mean reward " + mean);
        if (!s.malformedLines().isEmpty()) {
            msg.append("; ").append(s.malformedLines().size()).append(" malformed (line ").append(list(s.malformedLines())).append(")");
        }
        if (!s.errorLines().isEmpty()) {
            msg.append("; ").append(s.errorLines().size()).append(" verifier error(s) (line ").append(list(s.errorLines())).append(")");
        }
        main.err().println(msg);
        main.err().flush();
        return s.clean() ? 0 : Main.EXIT_PARTIAL;
    }

    private BufferedReader reader() throws IOException {
        if ("-".equals(input)) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        try {
            return Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("input file not found: " + Path.of(input).toAbsolutePath().normalize());
        }
    }

    private Writer writer() throws IOException {
        if ("-".equals(output)) {
            return new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) {
                @Override
                public void close() throws IOException {
                    flush(); // leave System.out open
                }
            };
        }
        Path p = Path.of(output).toAbsolutePath();
        Files.createDirectories(p.getParent());
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    private static String list(List<Integer> lines) {
        String s = lines.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", "));
        return lines.size() > 10 ? s + ", ..." : s;
    }
}
