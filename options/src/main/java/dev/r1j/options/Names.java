package dev.r1j.options;

import java.util.Locale;

/** The spelling rules between Java names and option keys. */
public final class Names {
    private Names() {}

    /** {@code maxNewTokens} → {@code max_new_tokens}. */
    public static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** An enum constant or a user's spelling of it, normalised: {@code DR_GRPO}, {@code dr-grpo} → {@code dr_grpo}. */
    public static String enumKey(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    }
}
