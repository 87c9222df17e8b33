package dev.r1j.recipes.stages;

import dev.r1j.recipes.stage.StageContext;
import java.nio.file.Path;

/**
 * Paths in stage options may start from the run: {@code ${run_dir}} is the run directory and {@code ${stage_dir}} the
 * stage's own directory, so a recipe can name data that an earlier stage generated without knowing where the user put
 * the run ({@code --set run_dir=...}). Anything else is a path relative to the working directory, as usual.
 *
 * <pre>{@code
 * Path train = RunPaths.resolve("${run_dir}/data/arith-train.jsonl", ctx);   // runs/r1-zero/data/arith-train.jsonl
 * }</pre>
 */
public final class RunPaths {
    public static final String RUN_DIR = "${run_dir}";
    public static final String STAGE_DIR = "${stage_dir}";

    private RunPaths() {}

    public static Path resolve(String path, StageContext ctx) {
        String p = path.replace(RUN_DIR, ctx.runDir().toString()).replace(STAGE_DIR, ctx.stageDir().toString());
        if (p.contains("${")) {
            throw new IllegalArgumentException("path '" + path + "': unknown placeholder (use " + RUN_DIR + " or "
                    + STAGE_DIR + ")");
        }
        return Path.of(p);
    }
}
