package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.data.arith.ArithmeticTask;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ArithmeticVocabularyTest {
    /** Every character the task writes (prompts, all four kinds of completion) is in the alphabet, and no other. */
    @Test
    void alphabetIsExactlyTheTasksCharacters() {
        TreeSet<Character> used = new TreeSet<>();
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(5_000, 0, 0, 0));
        for (ArithmeticTask.CorpusLine l : task.corpus()) {
            for (char c : l.text().toCharArray()) used.add(c);
        }
        TreeSet<Character> alphabet = new TreeSet<>();
        for (char c : ArithmeticVocabulary.ALPHABET.toCharArray()) alphabet.add(c);
        assertEquals(used, alphabet);
        String sample = task.corpus().get(0).text();
        assertEquals(sample, ArithmeticVocabulary.tokenizer().decode(ArithmeticVocabulary.tokenizer().encode(sample)));
        assertEquals(3 + ArithmeticVocabulary.ALPHABET.length() + 1, ArithmeticVocabulary.tokenizer().vocabSize(),
                "pad, bos, eos, the alphabet, <unk>");
    }
}
