package dev.r1j.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module layering, checked on the main classes of every module (this module's test class path has them all):
 * options → verifiers → environments / rl-core → arithmetic task / rollout / sft → preference → recipes, and the examples on top of the
 * libraries, not of the CLI. Maven's graph alone would let a module reach a sibling (rollout → sft) or, through a
 * new dependency, the CLI; {@code dependency:analyze} (parent pom) catches a dependency used but not declared.
 */
class LayeringTest {
    static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // rl-core's test-jar: fixtures
                .importPackages("dev.r1j");
    }

    @Test
    void modulesUseOnlyTheLayersBelowThem() {
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("options").definedBy("dev.r1j.options..")
                .layer("verifiers").definedBy("dev.r1j.verifiers..")
                .layer("environments").definedBy("dev.r1j.env..")
                .layer("rl-core").definedBy("dev.r1j.core..")
                .layer("arithmetic-task").definedBy("dev.r1j.tasks.arith..")
                .layer("rollout").definedBy("dev.r1j.rollout..")
                .layer("sft").definedBy("dev.r1j.sft..")
                .layer("preference").definedBy("dev.r1j.preference..")
                .layer("recipes").definedBy("dev.r1j.recipes..")
                .layer("examples").definedBy("dev.r1j.examples..")
                .whereLayer("recipes").mayNotBeAccessedByAnyLayer()
                .whereLayer("preference").mayOnlyBeAccessedByLayers("recipes", "examples")
                .whereLayer("sft").mayOnlyBeAccessedByLayers("preference", "recipes", "examples")
                .whereLayer("rollout").mayOnlyBeAccessedByLayers("recipes", "examples")
                .whereLayer("arithmetic-task").mayOnlyBeAccessedByLayers("recipes", "examples")
                .whereLayer("rl-core").mayOnlyBeAccessedByLayers("arithmetic-task", "rollout", "sft", "preference",
                        "recipes", "examples")
                .whereLayer("examples").mayNotBeAccessedByAnyLayer()
                .whereLayer("environments").mayOnlyBeAccessedByLayers("rollout", "recipes", "examples")
                .whereLayer("verifiers").mayOnlyBeAccessedByLayers("environments", "rl-core", "arithmetic-task", "rollout",
                        "sft", "preference", "recipes", "examples");
        layers.check(classes);
    }

    @Test
    void theOptionsAnnotationsDependOnNothing() {
        // every library config record carries them: the package must stay at the very bottom, free of any library
        noClasses().that().resideInAPackage("dev.r1j.options..").should().dependOnClassesThat()
                .resideOutsideOfPackages("dev.r1j.options..", "java..").check(classes);
    }

    @Test
    void environmentsStayFreeOfDjl() {
        // an environment plugin depends on the environments jar alone: it must not pull in the engine
        noClasses().that().resideInAPackage("dev.r1j.env..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "dev.r1j.core..").check(classes);
    }

    @Test
    void verifiersStayFreeOfDjl() {
        // the verifiers jar is what a plugin depends on: small and without the deep-learning engine
        noClasses().that().resideInAPackage("dev.r1j.verifiers..").should().dependOnClassesThat()
                .resideInAPackage("ai.djl..").check(classes);
    }
}
