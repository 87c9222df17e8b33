package dev.r1j.recipes.run;

/** What to do with an existing run directory. */
public enum RunMode {
    /** Start a new run; an existing non-empty run directory is an error (nothing is ever overwritten silently). */
    FRESH,
    /** Continue: skip finished stages, let the unfinished one resume from its checkpoint. */
    RESUME,
    /** Delete the previous run in the run directory (only if it holds a {@code config.resolved.json}) and start over. */
    OVERWRITE
}
