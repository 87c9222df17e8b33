package dev.r1j.env;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model writes a tool call, where the call ends (the model's turn pauses there) and how the answer is written
 * back. The two formats the ecosystem uses:
 * <ul>
 *   <li>{@link #CODE_BLOCK}, tool-integrated reasoning: a fenced block whose info string is the tool's name and whose
 *       body is its main argument ({@code ```python\nprint(6*7)\n```}); the answer is an output block
 *       {@code ```output\n42\n```\n}.</li>
 *   <li>{@link #HERMES}, Hermes/Qwen2.5 function calling: {@code <tool_call>{"name": "python", "arguments":
 *       {"code": "print(6*7)"}}</tool_call>}; the answer is a tool-role message, through the chat template when
 *       the tokenizer has one, else {@code \n<tool_response>\n42\n</tool_response>\n}.</li>
 * </ul>
 *
 * <pre>{@code
 * String turn = "Let me compute.\n```calculator\n47*85\n```";
 * int end = ToolCallFormat.CODE_BLOCK.callEnd(turn);                   // turn.length()
 * ToolCallFormat.Parsed p = ToolCallFormat.CODE_BLOCK.parse(turn);     // calculator {code=47*85}
 * String obs = ToolCallFormat.CODE_BLOCK.observation(turn, "3995");    // "\n```output\n3995\n```\n"
 * }</pre>
 */
public enum ToolCallFormat {
    CODE_BLOCK {
        @Override
        public int callEnd(String turn) {
            Matcher m = OPEN_FENCE.matcher(turn);
            while (m.find()) {
                if (m.group(1).equals(OUTPUT)) continue;
                int close = turn.indexOf("\n```", m.end() - 1);
                if (close >= 0) return close + 4;
                return -1; // an open block: the call is still being written
            }
            return -1;
        }

        @Override
        public Parsed parse(String turn) {
            Matcher m = OPEN_FENCE.matcher(turn);
            while (m.find()) {
                if (m.group(1).equals(OUTPUT)) continue;
                int close = turn.indexOf("\n```", m.end() - 1);
                if (close < 0) break;
                String body = close < m.end() ? "" : turn.substring(m.end(), close);
                String tool = m.group(1);
                return Parsed.ok(new ToolCall(tool, Map.of(CODE_ARGUMENT, body)));
            }
            return Parsed.error("no complete ```TOOL ... ``` block in the turn");
        }

        @Override
        public String observation(String turn, String output) {
            String body = output.isEmpty() || output.endsWith("\n") ? output : output + "\n";
            return (turn.endsWith("\n") ? "" : "\n") + "```output\n" + body + "```\n";
        }
    },
    HERMES {
        @Override
        public int callEnd(String turn) {
            int close = turn.indexOf(CLOSE_TAG);
            return close < 0 ? -1 : close + CLOSE_TAG.length();
        }

        @Override
        public Parsed parse(String turn) {
            int close = turn.indexOf(CLOSE_TAG);
            if (close < 0) return Parsed.error("no " + CLOSE_TAG + " in the turn");
            int open = turn.lastIndexOf(OPEN_TAG, close);
            if (open < 0) return Parsed.error("malformed tool call: " + CLOSE_TAG + " without " + OPEN_TAG);
            String json = turn.substring(open + OPEN_TAG.length(), close).strip();
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                return Parsed.error("malformed tool call: not JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                return Parsed.error("malformed tool call: expected {\"name\": ..., \"arguments\": {...}}");
            }
            JsonNode name = node.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) {
                return Parsed.error("malformed tool call: \"name\" must be a string");
            }
            JsonNode args = node.get("arguments");
            if (args != null && args.isTextual()) { // OpenAI's wire form: arguments as a JSON string
                try {
                    args = JSON.readTree(args.asText());
                } catch (JsonProcessingException e) {
                    return Parsed.error("malformed tool call: \"arguments\" is a string that is not JSON");
                }
            }
            if (args != null && !args.isObject() && !args.isNull()) {
                return Parsed.error("malformed tool call: \"arguments\" must be an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = args == null || args.isNull() ? Map.of() : JSON.convertValue(args, Map.class);
            return Parsed.ok(new ToolCall(name.asText(), map));
        }

        @Override
        public String observation(String turn, String output) {
            return "\n<tool_response>\n" + output + "\n</tool_response>\n";
        }
    };

    static final String OUTPUT = "output";
    static final String OPEN_TAG = "<tool_call>";
    static final String CLOSE_TAG = "</tool_call>";
    private static final Pattern OPEN_FENCE = Pattern.compile("(?:^|\\n)```([A-Za-z_][A-Za-z0-9_-]*)[ \\t]*\\n");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed call, or why the turn's call could not be parsed (the model sees it as an error observation). */
    public record Parsed(ToolCall call, String error) {
        static Parsed ok(ToolCall c) {
            return new Parsed(c, null);
        }

        static Parsed error(String e) {
            return new Parsed(null, e);
        }
    }

    /** The argument a code block's body fills, whatever the tool: {@code code}. */
    public static final String CODE_ARGUMENT = "code";

    /** The index just after the first completed call in a model turn's text, or -1 while there is none. */
    public abstract int callEnd(String turn);

    /**
     * The text whose appearance may complete a call ({@code \n```} closes a block, but also opens one after a line;
     * {@code </tool_call>}): a stop string for an inference server, so that its turn comes back when a call may be
     * complete; whether it is, {@link #callEnd} decides.
     */
    public String callStop() {
        return this == HERMES ? CLOSE_TAG : "\n```";
    }

    /** The first completed call of {@code turn} (a turn cut at {@link #callEnd}). */
    public abstract Parsed parse(String turn);

    /**
     * The text appended after the turn {@code turn} (ending at its call) to answer it with {@code output}, for a
     * tokenizer without a chat template (see the class comment for the exact characters).
     */
    public abstract String observation(String turn, String output);
}
