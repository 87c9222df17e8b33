package dev.r1j.core.grpo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses the lower-case recipe spelling of an enum constant, with one clear error listing the choices. */
final class WireEnum {
    private WireEnum() {}

    static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        if (value == null) throw new IllegalArgumentException(field + ": expected one of " + choices(type) + ", got null");
        String key = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(key)) return e;
        }
        throw new IllegalArgumentException(field + ": expected one of " + choices(type) + ", got '" + value + "'");
    }

    static String wire(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> String choices(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(WireEnum::wire).collect(Collectors.joining("|"));
    }
}
