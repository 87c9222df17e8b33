package dev.r1j.tasks.arith;

import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A generated toy task the {@code pretrain} stage builds a base model for: it writes its data files, names its
 * character tokenizer and turns its pretraining corpus into training sequences (which tokens count in the loss is
 * the task's call: {@link ToolArithmeticTask} leaves the tool's output out).
 *
 * <pre>{@code
 * ToyTask task = new ArithmeticTask(ArithmeticTask.Config.defaults());
 * task.writeAll(Path.of("data"));
 * List<TokenSequence> corpus = task.pretrainSequences();   // BOS + prompt + completion + EOS each
 * }</pre>
 */
public interface ToyTask {
    /** Writes the task's data files into {@code dir} and returns their paths by role (train, test, pretrain, sft). */
    Map<String, Path> writeAll(Path dir);

    /** The one tokenizer of models built on this task (its order fixes the token ids). */
    CharTokenizer tokenizer();

    /** The pretraining corpus as training sequences, BOS first and EOS last, in corpus order. */
    List<TokenSequence> pretrainSequences();
}
