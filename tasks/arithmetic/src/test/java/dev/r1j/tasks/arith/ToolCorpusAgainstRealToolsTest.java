package dev.r1j.tasks.arith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.env.Conversation;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolRunner;
import dev.r1j.tasks.arith.ToolArithmeticTask.Config;
import dev.r1j.tasks.arith.ToolArithmeticTask.CorpusLine;
import dev.r1j.tasks.arith.ToolArithmeticTask.Kind;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The corpus's tool-using lines replayed through the real environments (the {@code environments} module's
 * {@link ToolRunner}, as the multi-turn sampler calls it): the call ends exactly where the corpus ends the model's
 * turn, the tool runs the call, and the observation the runner renders is character for character the one the
 * corpus trained the model to continue after; the answer then written is the tool's output.
 */
class ToolCorpusAgainstRealToolsTest {

    @Test
    void everyCalculatorLineIsWhatTheCalculatorEnvironmentAnswers() {
        List<CorpusLine> lines = toolLines(Tool.CALCULATOR, 3_000);
        assertTrue(lines.size() > 500, "tool lines: " + lines.size());
        replay(Tool.CALCULATOR, lines);
    }

    /** The python tool runs each call in the bubblewrap sandbox (a process each), so a sample of lines. */
    @Test
    void pythonLinesAreWhatThePythonEnvironmentPrints() {
        List<CorpusLine> lines = toolLines(Tool.PYTHON, 80).subList(0, 12);
        replay(Tool.PYTHON, lines);
    }

    /** Sums, differences and 4-5 digit operands too: the formats do not depend on the operation. */
    @Test
    void otherOperationsAndLengthsToo() {
        Config mixed = new Config(3, 4, 5, 0.4, 0.3, Tool.CALCULATOR, 1.0, 300, 0, 0, 0);
        replay(Tool.CALCULATOR, new ToolArithmeticTask(mixed).corpus());
    }

    private static List<CorpusLine> toolLines(Tool tool, int corpusSize) {
        Config c = Config.defaults().withSizes(corpusSize, 0, 0, 0).withTool(tool, 0.25);
        return new ToolArithmeticTask(c).corpus().stream().filter(l -> l.kind() == Kind.TOOL).toList();
    }

    private static void replay(Tool tool, List<CorpusLine> lines) {
        try (ToolRunner runner = ToolRunner.create(EnvironmentConfig.of(tool.environmentName()).withTimeoutS(30))) {
            List<CompletableFuture<ToolRunner.Outcome>> outcomes = new ArrayList<>();
            for (CorpusLine l : lines) {
                String turn = l.call();
                assertEquals(turn.length(), runner.callEnd(turn), "the call ends where the corpus ends the turn: " + turn);
                assertEquals(-1, runner.callEnd(turn.substring(0, turn.length() - 1)), "not before: " + turn);
                Conversation conv = Conversation.start(l.prompt()).with(Conversation.Message.assistant(turn));
                outcomes.add(runner.submit(conv, turn));
            }
            for (int i = 0; i < lines.size(); i++) {
                CorpusLine l = lines.get(i);
                ToolRunner.Outcome o = outcomes.get(i).join();
                assertFalse(o.isError() || o.isTimeout(), l.text() + " -> " + o);
                assertEquals(tool.environmentName(), o.tool());
                assertEquals(l.observation(), runner.config().format().observation(l.call(), o.output()), l.text());
                assertEquals(ToolTranscript.answer(o.output().strip()), l.answer(), l.text());
                assertEquals(Long.toString(l.problem().answer()), o.output().strip(), l.text());
            }
        }
    }
}
