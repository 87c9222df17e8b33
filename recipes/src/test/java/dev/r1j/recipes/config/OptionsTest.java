package dev.r1j.recipes.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.ToyStage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
    public record Spec(@Help("name") String name, @Help("weight") @Default("1.0") double weight,
            @Help("free-form options") @Default("{}") Map<String, Object> options) {}

    public record WithShorthand(@Help("verifiers") @Default("[math]") List<Spec> verifiers) {}

    public record BadDefault(@Help("steps") @Default("lots") int steps) {}

    public record NoHelp(@Default("1") int steps) {}

    public record Unsupported(@Help("chars") @Default("a") char c) {}

    @Test
    void shippedShapesValidate() {
        Options.validate(ToyStage.Options.class);
        Options.validate(WithShorthand.class);
    }

    @Test
    void brokenOptionRecordsFailValidationByName() {
        String bad = assertThrows(IllegalStateException.class, () -> Options.validate(BadDefault.class)).getMessage();
        assertTrue(bad.startsWith("@Default of dev.r1j.recipes.config.OptionsTest$BadDefault.steps does not fit its type"), bad);
        assertTrue(bad.contains("expected an integer, got string 'lots'"), bad);
        assertEquals("dev.r1j.recipes.config.OptionsTest$NoHelp: option 'steps' has no @Help",
                assertThrows(IllegalStateException.class, () -> Options.validate(NoHelp.class)).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> Options.validate(Unsupported.class)).getMessage()
                .contains("unsupported option type char"));
    }

    @Test
    void scalarShorthandForRecordsLedByAString() {
        LocatedTree t = YamlTree.parse("verifiers: [math, {name: format, weight: 0.1, options: {mode: boxed}}]\n", "v.yaml");
        OptionsBinder.Bound<WithShorthand> b = new OptionsBinder(t.sources()).bind(WithShorthand.class, t.root(), "");
        assertEquals(List.of(new Spec("math", 1.0, Map.of()), new Spec("format", 0.1, Map.of("mode", "boxed"))), b.value().verifiers());
        assertEquals("{\"name\":\"math\",\"weight\":1.0,\"options\":{}}", b.resolved().get("verifiers").get(0).toString());
        assertEquals(List.of(new Spec("math", 1.0, Map.of())),
                new OptionsBinder(new SourceMap("x")).bind(WithShorthand.class, null, "").value().verifiers());
    }

    @Test
    void describeFlattensNestedRecords() {
        List<OptionDoc> docs = Options.describe(WithShorthand.class);
        assertEquals(List.of("verifiers", "verifiers[].name", "verifiers[].weight", "verifiers[].options"),
                docs.stream().map(OptionDoc::key).toList());
        assertEquals(new OptionDoc("verifiers[].name", "a string", "required", "name"), docs.get(1));
        assertEquals("a map of any value", docs.get(3).type());
        assertEquals("[\"math\"]", docs.get(0).defaultValue());
    }
}
