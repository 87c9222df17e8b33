package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.lang.Character.UnicodeScript;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DeepSeek-R1's language-consistency reward: the share of the chain of thought's letters written in the target
 * script, so reasoning that drifts between languages scores below 1. Letters are code points with
 * {@link Character#isLetter}; digits, punctuation, spaces and LaTeX symbols do not count, and each letter is
 * assigned its {@link UnicodeScript} (so "x", "é" and "ß" are all Latin, "的" Han, "я" Cyrillic). R1 measures the
 * proportion of target-language <em>words</em>; counting letters by script is the language-agnostic analogue and
 * needs no word segmenter for Chinese or Japanese.
 *
 * <p>Scripts are named by {@link #scripts(String)}: {@code latin}, {@code cyrillic}, {@code arabic}, {@code greek},
 * {@code hebrew}, {@code devanagari}, {@code thai}, {@code han}, {@code hangul}, {@code hiragana}, {@code katakana},
 * the groups {@code cjk} (Han, Hiragana, Katakana, Hangul), {@code chinese} (Han), {@code japanese} (Han, kana) and
 * {@code korean} (Hangul, Han), or any other {@link UnicodeScript} name.
 *
 * <pre>{@code
 * Verifier v = new LanguageConsistencyVerifier(LanguageConsistencyVerifier.scripts("latin"), true, 0.0);
 * v.verify(new Sample("", "<think>abcd我们</think><answer>4</answer>", Map.of())).reward();  // 4 of 6 letters: 0.667
 * }</pre>
 */
public final class LanguageConsistencyVerifier implements Verifier {
    private static final Map<String, Set<UnicodeScript>> GROUPS = Map.of(
            "cjk", EnumSet.of(UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA, UnicodeScript.HANGUL),
            "chinese", EnumSet.of(UnicodeScript.HAN),
            "japanese", EnumSet.of(UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA),
            "korean", EnumSet.of(UnicodeScript.HANGUL, UnicodeScript.HAN));

    private final Set<UnicodeScript> target;
    private final boolean thinkOnly;
    private final double emptyReward;
    private final String scriptKey;

    /**
     * @param target the accepted scripts
     * @param thinkOnly score only the text inside {@code <think>…</think>} (the whole completion when it has no think
     *     tag; an unclosed {@code <think>} runs to the end)
     * @param emptyReward the reward when the scored text has no letters at all
     */
    public LanguageConsistencyVerifier(Set<UnicodeScript> target, boolean thinkOnly, double emptyReward) {
        this(target, thinkOnly, emptyReward, null);
    }

    /**
     * @param scriptKey a reference field that, when a row has it, names that row's target script instead (e.g. a
     *     multilingual dataset whose rows say {@code script: cyrillic}); null for none
     */
    public LanguageConsistencyVerifier(Set<UnicodeScript> target, boolean thinkOnly, double emptyReward, String scriptKey) {
        if (target.isEmpty()) {
            throw new IllegalArgumentException("verifier 'language_consistency': no target script");
        }
        this.target = EnumSet.copyOf(target);
        this.thinkOnly = thinkOnly;
        this.emptyReward = emptyReward;
        this.scriptKey = scriptKey;
    }

    /**
     * The scripts of one name (case-insensitive): a group such as {@code cjk}, or a {@link UnicodeScript} name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the groups
     */
    public static Set<UnicodeScript> scripts(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        Set<UnicodeScript> g = GROUPS.get(key);
        if (g != null) {
            return g;
        }
        try {
            return EnumSet.of(UnicodeScript.forName(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown script '" + name + "'; use a Unicode script name (latin, "
                    + "cyrillic, arabic, greek, hebrew, devanagari, thai, han, hangul, hiragana, katakana, …) or a group "
                    + "(cjk, chinese, japanese, korean)");
        }
    }

    /** The union of {@link #scripts(String)} over several names. */
    public static Set<UnicodeScript> scripts(List<String> names) {
        Set<UnicodeScript> all = EnumSet.noneOf(UnicodeScript.class);
        for (String n : names) {
            all.addAll(scripts(n));
        }
        return all;
    }

    @Override
    public String name() {
        return "language_consistency";
    }

    @Override
    public Verdict verify(Sample sample) {
        Set<UnicodeScript> target = this.target;
        String rowScript = scriptKey == null ? null : sample.referenceString(scriptKey);
        if (rowScript != null) {
            try {
                target = scripts(rowScript);
            } catch (IllegalArgumentException e) {
                return Verdict.error("reference field '" + scriptKey + "': " + e.getMessage());
            }
        }
        String text = thinkOnly ? thinkSection(sample.completion()) : sample.completion();
        Map<UnicodeScript, Integer> counts = new EnumMap<>(UnicodeScript.class);
        int letters = 0;
        int inTarget = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) {
                continue;
            }
            UnicodeScript s = UnicodeScript.of(cp);
            letters++;
            if (target.contains(s)) {
                inTarget++;
            } else {
                counts.merge(s, 1, Integer::sum);
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("letters", letters);
        d.put("target_letters", inTarget);
        if (letters == 0) {
            return new Verdict(emptyReward, "no letters to judge", d);
        }
        double share = (double) inTarget / letters;
        UnicodeScript other = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (other != null) {
            d.put("main_other_script", other.name().toLowerCase(Locale.ROOT));
        }
        String reason = other == null ? "all " + letters + " letters in the target script"
                : String.format(Locale.ROOT, "%d of %d letters in the target script (most others: %s)", inTarget, letters,
                        other.name().toLowerCase(Locale.ROOT));
        return new Verdict(share, reason, d);
    }

    /** The contents of every {@code <think>…</think>} block; the whole text when there is no {@code <think>}. */
    static String thinkSection(String c) {
        int open = c.indexOf("<think>");
        if (open < 0) {
            int close = c.indexOf("</think>");
            // A template may put <think> in the prompt: then the reasoning is everything before </think>.
            return close < 0 ? c : c.substring(0, close);
        }
        StringBuilder sb = new StringBuilder();
        while (open >= 0) {
            int start = open + "<think>".length();
            int close = c.indexOf("</think>", start);
            int end = close < 0 ? c.length() : close;
            sb.append(c, start, end).append('\n');
            open = close < 0 ? -1 : c.indexOf("<think>", close);
        }
        return sb.toString();
    }
}
