package dev.r1j.verifiers.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathEquivalenceTest {
    private static final MathEquivalence EQ = MathEquivalence.defaults();

    // Pairs separated by '|' so that commas inside answers survive.
    @ParameterizedTest(name = "[{index}] {0} == {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // rationals, exactly
        "0.5 | \\frac12", "0.5 | 1/2", "\\frac{1}{2} | \\dfrac{1}{2}", "\\frac 34 | 0.75", "\\frac34 | 3/4",
        "\\frac9{19} | 9/19", "\\tfrac{6}{4} | 1.5", "-\\frac{24}{25} | -0.96", ".35625 | \\frac{57}{160}",
        "2 | 2.0", "2 | 2.000", "-3 | -3", "\\frac{-1}{2} | -\\frac{1}{2}", "1\\frac{4}{5} | \\frac95",
        "137 \\frac{1}{2} | 275/2", "15\\frac{39}{40} | \\frac{639}{40}", "10^{10} | 10000000000",
        "10^10 | 10000000000", "2^{-1} | 0.5", "1e3 | 1000", "\\sqrt{4} | 2", "\\sqrt{\\frac94} | 1.5", "3! | 6",
        "\\binom{5}{2} | 10",
        // thousands, currency, units, degrees, text
        "10,\\!080 | 10080", "10080 | 10,080", "11,\\! 111,\\! 111,\\! 100 | 11111111100", "58,500 | 58500",
        "\\$32,\\!348 | 32348", "\\$18.90 | 18.9", "5.4 \\text{ cents} | 5.4", "3\\text{ cm} | 3",
        "15\\mbox{ cm}^2 | 15", "864 \\mbox{ inches}^2 | 864", "90^\\circ | 90", "120^{\\circ} | 120",
        "\\frac{270}7\\text{ degrees} | \\frac{270}{7}", "12 inches | 12", "42 apples | 42",
        // percentages (see the class Javadoc): % is per-hundred or a droppable unit
        "50\\% | 50", "50% | 0.5", "50\\% | \\frac12", "12.5% | 1/8",
        // irrational values numerically
        "\\frac{\\sqrt3}{2} | \\sqrt{3}/2", "\\frac{\\sqrt{3}}{3} | \\frac{1}{\\sqrt3}", "2\\sqrt{5} | \\sqrt{20}",
        "11\\sqrt2 | \\sqrt{242}", "12\\pi | 12 \\pi", "\\frac{20000}{\\pi} | 20000/\\pi", "-\\frac{\\pi}{6} | -\\pi/6",
        "\\sqrt[3]{8} | 2", "\\sqrt[3]{2}\\cdot\\sqrt[3]{4} | 2", "18+2\\pi | 2\\pi+18", "\\pi^2/8 | \\frac{\\pi^2}{8}",
        // variables
        "x = 3 | 3", "3 | x=3", "y = 2x + 3 | 2x+3", "-13x+3 | 3-13x", "(a+5)(b+2) | ab+2a+5b+10",
        "8n^2 + 4n + 1 | 1+4n+8n^2", "6r^2-4r-24 | 2(3r^2-2r-12)", "-2 + 7i | 7i-2", "p - q | -q+p",
        "y = 2x + 3 | y - 2x = 3", "5x - 7y + 11z + 4 = 0 | -10x + 14y - 22z - 8 = 0", "\\cot x | \\frac{\\cos x}{\\sin x}",
        "\\frac{11+9a}{20} | 0.55 + 0.45a", "x^3+3x-6 | x^3 + 3x - 6",
        // tuples, intervals, sets, unions
        "(1,2] | (1, 2]", "(-\\infty, 0] | (-\\infty,0]", "\\left( 3, \\frac{\\pi}{2} \\right) | (3, \\pi/2)",
        "\\{1,2\\} | 2,1", "\\{1,2\\} | \\{2, 1\\}", "3, 5, 7 | 7, 3, 5", "3, 5, 7 | \\{3,5,7\\}",
        "1 \\pm \\sqrt{19} | 1+\\sqrt{19}, 1-\\sqrt{19}", "\\{1\\pm\\sqrt{5},-2\\} | -2, 1-\\sqrt5, 1+\\sqrt5",
        "(-\\infty, 2) \\cup (3, \\infty) | (3,\\infty)\\cup(-\\infty,2)", "x \\in [-2,7] | [-2, 7]",
        "(0,9) \\cup (9,36) | (0, 9) \\cup (9, 36)", "\\left(\\frac{3}{5},\\frac{8}{3}\\right] | (0.6, 8/3]",
        "\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix} | \\begin{pmatrix} -\\frac13 \\\\ \\frac23 \\\\ \\frac53 \\end{pmatrix}",
        "\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix} | (0.2, -3.6)",
        "\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix} | \\begin{bmatrix} -1 & 0 \\\\ 0 & -1 \\end{bmatrix}",
        // bases, choices, text
        "4210_{5} | 4210_5", "\\text{(B)} | B", "\\text{(C)} | (C)", "\\text{Evelyn} | Evelyn",
        "\\text{east} | East.", "\\text{even} | even",
        // punctuation and delimiters
        "$5$. | 5", "\\(5\\) | 5", "5. | 5", "x \\ge 5 | 5 \\le x", "y = -2x | -2x",
    })
    void equivalent(String a, String b) {
        assertTrue(EQ.equivalent(a.strip(), b.strip()), () -> a + " vs " + b + " -> " + EQ.judge(a.strip(), b.strip())
                + " normalised: [" + AnswerNormalizer.normalize(a.strip()) + "] [" + AnswerNormalizer.normalize(b.strip()) + "]");
        assertTrue(EQ.equivalent(b.strip(), a.strip()), () -> "not symmetric: " + b + " vs " + a);
    }

    @ParameterizedTest(name = "[{index}] {0} != {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "0.5 | 50", "0.333 | \\frac13", "\\frac{1}{2} | \\frac{1}{3}", "2 | -2", "10^{10} | 10^{11}",
        "(1,2] | (1,2)", "(1,2) | [1,2]", "(1,2) | (2,1)", "\\{1,2\\} | \\{1,2,3\\}", "\\{1,2\\} | (1,2)",
        "\\sqrt{3}/2 | \\sqrt{2}/2", "\\pi | 3.14", "\\pi | 3.14159", "x+1 | x-1", "x^2 | 2x", "ab | a+b",
        "(a+5)(b+2) | (a+2)(b+5)", "-13x+3 | 13x+3", "1 \\pm \\sqrt{19} | 1+\\sqrt{19}", "3, 5, 7 | 3, 5",
        "(-\\infty, 2) \\cup (3, \\infty) | (-\\infty, 2) \\cup [3, \\infty)", "\\text{(B)} | C", "\\text{(B)} | (D)",
        "\\text{Evelyn} | Navin", "4210_5 | 4210_6", "y = 2x+3 | y = 2x-3", "5 | 5.0001", "\\frac{2}{3} | 0.6667",
        "x \\ge 5 | x \\le 5", "3 | 3x", "e | 2.718", "1-12i | 1+12i", "0 | 0.000001", "10080 | 1008",
        "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} | \\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}", "20 | 21",
        "\\infty | -\\infty", "(0,\\infty) | (0, 1e308)",
    })
    void notEquivalent(String a, String b) {
        assertFalse(EQ.equivalent(a.strip(), b.strip()), () -> a + " vs " + b + " -> " + EQ.judge(a.strip(), b.strip()));
        assertFalse(EQ.equivalent(b.strip(), a.strip()), () -> "not symmetric: " + b + " vs " + a);
    }

    @Test
    void aChoiceReferenceAcceptsTheLetterWithItsText() {
        assertTrue(EQ.equivalent("(E)", "E) 12"));
        assertTrue(EQ.equivalent("\\text{(B)}", "B. The second one"));
        assertFalse(EQ.equivalent("(E)", "A) 12"));
    }

    @Test
    void toleranceIsRelativeAndConfigurable() {
        MathEquivalence loose = new MathEquivalence(1e-3, 500);
        assertTrue(loose.equivalent("\\pi", "3.1416"));
        assertFalse(EQ.equivalent("\\pi", "3.1416"));
        // Rationals stay exact whatever the tolerance: 0.3333 is not 1/3.
        assertFalse(loose.equivalent("\\frac13", "0.3333"));
        // Relative: tiny answers are not all equal to each other.
        assertFalse(EQ.equivalent("\\sqrt{2}\\cdot 10^{-20}", "\\sqrt{3}\\cdot 10^{-20}"));
    }

    @Test
    void parserHandlesEveryConstructWithoutTheTextShortcut() {
        MathEquivalence parsedOnly = new MathEquivalence(1e-8, 500, false);
        List<String> failures = new ArrayList<>();
        for (String a : List.of("\\frac34", "10,\\!080", "(-\\infty, 0]", "\\{1\\pm\\sqrt{5},-2\\}", "x \\in [-2,7]",
                "\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}", "\\cot x", "-2 + 7i", "5x - 7y + 11z + 4 = 0",
                "\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]", "\\sqrt[3]{x}", "|x-1|", "\\log_2 8",
                "\\lfloor 3.5 \\rfloor", "x_1 + x_2", "\\sin^2 x + \\cos^2 x", "2\\sqrt{2}\\pi r^2")) {
            MathEquivalence.Judgement j = parsedOnly.judge(a, a);
            if (!j.equivalent() || !j.how().equals("math")) {
                failures.add(a + " -> " + j);
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(parsedOnly.equivalent("\\sin^2 x + \\cos^2 x", "1"));
        assertTrue(parsedOnly.equivalent("\\log_2 8", "3"));
        assertTrue(parsedOnly.equivalent("\\lfloor 3.5 \\rfloor", "3"));
    }
}
