package dev.r1j.recipes.stages.pretrain;

/** Which toy task the {@code pretrain} stage generates data for and builds a base model on. */
public enum PretrainTask {
    /** R1-Zero's: 2-3 digit arithmetic, a no-carry shortcut or a worked solution ({@code ArithmeticTask}). */
    ARITHMETIC,
    /** r1-tool's: long arithmetic, a guess or a tool call ({@code ToolArithmeticTask}). */
    TOOL_ARITHMETIC
}
