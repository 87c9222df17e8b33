package dev.r1j.examples.countdown;

import dev.r1j.verifiers.Sample;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * One Countdown puzzle from a dataset row: reach {@code target} with the given numbers. The field names are those
 * of the Countdown-Tasks datasets TinyZero trains on: {@code target} and {@code nums} ({@code numbers} is accepted
 * too). Numbers come as a JSON list or as a comma-separated string.
 *
 * <pre>{@code
 * CountdownProblem p = CountdownProblem.from(new Sample("", "", Map.of("target", 24, "nums", List.of(1, 3, 4, 6))));
 * }</pre>
 */
record CountdownProblem(BigInteger target, List<BigInteger> numbers) {

    /** @throws IllegalArgumentException naming the missing or malformed reference field */
    static CountdownProblem from(Sample sample) {
        Object t = sample.reference().get("target");
        if (t == null) throw new IllegalArgumentException("reference field 'target' is missing (expected an integer)");
        BigInteger target = integer("target", t);
        String key = sample.reference().containsKey("nums") ? "nums" : "numbers";
        Object ns = sample.reference().get(key);
        if (ns == null) {
            throw new IllegalArgumentException("reference field 'nums' (or 'numbers') is missing (expected a list of integers)");
        }
        List<?> raw = ns instanceof List<?> l ? l : ns instanceof String s ? List.of(s.split(",")) : null;
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException("reference field '" + key + "' is " + ns + ", expected a non-empty list of integers");
        }
        List<BigInteger> numbers = new ArrayList<>();
        for (Object o : raw) numbers.add(integer(key, o));
        return new CountdownProblem(target, List.copyOf(numbers));
    }

    private static BigInteger integer(String key, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short) return BigInteger.valueOf(((Number) v).longValue());
        if (v instanceof BigInteger b) return b;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
            return BigInteger.valueOf((long) n.doubleValue());
        }
        if (v instanceof String s) {
            try {
                return new BigInteger(s.strip());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("reference field '" + key + "' holds " + v + ", expected an integer");
    }
}
