package dev.r1j.recipes.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.model.LogProbs;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code recipe logprobs --model DIR --token-ids 1,2,3}: the model's log-prob of each token given the ones before
 * it, as one JSON object {@code {"token_ids": [1, 2, 3], "logprobs": [lp1, lp2]}} where {@code logprobs[k] =
 * log p(token_ids[k+1] | token_ids[0..k])} (one fewer value than ids). The ids are fed as given: no BOS is added.
 * Useful to compare R1J's numbers with another implementation's on the same checkpoint.
 */
@Command(name = "logprobs", description = {
        "Prints the per-token log-probs of a token sequence under a model, as one JSON object:",
        "{\"token_ids\": [...], \"logprobs\": [...]}, logprobs[k] = log p(token k+1 | tokens 0..k).",
        "The ids are fed as given (no BOS is added)."})
final class LogprobsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--token-ids", required = true, paramLabel = "IDS",
            description = "Comma-separated token ids, e.g. 1,17,5,9.")
    String tokenIds;

    @Override
    public Integer call() throws Exception {
        long[] ids = parseIds(tokenIds);
        float[] logprobs;
        try (OpenedModel m = model.open()) {
            int vocab = m.model().config().vocabSize();
            for (int k = 0; k < ids.length; k++) {
                if (ids[k] >= vocab) {
                    throw new CliException("--token-ids: id " + ids[k] + " at position " + k + " is outside the "
                            + "vocabulary of " + m.dir() + " (vocab_size " + vocab + ", ids 0.." + (vocab - 1) + ")");
                }
            }
            try (NDManager step = m.model().manager().newSubManager()) {
                NDArray idArray = step.create(ids, new Shape(1, ids.length));
                NDArray lp = LogProbs.tokenLogProbs(m.model(), idArray, step.ones(idArray.getShape(), DataType.INT64));
                logprobs = lp.toType(DataType.FLOAT32, false).toFloatArray();
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        ArrayNode idsOut = out.putArray("token_ids");
        for (long id : ids) idsOut.add(id);
        ArrayNode lpOut = out.putArray("logprobs");
        for (float x : logprobs) lpOut.add(x);
        main.out().println(out);
        main.out().flush();
        return 0;
    }

    /** Ids as written; a malformed list is a usage error naming the bad entry. */
    private long[] parseIds(String text) {
        String[] parts = text.split(",", -1);
        long[] ids = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
            String p = parts[k].strip();
            try {
                ids[k] = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw usage("--token-ids: '" + p + "' (position " + k + ") is not an integer; expected ids like 1,17,5");
            }
            if (ids[k] < 0) throw usage("--token-ids: id " + ids[k] + " (position " + k + ") is negative");
        }
        return ids;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
