package dev.r1j.tasks.arith;

/** The held-out rule both arithmetic tasks share: a seeded hash of the problem falls in one tenth. */
final class HeldOutSplit {
    /** One in this many problems is held out for testing. */
    static final int MODULUS = 10;

    private HeldOutSplit() {}

    static boolean isHeldOut(long seed, long a, char op, long b) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= a * 0xC2B2AE3D27D4EB4FL;
        h ^= b * 0x165667B19E3779F9L + op;
        return Math.floorMod(mix(h), MODULUS) == 0;
    }

    static long pow10(int d) {
        long v = 1;
        for (int i = 0; i < d; i++) v *= 10;
        return v;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
