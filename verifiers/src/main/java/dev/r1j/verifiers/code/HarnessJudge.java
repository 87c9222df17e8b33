package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.sandbox.SandboxResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a harness report (Python or Java harness, same line protocol) and the sandbox's result into a verdict. Only
 * nonce lines count: a pass needs BEGIN, PROGRAM ok, and an END line after every test passed.
 */
final class HarnessJudge {
    private HarnessJudge() {
    }

    static Verdict judge(HarnessReport rep, SandboxResult result, boolean partialCredit) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("passed", rep.passed());
        d.put("total", rep.total());
        d.put("exit_code", result.exitCode());
        d.put("elapsed_ms", result.elapsed().toMillis());
        if (!rep.failures().isEmpty()) {
            d.put("failures", rep.failures().subList(0, Math.min(5, rep.failures().size())));
        }
        if (!rep.notes().isEmpty()) {
            d.put("notes", rep.notes());
        }
        String stderr = result.stderrText();
        if (!stderr.isEmpty()) {
            d.put("stderr", stderr.length() > 1000 ? stderr.substring(stderr.length() - 1000) : stderr);
        }
        if (rep.harnessError() != null) {
            return new Verdict(0.0, "error: harness: " + rep.harnessError(), withError(d));
        }
        if (!rep.started()) {
            if (result.killed()) {
                return new Verdict(0.0, killReason(result) + " before the tests started", d);
            }
            return new Verdict(0.0, "error: the harness did not start (exit code " + result.exitCode() + ")", withError(d));
        }
        String status = rep.programStatus();
        if (status != null && status.startsWith("syntax")) {
            return new Verdict(0.0, "syntax error: " + status.substring("syntax ".length()), d);
        }
        if (status != null && status.startsWith("compile")) {
            return new Verdict(0.0, "compile error: " + status.substring("compile ".length()), d);
        }
        if (status != null && status.startsWith("error")) {
            return new Verdict(0.0, "program raised " + status.substring("error ".length()), d);
        }
        if (rep.total() == 0) {
            return new Verdict(0.0, "error: the tests contain no test (no assert or call statement, no @Test method)",
                    withError(d));
        }
        double fraction = (double) rep.passed() / rep.total();
        double partial = partialCredit ? fraction : 0.0;
        if (!rep.finished()) {
            String why = result.killed() ? killReason(result)
                    : "exited before the tests finished (exit code " + result.exitCode() + ")";
            return new Verdict(partial, why + "; " + rep.passed() + "/" + rep.total() + " tests passed", d);
        }
        if (rep.allPassed()) {
            return new Verdict(1.0, "all " + rep.total() + " tests passed", d);
        }
        String first = rep.failures().isEmpty() ? "" : ": " + rep.failures().get(0);
        return new Verdict(partial, rep.passed() + "/" + rep.total() + " tests passed" + first, d);
    }

    private static Map<String, Object> withError(Map<String, Object> d) {
        d.put("error", true);
        return d;
    }

    private static String killReason(SandboxResult r) {
        return r.timedOut() ? "timeout" : "output limit exceeded";
    }

}
