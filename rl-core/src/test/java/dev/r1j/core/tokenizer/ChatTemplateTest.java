package dev.r1j.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates (from the models' {@code tokenizer_config.json}, kept under {@code src/test/resources}) rendered
 * against the strings {@code transformers}' {@code apply_chat_template} produces for them.
 */
class ChatTemplateTest {
    static final List<Map<String, String>> CHAT = List.of(
            Map.of("role", "user", "content", "Hello, how are you?"),
            Map.of("role", "assistant", "content", "I'm doing great. How can I help you today?"),
            Map.of("role", "user", "content", "I'd like to show off how chat templating works!"));
    static final Map<String, String> SYSTEM =
            Map.of("role", "system", "content", "You are a friendly chatbot who always responds in the style of a pirate");

    static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat-templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Map<String, String>> withSystem() {
        return List.of(SYSTEM, CHAT.get(0), CHAT.get(1), CHAT.get(2));
    }

    @Test
    void qwen25() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("qwen2.5-instruct.jinja"));
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHello, how are you?<|im_end|>\n"
                + "<|im_start|>assistant\nI'm doing great. How can I help you today?<|im_end|>\n"
                + "<|im_start|>user\nI'd like to show off how chat templating works!<|im_end|>\n",
                t.render(CHAT, false, Map.of()));
        assertEquals("<|im_start|>system\nYou are a friendly chatbot who always responds in the style of a pirate"
                + "<|im_end|>\n<|im_start|>user\nHello, how are you?<|im_end|>\n"
                + "<|im_start|>assistant\nI'm doing great. How can I help you today?<|im_end|>\n"
                + "<|im_start|>user\nI'd like to show off how chat templating works!<|im_end|>\n"
                + "<|im_start|>assistant\n",
                t.render(withSystem(), true, Map.of()));
    }

    @Test
    void llama3TrimsContentAndPutsBosFirst() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("llama-3-instruct.jinja"));
        Map<String, String> vars = Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>");
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "You are a friendly chatbot who always responds in the style of a pirate<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello, how are you?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nI'm doing great. How can I help you today?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nI'd like to show off how chat templating works!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                t.render(withSystem(), true, vars));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
                t.render(List.of(Map.of("role", "user", "content", "  Hi \n")), false, vars));
    }

    @Test
    void qwen25WithToolsMatchesPythonJsonDumps() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("qwen2.5-instruct.jinja"));
        Map<String, Object> tool = new java.util.LinkedHashMap<>(); // key order shows in the prompt, as in Python
        tool.put("type", "function");
        tool.put("function", Map.of("name", "get_weather"));
        Map<String, Object> call = Map.of("type", "function", "function",
                Map.of("name", "get_weather", "arguments", Map.of("city", "Paris")));
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "user", "content", "Weather in Paris?"),
                Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)),
                Map.of("role", "tool", "content", "22C"));
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                + "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}\n</tools>\n\n"
                + "For each function call, return a json object with function name and arguments within "
                + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
                + "<args-json-object>}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}"
                + "\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n22C\n</tool_response><|im_end|>\n<|im_start|>assistant\n",
                t.render(messages, true, Map.of("tools", List.of(tool))));
    }

    @Test
    void pythonJsonFormatsLikeJsonDumps() {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("b", List.of(1, 2.5, 1e-5, 1e16, 100.0));
        v.put("a", Map.of());
        v.put("s", "q\"\n\u00e9");
        v.put("n", null);
        assertEquals("{\"b\": [1, 2.5, 1e-05, 1e+16, 100.0], \"a\": {}, \"s\": \"q\\\"\\n\u00e9\", \"n\": null}",
                PythonJson.dumps(v, -1, false, false));
        assertEquals("{\n  \"x\": [\n    true\n  ]\n}", PythonJson.dumps(Map.of("x", List.of(true)), 2, false, false));
        ChatTemplate t = new ChatTemplate("{{ x | tojson(indent=2) }}|{{ x | tojson }}");
        assertEquals("{\n  \"k\": 1\n}|{\"k\": 1}", t.render(List.of(), false, Map.of("x", Map.of("k", 1))));
    }

    @Test
    void llama32WithSystemDateAndToday() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("llama-3.2-instruct.jinja"));
        String expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
                + "You are a friendly chatbot who always responds in the style of a pirate<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello, how are you?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nI'm doing great. How can I help you today?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nI'd like to show off how chat templating works!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertEquals(expected, t.render(withSystem(), true,
                Map.of("bos_token", "<|begin_of_text|>", "date_string", "26 Jul 2024")));
        // Without date_string, transformers' template calls its strftime_now global: today's date.
        String today = ChatTemplate.strftime(ZonedDateTime.now(), "%d %b %Y");
        String noSystem = t.render(List.of(CHAT.get(0)), false, Map.of("bos_token", "<|begin_of_text|>"));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: " + today + "\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello, how are you?<|eot_id|>", noSystem);
    }

    @Test
    void deepseekR1DropsReasoningOfEarlierTurnsWithPythonSplit() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("deepseek-r1.jinja"));
        Map<String, String> vars = Map.of("bos_token", "<｜begin▁of▁sentence｜>", "eos_token", "<｜end▁of▁sentence｜>");
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜>",
                t.render(List.of(Map.of("role", "user", "content", "What is 2+2?")), true, vars));
        List<Map<String, String>> turns = List.of(
                Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "2+2?"),
                Map.of("role", "assistant", "content", "<think>add them</think>4"),
                Map.of("role", "user", "content", "3+3?"),
                // Python's 'x</think>'.split('</think>')[-1] is '' (Java's String.split would give 'x').
                Map.of("role", "assistant", "content", "thinking...</think>"));
        assertEquals("<｜begin▁of▁sentence｜>Be brief.<｜User｜>2+2?<｜Assistant｜>4<｜end▁of▁sentence｜>"
                + "<｜User｜>3+3?<｜Assistant｜><｜end▁of▁sentence｜>", t.render(turns, false, vars));
    }

    @Test
    void qwen3UsesReverseSliceNamespacesAndStringMethods() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("qwen3.jinja"));
        assertEquals("<|im_start|>user\nWhy is the sky blue?<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(Map.of("role", "user", "content", "Why is the sky blue?")), true, Map.of()));
        assertEquals("<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                t.render(List.of(Map.of("role", "user", "content", "Why?")), true, Map.of("enable_thinking", false)));
        List<Map<String, String>> turns = List.of(
                Map.of("role", "user", "content", "2+2?"),
                Map.of("role", "assistant", "content", "<think>\nadd\n</think>\n\n4"),
                Map.of("role", "user", "content", "3+3?"),
                Map.of("role", "assistant", "content", "<think>\n\nadd again\n\n</think>\n\n6"));
        // The earlier answer loses its reasoning; the one after the last user turn keeps it, stripped of '\n'.
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\n3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nadd again\n</think>\n\n6<|im_end|>\n", t.render(turns, false, Map.of()));
    }

    @Test
    void raiseExceptionSurfacesTheTemplatesMessage() {
        ChatTemplate t = new ChatTemplate("{{ bos_token }}{% for message in messages %}"
                + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
                + "{% endif %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endfor %}");
        assertEquals("<s>[INST] a [/INST]", t.render(List.of(Map.of("role", "user", "content", "a")), false,
                Map.of("bos_token", "<s>")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(
                Map.of("role", "user", "content", "a"), Map.of("role", "user", "content", "b")), false, Map.of()));
        assertTrue(e.getMessage().contains("Conversation roles must alternate"), e.getMessage());
        // A template that merely succeeded before still works afterwards (no leftover state).
        assertEquals("[INST] a [/INST]", t.render(List.of(Map.of("role", "user", "content", "a")), false, Map.of()));
    }

    @Test
    void brokenTemplateIsOneClearError() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m.content }");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(CHAT, false, Map.of()));
        assertTrue(e.getMessage().startsWith("chat template cannot be rendered"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ChatTemplate("  "));
    }

    @Test
    void trimBlocksAndTrailingNewlineAsInTransformers() {
        // trim_blocks eats the newline after a block tag, lstrip_blocks the indentation before it, and the one
        // trailing newline of the source is dropped.
        ChatTemplate t = new ChatTemplate("{% for m in messages %}\n    {% if m.role == 'user' %}\n"
                + "U:{{ m.content }}\n    {% endif %}\n{% endfor %}\n");
        assertEquals("U:Hello, how are you?\nU:I'd like to show off how chat templating works!\n",
                t.render(CHAT, false, Map.of()));
    }

    @Test
    void pythonStringMethodsHavePythonSemantics() {
        assertEquals(List.of("a", ""), PythonStringMethods.split("a</think>", "</think>", -1));
        assertEquals(List.of("", "a", "b"), PythonStringMethods.split(".a.b", ".", -1));
        assertEquals(List.of("a", "b.c"), PythonStringMethods.split("a.b.c", ".", 1));
        assertEquals(List.of("a", "b"), PythonStringMethods.split("  a \n b ", null, -1));
        assertEquals("x\n", PythonStringMethods.lstrip("\n\nx\n", "\n"));
        assertEquals(" x", PythonStringMethods.rstrip(" x\n\n", "\n"));
        ChatTemplate t = new ChatTemplate("{{ 'a.b.c'.rsplit('.', 1)[0] }}|{{ 'Hi There'.lower().startswith('hi') }}"
                + "|{{ 'ab'.endswith(('x', 'b')) }}|{{ 'hello world'.title() }}|{{ 'a-b-c'.replace('-', '+', 1) }}"
                + "|{{ '  pad  '.strip() }}|{{ ', '.join(['x', 'y']) }}");
        assertEquals("a.b|true|true|Hello World|a+b-c|pad|x, y", t.render(List.of(), false, Map.of()));
    }

    @Test
    void compatRewritesOnlyExpressionsAndLeavesStringsAlone() {
        assertEquals("{%- set ns = namespace(a=(true), b=(messages|length - 1)) %}",
                JinjaCompat.rewrite("{%- set ns = namespace(a=true, b=messages|length - 1) %}"));
        assertEquals("{% for m in messages|reverse %}[::-1] x=1{{ '[::-1] f(a=1)' }}{% endfor %}",
                JinjaCompat.rewrite("{% for m in messages[::-1] %}[::-1] x=1{{ '[::-1] f(a=1)' }}{% endfor %}"));
        assertEquals("{{ f(a == b, [c, d]) }}{{- \"}}\" }}", JinjaCompat.rewrite("{{ f(a == b, [c, d]) }}{{- \"}}\" }}"));
        assertEquals("{{ x|tojson(indent=(4)) }}", JinjaCompat.rewrite("{{ x|tojson(indent=4) }}"));
    }

    @Test
    void lstripBlocksStripsOnlyBlanksAtALineStartLikeJinja2() {
        // Expected strings rendered by Python Jinja2 with trim_blocks=True, lstrip_blocks=True (transformers' setup)
        ChatTemplate t = new ChatTemplate("{% for m in messages %}\n    {% if m.role == 'user' %}U: {{ m.content }}"
                + "{% endif %}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}");
        List<Map<String, String>> chat = List.of(Map.of("role", "user", "content", "hi"),
                Map.of("role", "assistant", "content", "yo"));
        assertEquals("U: hiassistant: ", t.render(chat, true, Map.of()));
        assertEquals("x\n  y", new ChatTemplate("x\n  {%+ if true %}y{% endif %}").render(List.of(), false, Map.of()));
    }

    @Test
    void generationBlocksRenderTheirBody() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{% if m.role == 'assistant' %}"
                + "{% generation %}{{ m.content }}!{% endgeneration %}{% else %}{{ m.content }}|{% endif %}{% endfor %}");
        assertEquals("Hello, how are you?|I'm doing great. How can I help you today?!"
                + "I'd like to show off how chat templating works!|", t.render(CHAT, false, Map.of()));
    }

    @Test
    void strftimeKnowsThePythonDirectivesTemplatesUse() {
        ZonedDateTime t = ZonedDateTime.of(2024, 7, 26, 9, 5, 0, 0, ZoneOffset.UTC);
        assertEquals("26 Jul 2024", ChatTemplate.strftime(t, "%d %b %Y"));
        assertEquals("July 26, 2024 09:05 100%", ChatTemplate.strftime(t, "%B %d, %Y %H:%M 100%%"));
    }
}
