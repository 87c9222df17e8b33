package dev.r1j.verifiers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class Gsm8kAnswerTest {
    @Test
    void theNumberAfterTheLastMarkerWithoutThousandsSeparators() {
        assertEquals("72", Gsm8kAnswer.parse("48/2 = <<48/2=24>>24 clips in May.\n#### 72"));
        assertEquals("1200", Gsm8kAnswer.parse("so 1,000 + 200 = 1,200\n####  1,200 \n"));
        assertEquals("-3.5", Gsm8kAnswer.parse("#### 1\n#### -3.5"), "the last marker counts");
        assertEquals("", Gsm8kAnswer.parse("#### "));
        assertNull(Gsm8kAnswer.parse("no marker, 72"));
    }
}
