package dev.r1j.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What each row of a {@link DecodeBatch} step feeds the model: its last token (a row decoding as usual), the call's
 * last token and the observation (a row whose tool call has been answered, {@link RowEpisode#resume}), or nothing (a
 * finished row, or one whose call is still running). When no row has anything to feed but some wait on calls, it
 * waits for the first answer, so a batch of waiting rows does not spin.
 */
final class StepFeeds {
    private StepFeeds() {}

    /** Per row (in batch order) the tokens to feed, or null; null as a whole when no row is live any more. */
    static int[][] collect(List<DecodeBatch.Seq> seqs) {
        while (true) {
            int[][] feeds = new int[seqs.size()][];
            boolean any = false;
            List<CompletableFuture<?>> waiting = new ArrayList<>();
            for (int i = 0; i < seqs.size(); i++) {
                DecodeBatch.Seq s = seqs.get(i);
                if (s.done()) continue;
                if (s.paused()) {
                    CompletableFuture<?> f = s.row.episode.pending();
                    if (!f.isDone()) {
                        waiting.add(f);
                        continue;
                    }
                    feeds[i] = s.row.episode.resume(s.row); // null when the episode ended
                } else {
                    feeds[i] = new int[] {s.row.lastToken()};
                }
                any |= feeds[i] != null;
            }
            if (any) return feeds;
            if (waiting.isEmpty()) return null;
            CompletableFuture.anyOf(waiting.toArray(new CompletableFuture<?>[0])).join();
        }
    }

    /** The widest feed (at least 1). */
    static int width(int[][] feeds) {
        int w = 1;
        for (int[] f : feeds) if (f != null) w = Math.max(w, f.length);
        return w;
    }
}
