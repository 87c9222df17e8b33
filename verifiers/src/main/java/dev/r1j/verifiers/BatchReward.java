package dev.r1j.verifiers;

import java.util.List;

/**
 * A reward that needs the whole group (or batch) of samples, not one sample at a time: e.g. a
 * {@link CompositeVerifier} that standardises each part across the group before summing. A trainer that holds a
 * {@link Verifier} checks {@code instanceof BatchReward}: if so, it scores the samples one by one with
 * {@link Verifier#verify} as usual (in parallel, as before), then replaces the rewards by
 * {@link #groupRewards(List)} of the group's verdicts before computing advantages.
 *
 * <pre>{@code
 * List<Verdict> vs = samples.stream().map(reward::verify).toList();
 * double[] r = reward instanceof BatchReward b ? b.groupRewards(vs) : vs.stream().mapToDouble(Verdict::reward).toArray();
 * }</pre>
 */
public interface BatchReward {
    /** One reward per verdict, in order; the verdicts are this reward's own, for the samples of one group or batch. */
    double[] groupRewards(List<Verdict> verdicts);
}
