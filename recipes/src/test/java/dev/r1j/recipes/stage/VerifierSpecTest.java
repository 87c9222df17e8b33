package dev.r1j.recipes.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.config.LocatedTree;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.config.OptionsBinder;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.config.YamlTree;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierSpecTest {
    public record Opts(@Help("rewards") @Default("[format]") List<VerifierSpec> verifiers) {}

    List<VerifierSpec> bind(String yaml) {
        LocatedTree t = YamlTree.parse(yaml, "v.yaml");
        return new OptionsBinder(t.sources()).bind(Opts.class, t.root(), "").value().verifiers();
    }

    @Test
    void bindsShorthandAndBuildsAWeightedSum() {
        Options.validate(Opts.class);
        List<VerifierSpec> specs = bind("verifiers: [format, {name: format, label: boxed, weight: 0.5, options: {mode: boxed}}]\n");
        CompositeVerifier v = VerifierSpec.build(specs);
        // think/answer shape: 1 from the first part, 0 from the boxed part; a boxed tail: 0 + 0.5.
        assertEquals(1.0, v.verify(new Sample("", "<think>a</think><answer>1</answer>", Map.of())).reward());
        assertEquals(0.5, v.verify(new Sample("", "so \\boxed{1}", Map.of())).reward());
        assertEquals(List.of("format", "boxed"), v.parts().stream().map(CompositeVerifier.Part::label).toList());
    }

    @Test
    void unknownVerifierIsReportedWithItsLine() {
        String m = assertThrows(RecipeException.class, () -> bind("verifiers:\n  - format\n  - fromat\n")).getMessage();
        assertTrue(m.startsWith("v.yaml line 3: verifiers[1]: name: unknown verifier 'fromat' (did you mean 'format'?); "
                + "known verifiers: "), m);
    }
}
