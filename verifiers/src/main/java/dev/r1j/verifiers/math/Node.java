package dev.r1j.verifiers.math;

import java.util.List;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * The parsed form of an answer: scalar expressions plus the structures answers come in (tuples, intervals,
 * sets, unions, matrices, relations). Built by {@link MathParser}, compared by {@link MathEquivalence}.
 */
sealed interface Node {
    /** An exact number literal (integers and decimals are kept as rationals: {@code 0.5} is 1/2). */
    record Num(BigFraction value) implements Node {}

    /** A variable or a named constant ({@code pi}, {@code e}, {@code infty}). */
    record Sym(String name) implements Node {}

    /** An opaque literal compared by its text, e.g. a number in another base {@code 204_5}. */
    record Lit(String text) implements Node {}

    /** Binary operation: {@code + - * / ^}, or {@code ±} ({@link #PM}) which expands into two answers. */
    record Bin(char op, Node left, Node right) implements Node {}

    char PM = '±';

    record Neg(Node arg) implements Node {}

    /** {@code x%}: read as x/100 or as x, see {@link MathEquivalence}. */
    record Percent(Node arg) implements Node {}

    /** A function application; {@code extra} is the root index of {@code \sqrt[n]} or the base of {@code \log_b}. */
    record Fn(String name, Node arg, Node extra) implements Node {}

    /**
     * A bracketed or bare comma list: {@code open}/{@code close} are {@code ( ) [ ]}, {@code \{ \}} (a set), or empty
     * for a bare list {@code 3, 5, 7}.
     */
    record Seq(String open, String close, List<Node> items) implements Node {
        boolean isSet() {
            return open.equals("{");
        }

        boolean isBare() {
            return open.isEmpty();
        }
    }

    /** {@code A \cup B \cup …}. */
    record Union(List<Node> parts) implements Node {}

    record Matrix(List<List<Node>> rows) implements Node {}

    /** {@code =, <, >, ≤, ≥, ≠, ∈}, or {@link #BETWEEN}. */
    record Rel(String op, Node left, Node right) implements Node {}

    /** The op of {@code a < x ≤ b} read as {@code x ∈ (a, b]}: means ∈, but is written as a relation, not a set. */
    String BETWEEN = "∈<";
}
