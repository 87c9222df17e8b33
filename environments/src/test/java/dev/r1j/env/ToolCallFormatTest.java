package dev.r1j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolCallFormatTest {
    private static final ToolCallFormat CODE = ToolCallFormat.CODE_BLOCK;
    private static final ToolCallFormat HERMES = ToolCallFormat.HERMES;

    @Test
    void codeBlockCallEndsRightAfterTheClosingFence() {
        String turn = "I compute.\n```calculator\n47*85\n```";
        assertEquals(turn.length(), CODE.callEnd(turn));
        assertEquals(turn.length(), CODE.callEnd(turn + "\nmore"), "the first completed block ends the turn");
        // prefixes of the call are not complete yet
        for (int i = 0; i < turn.length(); i++) assertEquals(-1, CODE.callEnd(turn.substring(0, i)), turn.substring(0, i));
        assertEquals(new ToolCall("calculator", Map.of("code", "47*85")), CODE.parse(turn).call());
        assertEquals(new ToolCall("python", Map.of("code", "x = 1\nprint(x)")),
                CODE.parse("```python\nx = 1\nprint(x)\n```").call());
        assertEquals(new ToolCall("python", Map.of("code", "")), CODE.parse("```python\n```").call(), "empty body");
    }

    /**
     * A server stopping at the call stop returns a turn that is complete exactly where the stop string ends, for both
     * formats; every shorter prefix of the call holds no complete call (so a stop there just continues the turn).
     */
    @Test
    void theCallStopEndsExactlyWhereTheCallEnds() {
        for (String turn : new String[] {"I compute.\n```calculator\n47*85\n```",
                "x <tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1+1\"}}</tool_call>"}) {
            ToolCallFormat f = turn.contains("<tool_call>") ? ToolCallFormat.HERMES : CODE;
            String stop = f.callStop();
            int last = turn.lastIndexOf(stop);
            assertEquals(turn.length(), last + stop.length(), f + ": the call ends with its stop");
            assertEquals(turn.length(), f.callEnd(turn), f.toString());
            for (int n = 0; n < turn.length(); n++) assertEquals(-1, f.callEnd(turn.substring(0, n)), f + " prefix " + n);
        }
    }

    @Test
    void codeBlockIgnoresOutputBlocksAndInlineFences() {
        assertEquals(-1, CODE.callEnd("```output\n3\n```"), "an output block is no call");
        assertEquals(-1, CODE.callEnd("say ```python\nx\n```"), "a fence must open a line");
        String t = "```output\n3\n```\n```python\nprint(1)\n```";
        assertEquals(t.length(), CODE.callEnd(t));
        assertEquals("python", CODE.parse(t).call().name());
    }

    @Test
    void codeBlockObservationExactCharacters() {
        assertEquals("\n```output\n3995\n```\n", CODE.observation("```calculator\n47*85\n```", "3995"));
        assertEquals("\n```output\n3995\n```\n", CODE.observation("```calculator\n47*85\n```", "3995\n"));
        assertEquals("```output\n```\n", CODE.observation("x\n", ""));
    }

    @Test
    void hermesCallsParseAndMalformedOnesSayWhy() {
        String turn = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"47*85\"}}\n</tool_call>";
        assertEquals(turn.length(), HERMES.callEnd(turn));
        assertEquals(-1, HERMES.callEnd(turn.substring(0, turn.length() - 1)));
        assertEquals(new ToolCall("calculator", Map.of("expression", "47*85")), HERMES.parse(turn).call());
        assertEquals(new ToolCall("f", Map.of("x", 1)),
                HERMES.parse("<tool_call>{\"name\":\"f\",\"arguments\":\"{\\\"x\\\": 1}\"}</tool_call>").call(),
                "OpenAI's string-encoded arguments");
        ToolCallFormat.Parsed bad = HERMES.parse("<tool_call>{\"name\": calc}</tool_call>");
        assertNull(bad.call());
        assertTrue(bad.error().startsWith("malformed tool call: not JSON"), bad.error());
        assertTrue(HERMES.parse("<tool_call>[1]</tool_call>").error().contains("expected {\"name\""));
        assertTrue(HERMES.parse("<tool_call>{\"arguments\": {}}</tool_call>").error().contains("\"name\" must be a string"));
        assertTrue(HERMES.parse("<tool_call>{\"name\": \"f\", \"arguments\": 3}</tool_call>").error()
                .contains("\"arguments\" must be an object"));
        assertTrue(HERMES.parse("oops</tool_call>").error().contains("without <tool_call>"));
        assertEquals("\n<tool_response>\n3995\n</tool_response>\n", HERMES.observation(turn, "3995"));
    }
}
