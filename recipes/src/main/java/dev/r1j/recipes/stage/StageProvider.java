package dev.r1j.recipes.stage;

/**
 * Makes a {@link Stage} from its options. Found by {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.r1j.recipes.stage.StageProvider} (of this module, or of a plugin jar on the class
 * path). The options type is a record whose components carry {@link dev.r1j.options.Help} and
 * {@link dev.r1j.options.Default}; its compact constructor validates (the one place options are checked).
 * A recipe names the stage by {@link #name()}: {@code stages: [{grpo: {steps: 50}}]}.
 *
 * <pre>{@code
 * public record EvalOptions(
 *         @Help("JSONL file of problems") Path dataset,
 *         @Help("verifiers that score each completion") @Default("[math]") List<String> verifiers) {
 *     public EvalOptions {
 *         if (verifiers.isEmpty()) throw new IllegalArgumentException("verifiers must not be empty");
 *     }
 * }
 *
 * public final class EvalStageProvider implements StageProvider<EvalOptions> {
 *     public String name() { return "eval"; }
 *     public String description() { return "scores the current model on a held-out set"; }
 *     public Class<EvalOptions> optionsType() { return EvalOptions.class; }
 *     public Stage create(EvalOptions options) { return new EvalStage(options); }
 * }
 * }</pre>
 *
 * @param <O> the options record
 */
public interface StageProvider<O extends Record> {
    /** The key recipes use, unique on the class path: lower-case, e.g. {@code grpo}. */
    String name();

    /** One line for {@code recipe explain}, naming the paper the method comes from when there is one. */
    String description();

    /** The options record type (defaults and help come from its annotations). */
    Class<O> optionsType();

    /** Builds the stage; options are already bound and validated. Do no heavy work here: do it in {@link Stage#run}. */
    Stage create(O options);
}
