package dev.r1j.core.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template ({@code chat_template} of {@code tokenizer_config.json}), rendered with HubSpot's
 * Jinjava set up like {@code transformers}' environment: {@code trim_blocks} and {@code lstrip_blocks} on, one
 * trailing newline of the source dropped ({@code keep_trailing_newline=False}), and the globals templates use
 * ({@code raise_exception}, {@code strftime_now}).
 *
 * <p>Jinjava is not Python's Jinja2. Three gaps matter for real templates and are closed here: Python {@code str}
 * methods ({@code split} with Python semantics, {@code startswith}, {@code lstrip('\n')}, ... see
 * {@link PythonStringMethods}); two expression forms Jinjava parses differently, the reversing slice
 * {@code xs[::-1]} and keyword arguments holding operators (see {@link JinjaCompat}); and the
 * {@code {% generation %}} block of assistant-mask templates, rendered as its body. {@code tojson} writes
 * Python's {@code json.dumps} format, as tool schemas appear in {@code transformers}' prompts. Tested against the Qwen2.5,
 * Qwen3, Llama-3 and DeepSeek-R1 templates.
 *
 * <pre>{@code
 * ChatTemplate t = new ChatTemplate(config.chatTemplate());
 * String prompt = t.render(List.of(Map.of("role", "user", "content", "2+2?")), true,
 *         Map.of("bos_token", "<s>", "eos_token", "</s>"));
 * }</pre>
 */
public final class ChatTemplate {
    private static final Jinjava JINJAVA = newJinjava();
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    private final String source;
    private final String prepared;

    public ChatTemplate(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("chat template is empty");
        }
        this.source = source;
        String s = source.endsWith("\r\n") ? source.substring(0, source.length() - 2)
                : source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.prepared = JinjaCompat.rewrite(JinjaCompat.lstripBlocks(s));
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    /**
     * Renders {@code messages} (maps with at least {@code role} and {@code content}); {@code variables} supplies
     * {@code bos_token}, {@code eos_token}, {@code tools}, {@code enable_thinking} and the like.
     *
     * @throws IllegalArgumentException naming the template's own message when it calls {@code raise_exception}, or
     *     Jinjava's errors when the template cannot be rendered
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
            Map<String, ?> variables) {
        Map<String, Object> context = new HashMap<>();
        if (variables != null) {
            context.putAll(variables);
        }
        List<Map<String, Object>> copies = new ArrayList<>();
        for (Map<String, ?> m : messages) {
            copies.add(new LinkedHashMap<>(m));
        }
        // transformers' templates test 'strftime_now is defined' before calling it: make the globals visible as
        // variables too (the call itself still goes to the registered function).
        context.putIfAbsent("strftime_now", "strftime_now");
        context.putIfAbsent("raise_exception", "raise_exception");
        context.put("messages", copies);
        context.put("add_generation_prompt", addGenerationPrompt);
        RAISED.remove();
        RenderResult result;
        try {
            result = JINJAVA.renderForResult(prepared, context);
        } finally {
            String raised = RAISED.get();
            RAISED.remove();
            if (raised != null) {
                throw new IllegalArgumentException("chat template raised: " + raised);
            }
        }
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            throw new IllegalArgumentException("chat template cannot be rendered: " + fatal.stream()
                    .map(e -> "line " + e.getLineno() + ": " + e.getMessage()).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    // ---- the Jinjava environment ----

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // done by JinjaCompat.lstripBlocks: Jinjava's strips mid-line too
                .withElResolver(resolver)
                // Jinja2's semantics where Jinjava kept its own for backward compatibility: '{{-' trims, dicts
                // iterate over keys, None survives in loops. (Natural operator precedence is NOT Jinja2's: it
                // reads 'not x is defined' as '(not x) is defined'.)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withIterateOverMapKeys(true)
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerTag(new GenerationTag());
        jinjava.getGlobalContext().registerFilter(new PythonJson.ToJsonFilter());
        return jinjava;
    }

    /** The template's {@code raise_exception(msg)}: remembered so the caller sees the template's own message. */
    public static String raiseException(String message) {
        RAISED.set(message);
        throw new IllegalArgumentException(message);
    }

    /** The template's {@code strftime_now(fmt)} with the common Python directives. */
    public static String strftimeNow(String format) {
        return strftime(ZonedDateTime.now(), format);
    }

    static String strftime(ZonedDateTime t, String format) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                b.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> b.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> b.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(String.format("%02d", t.getYear() % 100));
                case 'H' -> b.append(String.format("%02d", t.getHour()));
                case 'M' -> b.append(String.format("%02d", t.getMinute()));
                case 'S' -> b.append(String.format("%02d", t.getSecond()));
                case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> b.append('%');
                default -> b.append('%').append(d);
            }
        }
        return b.toString();
    }

    /** {@code {% generation %}...{% endgeneration %}} marks assistant tokens for masking; we render the body. */
    private static final class GenerationTag implements Tag {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
            return out.toString();
        }
    }
}
