package dev.r1j.core.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicDirectory#recover} from every state a crash can leave during {@link AtomicDirectory#write}, each
 * state laid out by hand: the whole directory it must end with, and no leftover.
 */
class AtomicDirectoryRecoveryTest {
    @TempDir
    Path parent;

    private Path dir(String name, String content) throws IOException {
        Path d = Files.createDirectories(parent.resolve(name));
        Files.writeString(d.resolve("weights"), content);
        return d;
    }

    private String content() throws IOException {
        return Files.readString(parent.resolve("checkpoint/weights"));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void nothingLeftOverNothingDone() throws IOException {
        dir("checkpoint", "step 20");
        assertEquals(List.of(), AtomicDirectory.recover(parent.resolve("checkpoint")));
        assertEquals(List.of(), AtomicDirectory.recover(parent.resolve("never-written")));
        assertEquals("step 20", content());
    }

    @Test
    void whileFillingTheTemporaryThePreviousDirectoryStaysAndThePartialOneGoes() throws IOException {
        dir("checkpoint", "step 20");
        dir(".checkpoint.tmp-0a1b2c3d", "step 40, half writ");
        List<String> done = AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals(1, done.size(), done.toString());
        assertTrue(done.get(0).startsWith("removed .checkpoint.tmp-0a1b2c3d"), done.get(0));
        assertEquals("step 20", content());
        assertEquals(List.of("checkpoint"), names());
    }

    @Test
    void aFirstWriteCutShortLeavesNoDirectoryAndNoTemporary() throws IOException {
        dir(".checkpoint.tmp-0a1b2c3d", "step 20, half writ");
        AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals(List.of(), names());
    }

    @Test
    void betweenTheTwoRenamesTheCompleteNewDirectoryIsPutInPlace() throws IOException {
        dir(".checkpoint.old-0a1b2c3d", "step 20");
        dir(".checkpoint.tmp-0a1b2c3d", "step 40");
        List<String> done = AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertTrue(done.get(0).contains("restored") && done.get(0).contains(".checkpoint.tmp-0a1b2c3d"), done.toString());
        assertEquals("step 40", content());
        assertEquals(List.of("checkpoint"), names());
    }

    @Test
    void anOldDirectoryWithoutItsTemporaryIsRestoredNotIgnored() throws IOException {
        dir(".checkpoint.old-0a1b2c3d", "step 20");
        List<String> done = AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals(1, done.size(), done.toString());
        assertEquals("step 20", content());
        assertEquals(List.of("checkpoint"), names());
    }

    @Test
    void afterBothRenamesTheOldDirectoryEvenHalfDeletedGoes() throws IOException {
        dir("checkpoint", "step 40");
        Path old = dir(".checkpoint.old-0a1b2c3d", "step 20");
        Files.createDirectories(old.resolve("tokenizer")); // a nested part, as deleteTree meets it
        AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals("step 40", content());
        assertEquals(List.of("checkpoint"), names());
        Files.createDirectories(parent.resolve(".checkpoint.old-ffffffff")); // emptied, not yet removed
        AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals(List.of("checkpoint"), names());
    }

    @Test
    void ofSeveralInterruptedWritesTheNewestCompleteOneWins() throws IOException {
        dir(".checkpoint.old-11111111", "step 10");
        dir(".checkpoint.old-22222222", "step 20");
        Path newest = dir(".checkpoint.tmp-22222222", "step 30");
        dir(".checkpoint.tmp-33333333", "step 40, half writ");
        Files.setLastModifiedTime(parent.resolve(".checkpoint.old-11111111"), FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(parent.resolve(".checkpoint.old-22222222"), FileTime.fromMillis(2_000_000));
        Files.setLastModifiedTime(newest, FileTime.fromMillis(3_000_000));
        Files.setLastModifiedTime(parent.resolve(".checkpoint.tmp-33333333"), FileTime.fromMillis(4_000_000));
        AtomicDirectory.recover(parent.resolve("checkpoint"));
        assertEquals("step 30", content());
        assertEquals(List.of("checkpoint"), names());
    }

    @Test
    void aSeriesIsRepairedPerDirectoryAndOthersAreLeftAlone() throws IOException {
        dir("step-000010", "10");
        dir(".step-000020.tmp-0a1b2c3d", "20, half writ");
        dir(".step-000030.old-0a1b2c3d", "30"); // not a state a series makes, but recovered the same way
        dir("unrelated", "x");
        List<String> done = AtomicDirectory.recoverAll(parent);
        assertEquals(2, done.size(), done.toString());
        assertEquals(List.of("step-000010", "step-000030", "unrelated"), names());
        assertEquals("30", Files.readString(parent.resolve("step-000030/weights")));
    }

    @Test
    void aRealWriteLeavesNothingToRecover() throws IOException {
        AtomicDirectory.write(parent.resolve("checkpoint"), d -> Files.writeString(d.resolve("weights"), "a"));
        AtomicDirectory.write(parent.resolve("checkpoint"), d -> Files.writeString(d.resolve("weights"), "b"));
        assertEquals(List.of(), AtomicDirectory.recover(parent.resolve("checkpoint")));
        assertEquals("b", content());
    }
}
