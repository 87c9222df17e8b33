package dev.r1j.recipes.stage;

/**
 * One step of a recipe (pretrain, sft, grpo, eval, …), configured by its options record when created by its
 * {@link StageProvider}. A stage reads the current model from {@link StageContext#inputModel()}, writes its
 * checkpoints under {@link StageContext#stageDir()}, and hands its result to the next stage with
 * {@link StageContext#setOutputModel}.
 *
 * <pre>{@code
 * final class EvalStage implements Stage {
 *     public void run(StageContext ctx) throws Exception {
 *         Path model = ctx.inputModel().orElseThrow(() -> new IllegalStateException("eval needs a model"));
 *         ...
 *         ctx.recordResult("after grpo", Map.of("accuracy", acc));
 *     }
 * }
 * }</pre>
 */
public interface Stage {
    /**
     * Runs the stage to completion. Throw on failure: the message is shown to the user as one line (so make it
     * say what went wrong and where); the run stops and can be continued with {@code --resume}.
     */
    void run(StageContext ctx) throws Exception;
}
