package dev.r1j.tasks.arith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.tokenizer.CharTokenizer;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ArithmeticVocabularyTest {
    /** Every character the task writes (prompts, all four kinds of completion) is in the alphabet. */
    @Test
    void alphabetCoversTheTasksCharacters() {
        TreeSet<Character> used = new TreeSet<>();
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(5_000, 0, 0, 0));
        for (ArithmeticTask.CorpusLine l : task.corpus()) {
            for (char c : l.text().toCharArray()) used.add(c);
        }
        TreeSet<Character> alphabet = new TreeSet<>();
        for (char c : ArithmeticVocabulary.ALPHABET.toCharArray()) alphabet.add(c);
        assertTrue(alphabet.containsAll(used), "missing: " + used.stream().filter(c -> !alphabet.contains(c)).toList());
        String sample = task.corpus().get(0).text();
        assertEquals(sample, ArithmeticVocabulary.tokenizer().decode(ArithmeticVocabulary.tokenizer().encode(sample)));
    }

    /**
     * The ids are those of the base model R1-Zero's pretrain stage has always built (pad, bos, eos, then the
     * alphabet in this order): a saved toy model keeps working, and the same seed gives the same model.
     */
    @Test
    void idsAreTheToyModelsVocabulary() {
        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        assertEquals(3 + 45, tok.vocabSize());
        assertEquals("0123456789+-*=<>/,abcdefghijklmnopqrstuvwxyz ", ArithmeticVocabulary.ALPHABET);
        assertArrayEquals(new int[] {3, 12, 13, 16, 17, 18, 20, 45, 47}, tok.encode("09+=<>,y "));
        assertArrayEquals(new int[] {tok.bosId(), 4, 13, 5, tok.eosId()}, ArithmeticVocabulary.withBosEos(tok, "1+2"));
        assertEquals(1, tok.bosId());
        assertEquals(2, tok.eosId());
    }
}
