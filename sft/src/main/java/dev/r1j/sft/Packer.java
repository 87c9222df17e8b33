package dev.r1j.sft;

import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * Packs short examples into rows of at most {@code maxLength} tokens (best-fit decreasing: longest example first,
 * each into the row it fills most tightly), so a batch wastes few positions on padding. Deterministic: the same
 * examples give the same rows. Attention never crosses examples (see {@link PaddedBatch#packed}).
 *
 * <pre>{@code
 * List<List<TokenSequence>> rows = Packer.pack(examples, 512);
 * }</pre>
 */
public final class Packer {
    private Packer() {}

    /**
     * @throws IllegalArgumentException when an example is longer than {@code maxLength} (truncate first)
     */
    public static List<List<TokenSequence>> pack(List<TokenSequence> examples, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        List<Integer> order = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            int len = examples.get(i).length();
            if (len > maxLength) {
                throw new IllegalArgumentException("example " + i + " has " + len + " tokens, more than max_length "
                        + maxLength + " (truncate before packing)");
            }
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingInt(i -> -examples.get(i).length()).thenComparingInt(i -> i));
        List<List<TokenSequence>> rows = new ArrayList<>();
        TreeMap<Integer, Deque<Integer>> byRoom = new TreeMap<>(); // free positions -> rows with that much room
        for (int i : order) {
            TokenSequence s = examples.get(i);
            Integer room = byRoom.ceilingKey(s.length());
            int row;
            if (room == null) {
                row = rows.size();
                rows.add(new ArrayList<>());
                room = maxLength;
            } else {
                Deque<Integer> q = byRoom.get(room);
                row = q.pollFirst();
                if (q.isEmpty()) byRoom.remove(room);
            }
            rows.get(row).add(s);
            int left = room - s.length();
            if (left >= 2) byRoom.computeIfAbsent(left, k -> new ArrayDeque<>()).addLast(row);
        }
        return rows;
    }
}
