package dev.r1j.core.train;

/**
 * Training stopped cleanly at a step boundary on a {@link StopRequest}: {@link #stepsDone()} steps are done and, when
 * {@link #checkpointed()}, a checkpoint of exactly that state was written, so a resume continues from it.
 */
public final class TrainingStopped extends RuntimeException {
    private final int stepsDone;
    private final boolean checkpointed;

    public TrainingStopped(int stepsDone, boolean checkpointed, String reason) {
        super(reason + ": stopped after step " + stepsDone
                + (checkpointed ? ", checkpoint written" : " (this stage keeps no checkpoint: it starts over on resume)"));
        this.stepsDone = stepsDone;
        this.checkpointed = checkpointed;
    }

    public int stepsDone() {
        return stepsDone;
    }

    public boolean checkpointed() {
        return checkpointed;
    }
}
