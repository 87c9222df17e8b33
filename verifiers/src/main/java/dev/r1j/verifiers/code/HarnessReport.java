package dev.r1j.verifiers.code;

import java.util.ArrayList;
import java.util.List;

/**
 * What the harness said on its report channel, reading only lines that start with this run's nonce
 * (anything else on that channel is ignored: only the harness knows the nonce).
 *
 * @param started       a BEGIN line arrived (the harness ran and compiled the tests)
 * @param total         the number of test statements
 * @param programStatus "ok", "error …", "syntax …", or null if the program never finished
 * @param passed        TEST lines reporting a pass
 * @param failures      reasons of failed TEST/SETUP lines, in order
 * @param finished      an END line arrived: every test statement ran
 * @param setupFailures non-test statements (defs, assignments) of the tests that raised
 * @param harnessError  a HARNESS line (e.g. the reference tests do not parse), else null
 * @param notes         NOTE lines (e.g. the Java harness's "guard on"), in order
 */
record HarnessReport(boolean started, int total, String programStatus, int passed, List<String> failures,
                     boolean finished, int setupFailures, String harnessError, List<String> notes) {

    static HarnessReport parse(String stdout, String nonce) {
        String prefix = nonce + " ";
        boolean started = false;
        boolean finished = false;
        int total = 0;
        int passed = 0;
        int setup = 0;
        String program = null;
        String harness = null;
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String line : stdout.split("\n", -1)) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String body = line.substring(prefix.length());
            String[] f = body.split(" ", 4);
            try {
                switch (f[0]) {
                    case "BEGIN" -> {
                        started = true;
                        total = Integer.parseInt(f[1]);
                    }
                    case "PROGRAM" -> program = body.substring("PROGRAM ".length());
                    case "TEST" -> {
                        if (f[2].equals("pass")) {
                            passed++;
                        } else {
                            failures.add(body.substring(body.indexOf(" fail ") + 6));
                        }
                    }
                    case "SETUP" -> failures.add("setup: " + body.substring("SETUP fail ".length()));
                    case "END" -> {
                        finished = true;
                        passed = Integer.parseInt(f[1]);
                        total = Integer.parseInt(f[2]);
                        setup = Integer.parseInt(f[3].trim());
                    }
                    case "HARNESS" -> harness = body.substring("HARNESS ".length());
                    case "NOTE" -> notes.add(body.substring("NOTE ".length()));
                    default -> harness = "unknown report line: " + body;
                }
            } catch (RuntimeException e) {
                harness = "malformed report line: " + body;
            }
        }
        return new HarnessReport(started, total, program, passed, List.copyOf(failures), finished, setup, harness,
                List.copyOf(notes));
    }

    /** Every test statement ran and passed, and no setup statement failed. */
    boolean allPassed() {
        return finished && total > 0 && passed == total && setupFailures == 0 && "ok".equals(programStatus);
    }
}
