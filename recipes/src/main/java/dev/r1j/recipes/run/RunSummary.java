package dev.r1j.recipes.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a finished run left: its directory, the last stage's model, the recorded results (label → metric → value)
 * and the plots drawn.
 */
public record RunSummary(Path runDir, Optional<Path> finalModel, Map<String, Map<String, Double>> results, List<Path> plots) {}
